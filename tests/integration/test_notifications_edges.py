"""Mail exactly once at the edges, with a real worker (`celery -A config worker -B`), a real SMTP server and the
harness of test_celery_smtp:

- an SMTP server that stores the message and answers "250" only after the client's final-reply timeout: the
  outcome is unknown, recorded as such, and the message is sent once more with the same Message-ID (never more);
  with the final-reply timeout longer than the stall, as RFC 5321's 10 minutes is in production, exactly once;
- a database that drops every connection of the worker while the SMTP server holds the message (between the
  "250" and the UPDATE that marks the row sent): each message exactly once (PostgreSQL);
- Redis going away (a private redis-server, killed): enqueueing a day's reminders fails fast and leaves the rows
  to the redelivery sweep; when Redis is back the worker sends each message exactly once.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import date

import pytest
import test_celery_smtp as harness
from test_celery_smtp import (
    EXPECTED,
    EXPECTED_TOTAL,
    ROOT,
    TODAY,
    WORKER_APPLICATION_NAME,
    Workers,
    assert_each_once,
    schedule_sweeps,
    wait_for,
)

from tests.conftest import require_service
from tests.integration.servers import PrivateRedis

pytestmark = [pytest.mark.integration]

broker, town, worker_db, workers = harness.broker, harness.town, harness.worker_db, harness.workers


class LateInbox(harness.Inbox):
    """Stores each message as soon as its data is complete (the server has taken responsibility), then answers
    after `stall` seconds the first time it sees a Message-ID; `on_data(message)` runs before the answer."""

    def __init__(self) -> None:
        super().__init__()
        self.stall = 0.0
        self.on_data = None
        self.seen: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):
        import email
        from email.policy import default as default_policy

        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
            self.seen[message["Message-ID"]] += 1
            first = self.seen[message["Message-ID"]] == 1
        if self.on_data is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_data, message)
        if self.stall and first:
            await asyncio.sleep(self.stall)
        return "250 OK"


@pytest.fixture
def smtp():
    """aiosmtpd on a free port with the late-answering handler (the harness's `workers` reads its port)."""
    from aiosmtpd.controller import Controller

    handler = LateInbox()
    handler.port = free_port_any()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def free_port_any() -> int:
    with socket.socket() as probe:  # aiosmtpd's start-up self-test cannot use port 0
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def statuses(worker_db) -> list[tuple]:
    return worker_db.rows(
        "SELECT status, unknown_outcomes, COUNT(*) FROM notifications_notification GROUP BY 1, 2 ORDER BY 1, 2"
    )


def test_a_250_after_the_clients_timeout_is_sent_once_more_with_the_same_message_id(town, workers, worker_db, smtp):
    smtp.stall = 3.0
    workers.env["NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT"] = "1"
    schedule_sweeps()
    worker_db.hand_over()
    workers.start(beat=True)
    wait_for(
        lambda: statuses(worker_db) == [("sent", 1, EXPECTED_TOTAL)], 120, "every row sent after one resend", workers
    )
    time.sleep(4)  # beat keeps firing the sweeps and the redelivery: nothing more may arrive
    # Each message twice (the server had the first copy), both with the same Message-ID, never a third time.
    assert set(smtp.seen.values()) == {2} and len(smtp.seen) == EXPECTED_TOTAL
    assert {m["X-Envelope-To"] for m in smtp.messages} == set(EXPECTED)
    assert statuses(worker_db) == [("sent", 1, EXPECTED_TOTAL)]


def test_the_final_reply_gets_its_time_and_a_slow_250_arrives_once(town, workers, worker_db, smtp):
    smtp.stall = 3.0  # slower than EMAIL_TIMEOUT below, well within the final-reply timeout
    workers.env.update(NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT="20", EMAIL_TIMEOUT="2", NOTIFICATIONS_CLAIM_TIMEOUT="60")
    schedule_sweeps()
    worker_db.hand_over()
    workers.start(beat=True)
    wait_for(lambda: statuses(worker_db) == [("sent", 0, EXPECTED_TOTAL)], 120, "every row sent", workers)
    time.sleep(4)
    assert_each_once(smtp)


def test_the_database_dropping_the_connection_mid_send_costs_no_copy(require_postgres, town, workers, worker_db, smtp):
    """Between the server taking the message and the UPDATE that records it, every database connection of the
    worker is terminated (pg_terminate_backend): the worker reconnects, records "sent", sends nothing twice.
    Only the worker's (named) connections are cut: the test process's own and any other session live on."""
    import psycopg

    terminated: list[int] = []

    def drop_connections(_message) -> None:
        with psycopg.connect(worker_db.url, autocommit=True, application_name="smtp-fault") as admin:
            rows = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = %s",
                [WORKER_APPLICATION_NAME],
            ).fetchall()
        terminated.append(sum(1 for (done,) in rows if done))

    smtp.on_data = drop_connections
    schedule_sweeps()
    worker_db.hand_over()
    workers.start(beat=True)
    wait_for(lambda: smtp.count() >= EXPECTED_TOTAL, 120, f"{EXPECTED_TOTAL} messages", workers)
    wait_for(lambda: statuses(worker_db) == [("sent", 0, EXPECTED_TOTAL)], 60, "every row recorded sent", workers)
    time.sleep(4)
    assert_each_once(smtp)
    assert sum(terminated) >= EXPECTED_TOTAL  # at least the sender's own connection, every time
    # The sender did meet the dropped connection and reconnected (the whole logs: output() keeps head and tail).
    assert "database unavailable" in "".join(log.read_text(errors="replace") for log in workers.logs.glob("*.log"))


@pytest.fixture
def crowd(org, dept_econ):
    """120 staff of one department and a milestone due on TODAY: 120 reminders on the day."""
    from django.contrib.auth import get_user_model

    from targets.models import Membership, Target

    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"s{i:03d}", email=f"s{i:03d}@example.org") for i in range(120))
    Membership.objects.bulk_create(
        Membership(user=u, organisation=org, department=dept_econ, role="staff") for u in users
    )
    target = Target.objects.create(
        organisation=org, lead_department=dept_econ, title="道路改造", plan_year=2023, due_date=date(2023, 12, 31)
    )
    target.milestones.create(title="开工", due_date=date.fromisoformat(TODAY))
    return {u.email for u in users}


def test_redis_going_away_fails_fast_and_the_sweep_delivers_once_it_is_back(crowd, worker_db, smtp, tmp_path, workers):
    require_service(shutil.which("redis-server") is not None, "redis-server")
    redis = PrivateRedis(tmp_path).start()
    pool = Workers({**workers.env, "REDIS_URL": redis.url}, tmp_path)
    try:
        worker_db.hand_over()
        pool.start(beat=True)
        time.sleep(3)  # the worker is up and consuming
        redis.kill()  # Redis goes away under a running worker and beat
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "manage.py", "run_reminders", "--today", TODAY, "--enqueue"],
            cwd=ROOT,
            env=pool.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        elapsed = time.monotonic() - started
        assert run.returncode == 0, run.stderr
        # 120 recorded rows, none queued, in about the time Django takes to start (before: ~6 s per message).
        assert elapsed < 15, elapsed
        assert worker_db.rows("SELECT status, COUNT(*) FROM notifications_notification GROUP BY 1") == [
            ("pending", len(crowd))
        ]
        assert smtp.count() == 0
        redis.start()  # back, empty: nothing of the lost queue survives, the rows do
        wait_for(lambda: smtp.count() >= len(crowd), 120, "every reminder after Redis came back", pool)
        time.sleep(4)
        received = Counter(m["X-Envelope-To"] for m in smtp.messages)
        assert set(received) == crowd and set(received.values()) == {1}
        assert worker_db.rows("SELECT status, COUNT(*) FROM notifications_notification GROUP BY 1") == [
            ("sent", len(crowd))
        ]
    finally:
        pool.stop_all()
        redis.kill()
