"""Every page, every browsable API page, every admin page and every email escapes user text.

The hostile world (hostile_world.py) puts an HTML payload in every text a user can write. Each page is
fetched by each persona, parsed, and must contain no payload as markup: no injected tag, no injected
attribute. Across all pages each payload must show up escaped at least once, so a field that no page
renders cannot pass the test unseen. Query parameters are reflected in links: they get a payload too.
"""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.security import hostile_world
from tests.security.hostile_world import Payload, at
from tests.security.site_map import (
    API_PAGES,
    API_POSTS,
    DOWNLOADS,
    MORE_PAGES,
    PAGE_POSTS,
    PAGES,
    SESSION_PAGES,
    url_names,
)

pytestmark = pytest.mark.django_db

REFLECTED = Payload("reflected")
QUERY_PARAMETERS = ["health", "department", "lifecycle", "plan_year", "group", "page", "status", "kind"]
QUERY_PARAMETERS += ["verdict", "corrects", "next", "q", "o"]


@pytest.fixture
def world(org, dept_econ, dept_housing, alice, bob, sam, ada, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return hostile_world.build(
        org=org, dept_econ=dept_econ, dept_housing=dept_housing, alice=alice, bob=bob, sam=sam, ada=ada
    )


class _Markup(HTMLParser):
    """Collects what the parser sees as markup: tag names and attribute names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)


def assert_escaped(html: str, payloads: list[Payload], where: str) -> set[str]:
    """No payload is markup in `html`; returns the tags of the payloads shown escaped."""
    markup = _Markup()
    markup.feed(html)
    injected_attributes = [a for a in markup.attributes if a.startswith("data-leak-") or a == "onerror"]
    assert not injected_attributes, f"{where}: injected attributes {injected_attributes}"
    assert "q" not in markup.tags, f"{where}: an injected <q> tag"
    assert "<img src=x onerror" not in html, f"{where}: an injected <img> tag"
    leaks = [p.tag for p in payloads if p.raw in html]
    assert not leaks, f"{where}: raw payloads {leaks}"
    return {p.tag for p in payloads if p.escaped in html}


def _html(response) -> str:
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    return response.content.decode()


def test_every_url_is_in_the_site_map():
    listed = set(PAGES) | set(API_PAGES) | set(DOWNLOADS) | set(PAGE_POSTS) | set(API_POSTS) | set(SESSION_PAGES)
    assert sorted(set(url_names()) - listed) == []


def test_pages_api_and_admin_escape_every_user_text(world):
    payloads = [*world.payloads.values(), REFLECTED]
    seen: set[str] = set()
    reflect = {name: REFLECTED.text for name in QUERY_PARAMETERS}
    personas = ["ada", "sam", "alice", "bob"]
    pages = [*PAGES.items(), *MORE_PAGES]
    for name, kwargs in pages:
        url = reverse(name, kwargs=kwargs(world))
        allowed = 0
        for persona in personas:
            client = Client()
            client.force_login(world.objects[persona])
            for query in ({}, reflect) if persona == "ada" else ({},):
                response = client.get(url, query)
                if response.status_code in (403, 404):
                    continue
                if query and response.status_code == 400:  # a payload where a whole number belongs: the 400 page
                    assert_escaped(_html(response), payloads, f"{persona} GET {url} (400)")
                    continue
                assert response.status_code == 200, f"{persona} GET {url}: {response.status_code}"
                allowed += 1
                seen |= assert_escaped(_html(response), payloads, f"{persona} GET {url}")
        assert allowed, f"nobody could open {url}"

    client = Client()
    client.force_login(world.objects["ada"])
    for name, kwargs in API_PAGES.items():
        url = reverse(name, kwargs=kwargs(world))
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, f"GET {url} as HTML: {response.status_code}"
        seen |= assert_escaped(_html(response), payloads, f"browsable API {url}")

    # A wrong login echoes the username back into the form.
    response = Client().post(reverse("login"), {"username": world.p("loginname"), "password": "x"})
    seen |= assert_escaped(_html(response), [*payloads, world.payloads["loginname"]], "login echo")

    seen |= _admin_pages(world, payloads)
    never_shown = sorted(set(world.payloads) - seen)
    assert never_shown == [], f"payloads no page showed (escaped or not): {never_shown}"


def _admin_pages(world, payloads) -> set[str]:
    client = Client()
    client.force_login(world.objects["superuser"])
    seen: set[str] = set()
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        response = client.get(changelist)
        assert response.status_code == 200, f"admin {changelist}: {response.status_code}"
        seen |= assert_escaped(_html(response), payloads, f"admin {changelist}")
        for obj in model_admin.get_queryset(response.wsgi_request)[:6]:
            change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            response = client.get(change)
            assert response.status_code == 200, f"admin {change}: {response.status_code}"
            seen |= assert_escaped(_html(response), payloads, f"admin {change}")
    return seen


def test_every_email_escapes_user_text(world):
    from notifications.emails import email_for
    from notifications.models import Notification, NotificationItem
    from notifications.services import digests_sweep, reminders_sweep
    from targets.services import target_comment

    # This week's history, which the weekly digest lists with what was said.
    target_comment(
        target=world.objects["target"], acting_user=world.objects["bob"], text=world.p("weeknote"), at=at(2023, 7, 5)
    )
    payloads = list(world.payloads.values())
    day = date(2023, 6, 19)
    while day <= date(2023, 7, 21):  # before, on and after the 30 June milestone; four weekly digests
        with time_machine.travel(at(day.year, day.month, day.day, 9), tick=False):
            reminders_sweep(on=day)
            digests_sweep(on=day)
        day += timedelta(days=1)
    seen: set[str] = set()
    kinds: set[str] = set()
    for notification in Notification.objects.exclude(key="security:log"):
        message = email_for(notification)
        kinds.add(notification.kind)
        html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
        seen |= assert_escaped(html, payloads, f"{notification.kind} email to {notification.email}")
        assert "\n" not in message.subject and "\r" not in message.subject
    assert kinds >= {"reminders", "escalation", "weekly"}  # one message per person and day
    items = set(NotificationItem.objects.values_list("kind", flat=True))
    assert items >= {"before", "due", "overdue", "escalation"}
    # What reminders and digests carry: names, titles, milestones, departments, the history's notes.
    for tag in ("orgname", "deptname", "title", "milestone", "weeknote", "alicefirst"):
        assert tag in seen, f"no email showed {tag}: {sorted(seen)}"


def test_refusals_that_echo_a_file_name_escape_it(world):
    """An evidence refusal quotes the file's name back in its message; a refused report shows the form again."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad_evidence, bad_report = world.p("badevidence"), world.p("badreport")
    client = Client()
    client.force_login(world.objects["ada"])
    target = world.objects["third"]
    response = client.post(
        reverse("target-comment", kwargs={"pk": target.pk}),
        {"text": "附件", "files": [SimpleUploadedFile(bad_evidence + ".png", b"MZ not a png")]},
        follow=True,
    )
    assert world.payloads["badevidence"].tag in assert_escaped(
        _html(response), list(world.payloads.values()), "evidence refusal"
    )
    response = client.post(
        reverse("reports:list"),
        {"organisation": target.organisation_id, "file": SimpleUploadedFile(bad_report + ".exe", b"MZ")},
    )
    assert response.status_code == 400
    assert_escaped(_html(response), list(world.payloads.values()), "report refusal")  # names the type, not the file
