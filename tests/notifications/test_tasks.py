"""Celery tasks run in-process (eager): they take ISO dates or ids and call the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from config.celery import app
from notifications import tasks
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_sweep_tasks_record_and_send_once(eager, make_target, alice, sam, frozen):
    make_target(milestones=[("节点", date(2023, 10, 11))])
    with frozen(date(2023, 10, 9), 9, 0):
        assert tasks.send_digests.delay().get() == 2  # alice and sam, weekly (Monday 9 October 2023)
        assert tasks.send_digests.delay(today="2023-10-09").get() == 0
    assert tasks.run_reminders.delay(today="2023-10-11").get() == 1
    assert tasks.run_reminders.delay(today="2023-10-11").get() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "alice@example.org", "sam@example.org"]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_deliver_pending_picks_up_rows_whose_send_was_never_queued(eager, make_target, alice, settings):
    from notifications.services import reminders_sweep

    settings.NOTIFICATIONS_REDELIVER_AFTER = 0
    make_target(milestones=[("节点", date(2023, 10, 11))])
    reminders_sweep(on=date(2023, 10, 11))  # recorded, then the broker was unreachable: nothing queued
    assert tasks.deliver_pending.delay().get() == 1
    assert Notification.objects.get().status == "sent" and len(mail.outbox) == 1
    assert tasks.deliver_pending.delay().get() == 0


def test_tasks_are_declared_for_late_acks_and_json():
    for task in (
        tasks.run_reminders,
        tasks.send_digests,
        tasks.send_bulletins,
        tasks.deliver_pending,
        tasks.send_notification,
    ):
        assert task.acks_late is True
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {
        "notifications.tasks.run_reminders",
        "notifications.tasks.send_digests",
        "notifications.tasks.send_bulletins",
        "notifications.tasks.deliver_pending",
    }
