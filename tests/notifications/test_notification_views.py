"""Pages: preferences, one-click unsubscribe without login, the log for supervisors and administrators."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.emails import unsubscribe_token
from notifications.models import Notification, NotificationPreference
from notifications.services import digests_sweep, reminders_sweep

pytestmark = pytest.mark.django_db


def test_preferences_page_changes_frequency_and_reminders(client, alice):
    client.force_login(alice)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200 and "督办摘要邮件" in page.content.decode()
    response = client.post(reverse("notifications:preferences"), {"digest": "daily"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=alice)
    assert preference.digest == "daily" and preference.reminders is False


def test_preferences_need_a_login(client):
    assert client.get(reverse("notifications:preferences")).status_code == 302


def test_unsubscribe_link_asks_then_unsubscribes_without_login(client, alice):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(alice.pk, "digest")])
    page = client.get(url)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and "督办摘要邮件" in page.content.decode()
    assert not NotificationPreference.objects.filter(user=alice).exists()
    done = client.post(url)  # the button, or the mail client's RFC 8058 one-click POST
    assert done.status_code == 200 and "已退订" in done.content.decode()
    assert NotificationPreference.objects.get(user=alice).digest == "none"


EXPECTED = {"digest": ("none", True), "reminders": ("weekly", False), "all": ("none", False)}


@pytest.mark.parametrize("link", ["digest", "reminders", "all"])
@pytest.mark.parametrize("posted", [None, "digest", "reminders", "all", "everything"])
def test_a_link_does_only_what_it_says(client, alice, link, posted):
    """A digest link turns off digests, whatever the form posts (the page offers nothing more)."""
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(alice.pk, link)])
    assert 'name="what"' not in client.get(url).content.decode()
    response = client.post(url, {} if posted is None else {"what": posted})
    assert response.status_code == 200
    preference = NotificationPreference.objects.get(user=alice)
    assert (preference.digest, preference.reminders) == EXPECTED[link]


def test_links_expire(client, alice, settings):
    import time_machine

    settings.NOTIFICATIONS_LINK_MAX_AGE_DAYS = 30
    token = unsubscribe_token(alice.pk, "digest")
    url = reverse("notifications:unsubscribe", args=[token])
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400 and "已过期" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=alice).exists()


def test_links_of_deleted_and_deactivated_users_fail_politely(client, alice, bob):
    gone = reverse("notifications:unsubscribe", args=[unsubscribe_token(bob.pk, "all")])
    bob.delete()
    for response in (client.get(gone), client.post(gone)):
        assert response.status_code == 400 and "无效" in response.content.decode()
    alice.is_active = False
    alice.save()
    idle = reverse("notifications:unsubscribe", args=[unsubscribe_token(alice.pk, "all")])
    for response in (client.get(idle), client.post(idle)):
        assert response.status_code == 200 and "已停用" in response.content.decode()
    assert not NotificationPreference.objects.exists()


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(
    payload=st.one_of(
        st.text(max_size=40),
        st.dictionaries(st.sampled_from(["u", "w", "x"]), st.one_of(st.integers(), st.text(max_size=5), st.none())),
        st.lists(st.integers(), max_size=3),
    ),
    signed=st.booleans(),
)
def test_any_token_is_a_polite_page_never_a_crash(payload, signed):
    """Forged, truncated or oddly shaped tokens (signed with our salt or not): 400 or the page, never a 500."""
    from django.core import signing
    from django.test import Client

    token = signing.dumps(payload, salt="notifications.unsubscribe") if signed else str(payload)
    url = f"/notifications/unsubscribe/{quote(token, safe='') or 'x'}/"
    client = Client()
    for response in (client.get(url), client.post(url)):
        assert response.status_code in {200, 400, 404}
        if response.status_code == 400:
            assert "无效" in response.content.decode()


def test_a_forged_token_is_refused(client, alice):
    token = unsubscribe_token(alice.pk, "digest")
    response = client.post(reverse("notifications:unsubscribe", args=[token[:-3] + "abc"]))
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=alice).exists()


@pytest.fixture
def logged(make_target, alice, frozen):
    make_target(milestones=[("节点", date(2023, 10, 11))])
    with frozen(date(2023, 10, 11), 8, 30):
        reminders_sweep(on=date(2023, 10, 11))
    Notification.objects.update(status="retrying", last_error="SMTPDataError: (451, '4.3.0 try again later')")


def test_log_page_for_supervisors_and_administrators(client, logged, sam, ada):
    for user in (sam, ada):
        client.force_login(user)
        page = client.get(reverse("notifications:log"))
        body = page.content.decode()
        assert page.status_code == 200
        assert "alice@example.org" in body and "发送失败，等待重试" in body and "451" in body


def test_log_page_is_closed_to_staff_and_empty_for_outsiders(client, logged, alice, olga):
    client.force_login(alice)
    assert client.get(reverse("notifications:log")).status_code == 403
    client.force_login(olga)
    page = client.get(reverse("notifications:log"))
    assert page.status_code == 200 and "alice@example.org" not in page.content.decode()


def test_log_page_filters_by_status(client, logged, sam):
    client.force_login(sam)
    assert "alice@example.org" not in client.get(reverse("notifications:log"), {"status": "sent"}).content.decode()
    assert "alice@example.org" in client.get(reverse("notifications:log"), {"status": "retrying"}).content.decode()


def test_log_shows_only_notifications_about_the_readers_organisations(client, org, other_org, sam, olga, frozen):
    """Organisation scope: a person in two towns gets reminders about both and digests about both; each town's
    log shows only the reminders about itself, and neither shows the digest that covers both (superusers do)."""
    from django.contrib.auth import get_user_model

    from targets.models import Membership, Target

    both = get_user_model().objects.create_user(username="both", email="both@example.org", password="pw-both")
    departments = {}
    for town in (org, other_org):
        departments[town] = town.departments.create(name=f"{town.name}经发办")
        Membership.objects.create(user=both, organisation=town, department=departments[town], role="staff")
        target = Target.objects.create(
            title=f"{town.name}秘密项目",
            organisation=town,
            lead_department=departments[town],
            plan_year=2023,
            kind="deliverable",
            due_date=date(2023, 12, 31),
        )
        target.milestones.create(title="节点", due_date=date(2023, 10, 11))
    with frozen(date(2023, 10, 9), 9, 30):
        reminders_sweep(on=date(2023, 10, 11))
        digests_sweep(on=date(2023, 10, 9))
    rows = Notification.objects.filter(recipient=both)
    # One reminders message a day per town (each town's log shows its own).
    assert {r.organisation_id for r in rows if r.kind == "reminders"} == {org.pk, other_org.pk}
    assert [r.organisation_id for r in rows if r.kind == "weekly"] == [None]

    superuser = get_user_model().objects.create_superuser(username="root", email="root@example.org", password="pw")
    for reader, own, foreign in ((sam, org, other_org), (olga, other_org, org), (superuser, None, None)):
        client.force_login(reader)
        body = client.get(reverse("notifications:log")).content.decode()
        if own is None:
            assert body.count("both@example.org") == rows.count()
            continue
        assert f"{own.name}秘密项目" in body and f"{foreign.name}秘密项目" not in body
        assert body.count("both@example.org") == 1  # the reminder about its own town; not the digest
