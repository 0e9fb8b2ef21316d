"""The embedded default of `make run`: no Redis, no SMTP. A worker with embedded beat on the filesystem broker
delivers a reminder written by the file email backend. Needs no service, so it always runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import test_celery_smtp as harness
from test_celery_smtp import Workers, wait_for

pytestmark = [pytest.mark.integration]

town, worker_db = harness.town, harness.worker_db


def test_filesystem_broker_and_file_email_deliver_without_any_server(town, worker_db, tmp_path):
    outbox = tmp_path / "mail"
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "EMAIL_URL", "EMAIL_BACKEND"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=worker_db.url,
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),  # not the developer's var/ queue
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
        SITE_URL="http://127.0.0.1:8000",
        NOTIFICATIONS_SCHEDULE_SWEEPS="false",
        LOG_LEVEL="INFO",
    )
    worker_db.hand_over()
    workers = Workers(env, tmp_path)
    try:
        workers.start(beat=True, concurrency=1)
        queued = workers.manage("run_reminders", "--today", "2023-10-09", "--enqueue")
        assert queued.returncode == 0, queued.stderr
        # One message per person and day: alice (due + overdue in one), bob (overdue), sam (escalation).
        assert "已交给 worker 3 封" in queued.stdout

        def written() -> list[Path]:
            return sorted(outbox.glob("*.log")) if outbox.exists() else []

        wait_for(lambda: sum(p.read_text().count("\nTo: ") for p in written()) >= 3, 60, "3 emails on disk", workers)
        # The file is written before the row is marked sent: wait for the UPDATE before stopping the worker.
        sent = "SELECT status, COUNT(*) FROM notifications_notification GROUP BY status"
        wait_for(lambda: worker_db.rows(sent) == [("sent", 3)], 30, "3 rows marked sent", workers)
    finally:
        workers.stop_all()
    text = "".join(p.read_text() for p in written())
    assert text.count("X-Duban-Notification: ") == 3
    assert "To: alice@example.org" in text and "To: sam@example.org" in text
    assert worker_db.rows("SELECT status, COUNT(*) FROM notifications_notification GROUP BY status") == [("sent", 3)]
