"""Faults, with the real worker, Redis and SMTP of test_celery_smtp: SMTP refusing for a while, a worker killed
with SIGKILL in the middle of a digest run, and Redis unreachable while staff report progress."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest
import test_celery_smtp as harness
from django.urls import reverse
from test_celery_smtp import EXPECTED_TOTAL, assert_each_once, schedule_sweeps, wait_for

pytestmark = [pytest.mark.integration]

# The harness's fixtures, shared by name (a conftest of tests/integration is not ours to write).
broker, smtp, town, worker_db, workers = harness.broker, harness.smtp, harness.town, harness.worker_db, harness.workers


def test_smtp_refusing_for_a_while_is_retried_and_everything_arrives_once(town, workers, worker_db, smtp):
    smtp.refuse_until = time.monotonic() + 8  # "451 try again later" for the first 8 seconds
    schedule_sweeps()
    worker_db.hand_over()
    workers.start(beat=True)
    wait_for(lambda: smtp.refused > 0, 60, "a refused message", workers)
    # While SMTP refuses, the log shows the failures waiting for their retry.
    wait_for(
        lambda: worker_db.rows("SELECT COUNT(*) FROM notifications_notification WHERE status = 'retrying'")[0][0] > 0,
        30,
        "a row in the retrying state",
        workers,
    )
    wait_for(lambda: smtp.count() >= EXPECTED_TOTAL, 90, f"{EXPECTED_TOTAL} messages after the refusals", workers)
    time.sleep(5)
    assert_each_once(smtp)
    rows = worker_db.rows("SELECT status, attempts, last_error FROM notifications_notification")
    assert {status for status, _attempts, _error in rows} == {"sent"}
    assert max(attempts for _status, attempts, _error in rows) > 1
    assert all(error == "" for _status, _attempts, error in rows)


@pytest.fixture
def many_staff(org, dept_econ):
    from django.contrib.auth import get_user_model

    from targets.models import Membership, Target

    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"staff{i:02d}", email=f"staff{i:02d}@example.org") for i in range(30)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=org, department=dept_econ, role="staff") for u in users
    )
    target = Target.objects.create(
        organisation=org, lead_department=dept_econ, title="重点项目建设", plan_year=2023, due_date=date(2023, 12, 31)
    )
    target.milestones.create(title="年底完工", due_date=date(2023, 12, 15))
    return [u.email for u in users]


def test_worker_killed_mid_digest_run_each_digest_once_the_one_in_flight_at_most_twice(
    many_staff, workers, worker_db, smtp
):
    smtp.delay = 0.4  # slow SMTP: the kill lands in the middle of the run
    schedule_sweeps()
    worker_db.hand_over()
    first = workers.start(beat=True, concurrency=1)
    wait_for(lambda: smtp.count() >= 5, 60, "the first digests", workers)
    workers.kill(first)  # SIGKILL to the whole process group: pool child, beat and all
    killed_at = smtp.count()
    assert killed_at < len(many_staff)
    workers.start(beat=True, concurrency=2)
    wait_for(lambda: smtp.count() >= len(many_staff), 120, "every digest after the restart", workers)
    time.sleep(6)
    received = Counter(m["X-Envelope-To"] for m in smtp.messages)
    assert set(received) == set(many_staff)
    # The one message in flight (concurrency 1) may have drawn its "250" just before the kill, before the UPDATE
    # that marks it sent: SMTP leaves no way to ask, so its abandoned claim counts as one unknown outcome and it
    # is sent once more with the same Message-ID (docs/notifications.md, "Exactly once" 4). Every other digest
    # arrives exactly once, and none ever three times.
    twice = [address for address, count in received.items() if count > 1]
    assert len(twice) <= 1 and max(received.values()) <= 2, received
    unknown_outcomes = dict(
        worker_db.rows(
            "SELECT u.email, n.unknown_outcomes FROM notifications_notification n"
            " JOIN auth_user u ON u.id = n.recipient_id"
        )
    )
    for address in twice:
        assert len({m["Message-ID"] for m in smtp.messages if m["X-Envelope-To"] == address}) == 1
        assert unknown_outcomes[address] == 1, unknown_outcomes
    statuses = worker_db.rows("SELECT status, COUNT(*) FROM notifications_notification GROUP BY status")
    assert statuses == [("sent", len(many_staff))]


def _use_broker(app, url: str) -> None:
    app.conf.broker_url = url
    app._after_fork()  # Celery's own reset of its cached connection and producer pools, as after a fork


def test_progress_is_saved_with_redis_down_and_reminders_go_out_once_it_is_back(
    town, workers, worker_db, smtp, client, alice
):
    from kombu.exceptions import OperationalError

    from config.celery import app
    from notifications import tasks
    from targets.models import ProgressUpdate

    # "Redis stopped" for this web process: its broker points at a port nobody listens on.
    saved = app.conf.broker_url
    _use_broker(app, "redis://127.0.0.1:1/0")
    try:
        with pytest.raises(OperationalError):
            tasks.run_reminders.apply_async(retry=False)
        client.force_login(alice)
        target = town["due"]
        started = time.monotonic()
        for percent in (10, 20, 30):
            target.refresh_from_db()
            response = client.post(
                reverse("target-progress", args=[target.pk]),
                {"percent": percent, "note": f"完成{percent}%", "version": target.version},
            )
            assert response.status_code == 302
        assert time.monotonic() - started < 5  # nobody waited on the broker
    finally:
        _use_broker(app, saved)
    assert list(ProgressUpdate.objects.filter(target=target).values_list("percent", flat=True)) == [10, 20, 30]

    # Redis is back: the worker and beat send the day's reminders and digests, each once.
    schedule_sweeps()
    worker_db.hand_over()
    workers.start(beat=True)
    wait_for(lambda: smtp.count() >= EXPECTED_TOTAL, 90, f"{EXPECTED_TOTAL} messages", workers)
    time.sleep(5)
    assert_each_once(smtp)
    assert worker_db.rows("SELECT COUNT(*) FROM targets_progressupdate") == [(3,)]
