"""Reminders and digests end to end: a real Celery worker with embedded beat on the real Redis, a real SMTP server.

The worker is a separate process (`celery -A config worker -B`) reading the
test database: on PostgreSQL (CI) the very database pytest-django created; on
SQLite the in-memory test database is copied to a file the worker opens.
Beat is driven through django-celery-beat rows (interval tasks with a fixed
`today`), exactly as an administrator would add them in the admin. The SMTP
server is aiosmtpd on a free port, started by the test. Each test is bounded
by timeouts, and fixture teardown kills the worker's whole process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from tests.conftest import require_service

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_DB = 13  # dedicated to these tests: flushed before and after, nothing else touched
SITE = "https://duban.test"
TODAY = "2023-10-09"  # Monday, first working day after the National Day make-up weekend


# --- SMTP ----------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: keeps every accepted message; can refuse (451) for a while or answer slowly."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refused = 0
        self.refuse_until = 0.0
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if time.monotonic() < self.refuse_until:
            self.refused += 1
            return "451 4.3.0 Try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        if server.transport is None or server.transport.is_closing():
            # The client died before it could hear "250": per SMTP the message was not accepted.
            return "421 4.4.2 Connection lost"
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["X-Envelope-To"] == address]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's start-up self-test cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


# --- Redis -----------------------------------------------------------------------


@pytest.fixture
def broker(redis_url):
    """A Redis URL on the dedicated DB number, flushed before and after the test."""
    import redis

    parts = urlsplit(redis_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


# --- the database the worker shares -------------------------------------------------------


WORKER_APPLICATION_NAME = "duban-test-worker"


class WorkerDatabase:
    """The test database as the worker sees it: a URL, a way to hand it over, and raw reads."""

    def __init__(self, tmp_path: Path) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.file = tmp_path / "worker.sqlite3"
        settings = connection.settings_dict
        if self.vendor == "postgresql":
            user = quote(settings["USER"] or "", safe="")
            password = f":{quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
            host = settings["HOST"] or "127.0.0.1"
            port = f":{settings['PORT']}" if settings.get("PORT") else ""
            self.url = f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"
            # The worker's connections carry a name, so a fault test can cut exactly those and no other session's.
            self.worker_url = f"{self.url}?application_name={WORKER_APPLICATION_NAME}"
        elif self.vendor == "sqlite":
            self.url = self.worker_url = f"sqlite:///{self.file}"
        else:
            require_service(False, f"a worker database for {self.vendor}")

    def hand_over(self) -> None:
        """SQLite: copy the in-memory test database to the file the worker opens (PostgreSQL shares it as is)."""
        if self.vendor != "sqlite":
            return
        self.connection.ensure_connection()
        self.file.unlink(missing_ok=True)
        target = sqlite3.connect(self.file)
        self.connection.connection.backup(target)
        target.close()

    def rows(self, sql: str) -> list[tuple]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.file, timeout=20) as db:
                return db.execute(sql).fetchall()
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()


@pytest.fixture
def worker_db(transactional_db, tmp_path):
    return WorkerDatabase(tmp_path)


# --- the worker ------------------------------------------------------------------------


class Workers:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.processes: list[subprocess.Popen] = []

    def start(self, *, beat: bool = True, concurrency: int = 2) -> subprocess.Popen:
        name = f"w{len(self.processes)}"
        command = [CELERY, "-A", "config", "worker", "--loglevel=INFO", "-c", str(concurrency), "-n", f"{name}@%h"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            command.append("-B")
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process.log = log
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """Signal the worker's whole process group (the pool children and beat with it)."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        process.log.close()

    def stop_all(self) -> None:
        for process in self.processes:
            self.kill(process, signal.SIGTERM)

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )

    def output(self) -> str:
        texts = (p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))
        return "\n".join(f"{text[:3000]}\n…\n{text[-2000:]}" for text in texts)


@pytest.fixture
def workers(worker_db, broker, smtp, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": worker_db.worker_url,
        "REDIS_URL": broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "SITE_URL": SITE,
        "NOTIFICATIONS_SCHEDULE_SWEEPS": "false",  # beat runs only the sweeps the test schedules
        "NOTIFICATIONS_DELIVER_EVERY": "1",
        "NOTIFICATIONS_REDELIVER_AFTER": "2",
        "NOTIFICATIONS_CLAIM_TIMEOUT": "5",
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
        "NOTIFICATIONS_RETRY_MAX_SECONDS": "4",
        "LOG_LEVEL": "INFO",
    }
    env.pop("EMAIL_BACKEND", None)
    pool = Workers(env, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def schedule_sweeps(today: str = TODAY, every: int = 2) -> None:
    """What an administrator would add in django-celery-beat's admin: both sweeps every few seconds for `today`."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
    for task in ("run_reminders", "send_digests"):
        PeriodicTask.objects.create(
            name=f"测试：{task}",
            task=f"notifications.tasks.{task}",
            interval=interval,
            kwargs=json.dumps({"today": today}),
        )


def wait_for(condition, timeout: float, what: str, workers: Workers | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    logs = workers.output() if workers else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{logs}")


# --- data ---------------------------------------------------------------------------


@pytest.fixture
def town(org, dept_econ, dept_housing, alice, bob, sam):
    """Reminders due on 9 October 2023: one on the day, one overdue, one escalated; three weekly digests."""
    from targets.models import Target
    from targets.services import refresh_health_basis

    def target(title, department, milestone_due):
        t = Target.objects.create(
            organisation=org,
            lead_department=department,
            title=title,
            plan_year=2023,
            due_date=date(2023, 12, 31),
            kind="deliverable",
        )
        t.milestones.create(title="节点", due_date=milestone_due)
        refresh_health_basis([t.pk])  # rows written around the services: their health dates, explicitly
        return t

    return {
        "due": target("道路改造工程开工", dept_econ, date(2023, 10, 9)),
        "overdue": target("招商引资项目签约", dept_econ, date(2023, 9, 25)),
        "escalated": target("保障性住房交付", dept_housing, date(2023, 9, 12)),
    }


EXPECTED = {  # recipient -> kinds (one reminders message per person and day, listing every item)
    "alice@example.org": {"reminders", "weekly"},
    "bob@example.org": {"reminders", "weekly"},
    "sam@example.org": {"escalation", "weekly"},
}
EXPECTED_TOTAL = sum(len(kinds) for kinds in EXPECTED.values())


def kinds_by_recipient(inbox: Inbox) -> dict[str, Counter]:
    found: dict[str, Counter] = {}
    for message in inbox.messages:
        kind = message["X-Duban-Notification"].split(":")[0]
        found.setdefault(message["X-Envelope-To"], Counter())[kind] += 1
    return found


def assert_each_once(inbox: Inbox) -> None:
    found = kinds_by_recipient(inbox)
    assert {to: set(kinds) for to, kinds in found.items()} == EXPECTED
    assert all(n == 1 for kinds in found.values() for n in kinds.values()), found
    assert len({m["Message-ID"] for m in inbox.messages}) == len(inbox.messages)


def subject(message) -> str:
    # Long encoded subjects are folded; unfolding leaves the leading blank of the continuation line.
    return str(message["Subject"]).strip()


def body(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


# --- tests ------------------------------------------------------------------------------


def test_worker_and_beat_send_reminders_and_digests_over_smtp(town, workers, worker_db, smtp):
    schedule_sweeps()
    worker_db.hand_over()
    workers.start(beat=True)
    wait_for(lambda: smtp.count() >= EXPECTED_TOTAL, 90, f"{EXPECTED_TOTAL} messages", workers)
    time.sleep(6)  # beat fires both sweeps every 2 s meanwhile: nothing more may arrive
    assert_each_once(smtp)

    (due,) = [m for m in smtp.to("alice@example.org") if m["X-Duban-Notification"].startswith("reminders:")]
    assert subject(due) == "【督办提醒】2023年10月9日您有 2 项任务需要关注：已逾期 1 项，今天到期 1 项"
    plain = body(due, "plain")
    assert "【今天到期】道路改造工程开工" in plain and "【已逾期 14 天】招商引资项目签约" in plain
    assert due["From"] and "duban.test" in due["Message-ID"]
    text, html = body(due, "plain"), body(due, "html")
    link = f"{SITE}/targets/{town['due'].pk}/"
    assert link in text and f'href="{link}"' in html
    assert f"{SITE}/notifications/unsubscribe/" in text and f"{SITE}/notifications/unsubscribe/" in html
    assert str(due["List-Unsubscribe"]).strip().startswith(f"<{SITE}/notifications/unsubscribe/")

    (escalation,) = [m for m in smtp.to("sam@example.org") if subject(m).startswith("【逾期上报】")]
    assert subject(escalation) == "【逾期上报】房管办「保障性住房交付」已逾期 27 天"
    assert f"{SITE}/targets/{town['escalated'].pk}/" in body(escalation, "plain")

    (digest,) = [m for m in smtp.to("alice@example.org") if subject(m).startswith("【督办周报】")]
    assert subject(digest) == "【督办周报】1 项逾期，1 项本周到期"
    assert "招商引资项目签约" in body(digest, "plain") and "道路改造工程开工" in body(digest, "html")
    assert f'href="{SITE}/notifications/preferences/"' in body(digest, "html")
    (sam_digest,) = [m for m in smtp.to("sam@example.org") if subject(m).startswith("【督办周报】")]
    assert subject(sam_digest) == "【督办周报】测试镇 2 项逾期，0 项有风险"
    assert "房管办：逾期 1" in body(sam_digest, "plain")

    statuses = worker_db.rows("SELECT status, COUNT(*) FROM notifications_notification GROUP BY status")
    assert statuses == [("sent", EXPECTED_TOTAL)]


def test_two_workers_and_the_command_run_twice_send_each_message_once(town, workers, worker_db, smtp):
    schedule_sweeps(every=1)
    worker_db.hand_over()
    workers.start(beat=True)
    workers.start(beat=False)
    # An operator runs the same sweep by hand, twice, while beat and both workers are at it.
    runs = [workers.manage("run_reminders", "--today", TODAY) for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), [r.stderr for r in runs]
    runs.append(workers.manage("send_digests", "--today", TODAY))
    assert runs[-1].returncode == 0, runs[-1].stderr
    wait_for(lambda: smtp.count() >= EXPECTED_TOTAL, 90, f"{EXPECTED_TOTAL} messages", workers)
    time.sleep(6)
    assert_each_once(smtp)
    assert worker_db.rows("SELECT COUNT(*) FROM notifications_notification") == [(EXPECTED_TOTAL,)]
