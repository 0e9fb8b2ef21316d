"""Delivery: atomic claims, SMTP failures retried with backoff and kept in the log, abandoned claims, opt-outs."""

from __future__ import annotations

import smtplib
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from notifications import services
from notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db

REFUSALS = {"left": 0}


class RefusingBackend(LocmemBackend):
    """An SMTP server that says 451 while REFUSALS["left"] > 0 (the test sets how long)."""

    def send_messages(self, messages):
        if REFUSALS["left"] > 0:
            REFUSALS["left"] -= 1
            raise smtplib.SMTPDataError(451, b"4.3.0 try again later")
        return super().send_messages(messages)


@pytest.fixture
def recorded(make_target, alice, frozen):
    make_target(milestones=[("节点", date(2023, 10, 11))])
    with frozen(date(2023, 10, 11), 8, 30):
        (notification_id,) = services.reminders_sweep(on=date(2023, 10, 11)).created_ids
    return Notification.objects.get(pk=notification_id)


def test_the_row_exists_before_sending_and_only_one_claim_wins(recorded):
    # One message per person and day, carrying the milestone's own key as an item.
    assert recorded.status == "pending" and recorded.key.startswith(f"reminders:{recorded.recipient_id}:day:org")
    assert [i.key.split(":")[0] for i in recorded.items.all()] == ["due"]
    first = services.notification_claim(notification_id=recorded.pk)
    second = services.notification_claim(notification_id=recorded.pk)
    assert first is not None and second is None
    assert services.notification_deliver(notification_id=recorded.pk) == "skipped"  # claimed by "another worker"
    assert mail.outbox == []


def test_smtp_refusal_is_retried_with_exponential_backoff_until_sent(recorded, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    REFUSALS["left"] = 3
    delays = []
    for _attempt in range(3):
        with pytest.raises(services.DeliveryFailed) as failure:
            services.notification_deliver(notification_id=recorded.pk)
        delays.append(failure.value.retry_in)
        row = Notification.objects.get(pk=recorded.pk)
        assert row.status == "retrying" and "451" in row.last_error  # visible in the log while it waits
        assert services.notification_deliver(notification_id=recorded.pk) == "skipped"  # not before its time
        # Time passes: the row becomes due again.
        Notification.objects.filter(pk=recorded.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert delays == [60.0, 120.0, 240.0]
    assert services.notification_deliver(notification_id=recorded.pk) == "sent"
    row = Notification.objects.get(pk=recorded.pk)
    assert row.status == "sent" and row.attempts == 4 and row.sent_at and row.last_error == ""
    assert len(mail.outbox) == 1
    assert services.notification_deliver(notification_id=recorded.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_backoff_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
    assert [services.retry_delay(n) for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


def test_a_dead_workers_claim_is_taken_over_after_the_timeout(recorded, settings):
    settings.NOTIFICATIONS_CLAIM_TIMEOUT = 600
    settings.NOTIFICATIONS_REDELIVER_AFTER = 120
    claimed = services.notification_claim(notification_id=recorded.pk)
    assert services.notifications_waiting(now=claimed + timedelta(seconds=599)) == []
    later = claimed + timedelta(seconds=601)
    assert services.notifications_waiting(now=later) == [recorded.pk]
    assert services.notification_claim(notification_id=recorded.pk, now=later) == later


def test_pending_rows_nobody_sends_are_found_again_after_a_grace_period(recorded, settings):
    settings.NOTIFICATIONS_REDELIVER_AFTER = 120
    created = recorded.next_attempt_at
    assert services.notifications_waiting(now=created + timedelta(seconds=60)) == []
    assert services.notifications_waiting(now=created + timedelta(seconds=121)) == [recorded.pk]


def test_unsubscribed_after_recording_is_cancelled_not_sent(recorded, alice):
    NotificationPreference.objects.create(user=alice, reminders=False)
    assert services.notification_deliver(notification_id=recorded.pk) == "cancelled"
    assert Notification.objects.get(pk=recorded.pk).status == "cancelled" and mail.outbox == []


def test_recording_the_same_plan_again_creates_nothing(make_target, alice):
    from notifications.reminders import reminders_due

    make_target(milestones=[("节点", date(2023, 10, 11))])
    planned = reminders_due(on=date(2023, 10, 11))
    assert len(services.notifications_record(planned=planned)) == 1
    assert services.notifications_record(planned=planned) == []
    assert Notification.objects.count() == 1
