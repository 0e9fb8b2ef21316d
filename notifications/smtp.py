"""SMTP that knows when a message's fate is unknown.

An SMTP server takes responsibility for a message when it answers the end of the data ("." on its own line)
with 250 (RFC 5321 §4.1.1.4, §6.1). Everything that fails before the end of the data is a plain failure: the
server has not accepted the message, so sending it again cannot duplicate it. But when the client times out or
loses the connection *after* the end of the data and before the reply, the server may have accepted it (and may
even answer 250 a moment later): the outcome is unknown, and the protocol offers no way to ask. The sender
(`services.notification_deliver`) records that as such and sends again at most once, with the same Message-ID.

Two things make that window small:
- the final reply gets the time RFC 5321 §4.5.3.2.6 suggests for "DATA termination": 10 minutes
  (`NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT`), not the 30 s of `EMAIL_TIMEOUT` that every other command gets
  (a busy server scanning the message for viruses may well take longer than that);
- a 250 counts even if the QUIT after it fails.

`EmailBackend` is Django's SMTP backend with that connection class; settings select it for `EMAIL_URL=smtp://…`.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import EmailMessage


class OutcomeUnknown(Exception):
    """The whole message reached the server but its final reply did not reach us."""


class Transaction:
    """What one connection saw of its last message: whether the end of the data went out, and the reply."""

    def __init__(self) -> None:
        self.end_of_data_sent = False
        self.final_reply: tuple[int, bytes] | None = None

    @property
    def accepted(self) -> bool:
        return self.final_reply is not None and self.final_reply[0] == 250


class _Tracking:
    """Mixin for smtplib.SMTP / SMTP_SSL: `data()` as smtplib's, recording the transaction and giving the
    final reply its own (long) timeout."""

    transaction: Transaction

    def data(self, msg):
        self.transaction = Transaction()
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        quoted = smtplib._quote_periods(msg)
        if quoted[-2:] != smtplib.bCRLF:
            quoted += smtplib.bCRLF
        quoted += b"." + smtplib.bCRLF
        self.send(quoted)
        self.transaction.end_of_data_sent = True
        if self.sock is not None:
            self.sock.settimeout(settings.NOTIFICATIONS_SMTP_FINAL_REPLY_TIMEOUT)
        code, reply = self.getreply()
        self.transaction.final_reply = (code, reply)
        if self.sock is not None:
            self.sock.settimeout(self.timeout)
        return code, reply


class TrackingSMTP(_Tracking, smtplib.SMTP):
    pass


class TrackingSMTPSSL(_Tracking, smtplib.SMTP_SSL):
    pass


class EmailBackend(DjangoSMTPBackend):
    """Django's SMTP backend whose connections record their transaction (kept after the connection closes)."""

    @property
    def connection_class(self):
        return TrackingSMTPSSL if self.use_ssl else TrackingSMTP

    def _send(self, email_message) -> bool:
        self.last_transaction = None
        try:
            return super()._send(email_message)
        finally:
            self.last_transaction = getattr(self.connection, "transaction", None)


def deliver(message: EmailMessage) -> None:
    """Send one message. Returns when the server accepted it (even if closing the connection failed after its
    250); raises OutcomeUnknown when the server may have it; any other exception: it was not accepted."""
    backend = get_connection(fail_silently=False)
    try:
        backend.send_messages([message])
    except Exception as error:
        transaction = getattr(backend, "last_transaction", None)
        if transaction is None:
            raise
        if transaction.accepted:
            return  # the 250 came; what failed was the QUIT after it
        if transaction.end_of_data_sent and transaction.final_reply is None:
            raise OutcomeUnknown(f"{type(error).__name__}: {error}") from error
        raise
