"""Sending at the edges, against a real SMTP server on loopback (aiosmtpd): what counts as sent, as failed, and as
unknown (the whole message went out, the answer did not come back), and how often an unknown one is sent again.

The server stores a message as soon as the data is complete, then answers after `stall` seconds: a server that
accepted the message but answers after the client gave up. The client's final-reply timeout is shortened here
(`NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT`); production gives it RFC 5321's 10 minutes.
"""

from __future__ import annotations

import asyncio
import smtplib
import socket
import threading
import time
from datetime import date, timedelta

import pytest
from django.core.mail import EmailMessage

from notifications import services, smtp, tasks
from notifications.models import Notification


class Server:
    """aiosmtpd handler: keeps each message it got; refuses with 451 while `refusing`; answers after `stall` s
    (for the first `stall_times` messages, None: all)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.refusing = False
        self.stall = 0.0
        self.stall_times: int | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            return "451 4.3.0 Try again later"
        with self.lock:
            self.messages.append(envelope.original_content or envelope.content)
            stalls = self.stall_times is None or len(self.messages) <= self.stall_times
        if self.stall and stalls:
            await asyncio.sleep(self.stall)  # stored already: the answer is late, not the acceptance
        return "250 OK"

    def message_ids(self) -> list[str]:
        import email

        with self.lock:
            return [email.message_from_bytes(m)["Message-ID"] for m in self.messages]


@pytest.fixture
def server(settings):
    from aiosmtpd.controller import Controller

    handler = Server()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "notifications.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT = 0.5
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0  # a retry is due at once: the tests call deliver again
    try:
        yield handler
    finally:
        controller.stop()


def message() -> EmailMessage:
    return EmailMessage("主题", "正文", "duban@localhost", ["alice@example.org"], headers={"Message-ID": "<k@duban>"})


def test_accepted(server):
    smtp.deliver(message())
    assert len(server.messages) == 1


def test_refused_is_a_plain_failure(server):
    server.refusing = True
    with pytest.raises(smtplib.SMTPDataError):
        smtp.deliver(message())


def test_no_server_is_a_plain_failure(server, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]  # nobody listens there once the probe closes
    with pytest.raises(ConnectionRefusedError):
        smtp.deliver(message())


def test_an_answer_after_the_timeout_is_an_unknown_outcome(server):
    server.stall = 1.5
    with pytest.raises(smtp.OutcomeUnknown):
        smtp.deliver(message())
    assert len(server.messages) == 1  # the server has it: "not sent" would have been wrong


def test_the_final_reply_gets_its_own_longer_timeout(server, settings):
    """EMAIL_TIMEOUT covers the other commands; a slow final answer within the final-reply timeout is a 250."""
    settings.EMAIL_TIMEOUT = 0.3
    settings.NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT = 3
    server.stall = 1.0
    smtp.deliver(message())
    assert len(server.messages) == 1


# --- the sender's decisions ---------------------------------------------------------------------------


@pytest.fixture
def recorded(make_target, alice, frozen):
    make_target(milestones=[("节点", date(2023, 10, 11))])
    with frozen(date(2023, 10, 11), 8, 30):
        (notification_id,) = services.reminders_sweep(on=date(2023, 10, 11)).created_ids
    Notification.objects.filter(pk=notification_id).update(next_attempt_at=Notification.objects.get().created_at)
    return Notification.objects.get(pk=notification_id)


def row(recorded) -> Notification:
    return Notification.objects.get(pk=recorded.pk)


@pytest.mark.django_db
def test_an_unknown_outcome_is_sent_once_more_with_the_same_message_id(server, recorded):
    server.stall, server.stall_times = 1.5, 1
    with pytest.raises(services.DeliveryFailed):
        services.notification_deliver(notification_id=recorded.pk)
    first = row(recorded)
    assert (first.status, first.unknown_outcomes) == ("unknown", 1) and "结果未知" in first.last_error
    assert "重发一次" in first.last_error
    assert services.notification_deliver(notification_id=recorded.pk) == "sent"
    assert (row(recorded).status, row(recorded).unknown_outcomes, row(recorded).attempts) == ("sent", 1, 2)
    ids = server.message_ids()
    assert len(ids) == 2 and len(set(ids)) == 1  # the copy is recognisably the same message


@pytest.mark.django_db
def test_a_second_unknown_outcome_is_left_for_a_person(server, recorded):
    server.stall = 1.5
    with pytest.raises(services.DeliveryFailed):
        services.notification_deliver(notification_id=recorded.pk)
    assert services.notification_deliver(notification_id=recorded.pk) == "unknown"
    final = row(recorded)
    assert (final.status, final.unknown_outcomes) == ("unknown", 2) and "不再重发" in final.last_error
    for _ in range(3):  # no sweep, no retry takes it again
        assert services.notification_deliver(notification_id=recorded.pk) == "skipped"
    assert recorded.pk not in services.notifications_waiting(now=final.next_attempt_at + timedelta(days=1))
    assert len(server.messages) == 2


@pytest.mark.django_db
def test_refusals_are_retried_without_limit_and_without_copies(server, recorded):
    server.refusing = True
    for _ in range(5):
        with pytest.raises(services.DeliveryFailed):
            services.notification_deliver(notification_id=recorded.pk)
        assert (row(recorded).status, row(recorded).unknown_outcomes) == ("retrying", 0)
    server.refusing = False
    assert services.notification_deliver(notification_id=recorded.pk) == "sent"
    assert len(server.messages) == 1


@pytest.mark.django_db
def test_an_abandoned_claim_is_an_unknown_outcome_too(recorded, settings):
    """A sender that died (or lost the database) after claiming may have sent: its claim, once expired, counts as
    one unknown outcome; the message is sent once more, and a second abandoned claim is not taken again."""
    settings.NOTIFICATIONS_CLAIM_TIMEOUT = 600
    claimed = services.notification_claim(notification_id=recorded.pk)
    later = claimed + timedelta(seconds=601)
    assert services.notification_claim(notification_id=recorded.pk, now=later) == later
    assert (row(recorded).status, row(recorded).unknown_outcomes) == ("sending", 1)
    much_later = later + timedelta(seconds=601)
    assert services.notification_claim(notification_id=recorded.pk, now=much_later) is None
    assert (row(recorded).status, row(recorded).unknown_outcomes) == ("unknown", 2)


@pytest.mark.django_db
def test_enqueueing_with_the_broker_down_fails_fast(recorded, settings):
    """A day's reminders with Redis down: the first refused publish stops the loop; the rows stay pending for the
    redelivery sweep. (Before: about 0.6 s per message in kombu's publish retries.)"""
    from config.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options
    # Redis as production configures it (settings with REDIS_URL), on a port nobody listens on.
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_transport_options = {"visibility_timeout": 3600, "max_retries": 0}
    app._after_fork()
    try:
        started = time.monotonic()
        assert tasks.enqueue_sends(list(range(1, 5001))) == 0
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        app._after_fork()
    assert elapsed < 3, elapsed
    assert row(recorded).status == "pending"
