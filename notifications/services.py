"""Writes of notifications: record what is due, claim and deliver one message, preferences.

Exactly once, step by step:

1. a sweep records one `Notification` row per message under its unique key
   (kind, recipient, object, period) *before* anything is sent; a second sweep
   for the same day (a retried task, a restarted beat, `run_reminders` run
   twice, two workers) finds the key taken and records nothing;
2. a sender claims a row with one conditional UPDATE (pending, or due for a
   retry, or a claim abandoned longer than `NOTIFICATIONS_CLAIM_TIMEOUT`) and
   sends only when it changed exactly one row: two workers holding the same id
   cannot both win;
3. success marks the row sent (if the database connection drops right after
   the server's 250, the sender reconnects and keeps trying for
   `NOTIFICATIONS_MARK_SENT_PATIENCE` seconds); a send the server refused, or
   that failed before the whole message was out, goes back as `retrying` with
   exponential backoff, visible in the log, until it goes out;
4. a send whose outcome is unknown (the whole message went out, the server's
   answer never came: `smtp.OutcomeUnknown`, or a claim abandoned by a worker
   that died or lost the database before recording its result) is recorded as
   `unknown`, not as a failure. SMTP leaves no way to ask the server, so it is
   sent once more, with the same Message-ID (mail systems drop the copy), and a
   second unknown outcome is left for a person to check: at most one message
   more, and only where the protocol leaves no other choice.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import smtp
from notifications.bulletins import bulletin_wanted, bulletins_due
from notifications.digests import digests_due
from notifications.emails import email_for, read_unsubscribe_token
from notifications.grouping import group_daily
from notifications.models import Notification, NotificationItem, NotificationPreference
from notifications.plans import Planned
from notifications.reminders import reminders_due

logger = logging.getLogger(__name__)

REMINDER_KINDS = {
    Notification.Kind.REMINDERS,
    Notification.Kind.BEFORE,
    Notification.Kind.DUE,
    Notification.Kind.OVERDUE,
    Notification.Kind.ESCALATION,
}
DIGEST_KINDS = {Notification.Kind.WEEKLY, Notification.Kind.DAILY}
# The first unknown outcome is sent once more; the second is left as `unknown` for a person to check.
MAX_UNKNOWN_OUTCOMES = 2
ABANDONED = "结果未知：发送进程在记录结果前中断（可能已送达）。"


class DeliveryFailed(Exception):
    """The SMTP send failed; the row is back in the queue for `retry_in` seconds."""

    def __init__(self, notification_id: int, retry_in: float, error: str) -> None:
        super().__init__(f"notification {notification_id}: {error}")
        self.notification_id = notification_id
        self.retry_in = retry_in


@dataclass
class SweepResult:
    planned: list[Planned] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """Planned messages whose key was already recorded (sent or queued by an earlier run)."""
        return len(self.planned) - len(self.created_ids)


# --- recording ---------------------------------------------------------------------


def notifications_record(*, planned: list[Planned], now: datetime | None = None) -> list[int]:
    """Create a row for each planned message whose key is new; the ids of the rows created here.

    Rows of one batch are inserted in one transaction. A concurrent sweep
    inserting the same keys makes the batch fall back to one INSERT per row,
    each in its own savepoint, so exactly one of the two sweeps owns each row.
    """
    if not planned:
        return []
    now = now or timezone.now()
    keys = [p.key for p in planned]
    existing: set[str] = set()
    for start in range(0, len(keys), 2000):  # bounded IN lists (SQLite limits the parameters per query)
        chunk = keys[start : start + 2000]
        existing.update(Notification.objects.filter(key__in=chunk).values_list("key", flat=True))
    fresh = {p.key: p for p in planned if p.key not in existing}
    if not fresh:
        return []
    rows = [_row(p, now) for p in fresh.values()]
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows, batch_size=500)
            _record_items(created, fresh)
    except IntegrityError:
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.pk = None
                    row.save(force_insert=True)
                    _record_items([row], fresh)
                    created.append(row)
            except IntegrityError:
                continue  # another sweep recorded this key (or one of its items) first: it owns the message
    ids = [row.pk for row in created if row.pk is not None]
    return ids


def _record_items(rows: list[Notification], planned: dict[str, Planned]) -> None:
    """The items a grouped message carries, under their own keys, in the message's transaction."""
    items = [
        NotificationItem(key=key, notification_id=row.pk, kind=kind, target_id=target_id)
        for row in rows
        for key, kind, target_id in planned[row.key].items
    ]
    if items:
        NotificationItem.objects.bulk_create(items, batch_size=500)


def _row(p: Planned, now: datetime) -> Notification:
    return Notification(
        key=p.key,
        kind=p.kind,
        recipient_id=p.recipient_id,
        email=p.email,
        organisation_id=p.organisation_id,
        target_id=p.target_id,
        milestone_id=p.milestone_id,
        period=p.period,
        subject=p.subject,
        context=p.context,
        status=Notification.Status.PENDING,
        next_attempt_at=now,
    )


def reminders_sweep(*, on: date, dry_run: bool = False) -> SweepResult:
    """Record every reminder and escalation due on `on` (nothing with dry_run)."""
    planned = group_daily(reminders_due(on=on), on=on)  # one message per person and working day
    result = SweepResult(planned=planned)
    if not dry_run:
        result.created_ids = notifications_record(planned=planned)
    return result


def digests_sweep(*, on: date, dry_run: bool = False) -> SweepResult:
    """Record the weekly digests (first working day of the week) and the daily ones (working days) due on `on`."""
    result = SweepResult()
    for kind in (Notification.Kind.WEEKLY, Notification.Kind.DAILY):
        for batch in digests_due(on=on, kind=kind):
            result.planned.extend(batch)
            if not dry_run:
                result.created_ids.extend(notifications_record(planned=batch))
    return result


def bulletins_sweep(*, on: date, dry_run: bool = False) -> SweepResult:
    """Record the monthly 督查通报 to supervisors, due on the first working day of a month."""
    planned = bulletins_due(on=on)
    result = SweepResult(planned=planned)
    if not dry_run:
        result.created_ids = notifications_record(planned=planned)
    return result


# --- delivering ----------------------------------------------------------------


def notification_claim(*, notification_id: int, now: datetime | None = None) -> datetime | None:
    """Take the row for sending with one conditional UPDATE; the claim time when we won, else None."""
    now = now or timezone.now()
    abandoned = now - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT)
    # A claim held past the timeout belongs to a sender that died (or lost the database) between its claim and
    # recording the result: it may have sent the message. First record that outcome as unknown (one conditional
    # UPDATE: of two workers, one does it), then claim it like any other row, if it may still be sent once more.
    Notification.objects.filter(
        pk=notification_id, status=Notification.Status.SENDING, claimed_at__lt=abandoned
    ).update(
        status=Notification.Status.UNKNOWN,
        unknown_outcomes=F("unknown_outcomes") + 1,
        next_attempt_at=now,
        last_error=ABANDONED,
    )
    claimable = Q(status__in=[Notification.Status.PENDING, Notification.Status.RETRYING], next_attempt_at__lte=now) | Q(
        status=Notification.Status.UNKNOWN, unknown_outcomes__lt=MAX_UNKNOWN_OUTCOMES, next_attempt_at__lte=now
    )
    # One conditional UPDATE is atomic on SQLite and PostgreSQL alike: of two workers racing
    # for the same row, the second re-reads it after the first commits and matches nothing.
    won = Notification.objects.filter(claimable, pk=notification_id).update(
        status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return now if won == 1 else None


def retry_delay(attempts: int) -> float:
    """Exponential backoff: base, 2×base, 4×base … capped."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return float(min(settings.NOTIFICATIONS_RETRY_MAX_SECONDS, base * 2 ** max(0, attempts - 1)))


def notification_deliver(*, notification_id: int) -> str:
    """Claim, send and mark one notification. Returns "sent", "skipped" (someone else has it), "cancelled", or
    "unknown" (a second unknown outcome: not sent again).

    Raises DeliveryFailed when the send failed or its first outcome is unknown: the row is then `retrying` or
    `unknown`, due again after the backoff. Never call inside a transaction: the claim must be committed before
    the send.
    """
    claimed_at = notification_claim(notification_id=notification_id)
    if claimed_at is None:
        return "skipped"
    mine = Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING, claimed_at=claimed_at)
    try:
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        wanted = _still_wanted(notification)
    except (OperationalError, InterfaceError) as error:
        # The database went away before anything was sent: give the row back (after reconnecting) rather than
        # leave a claim that would expire into "unknown".
        text = f"数据库暂时不可用，未发送：{error}"[:2000]
        _record(mine, status=Notification.Status.RETRYING, next_attempt_at=timezone.now(), last_error=text)
        raise DeliveryFailed(notification_id, retry_delay(1), text) from error
    if not wanted:
        mine.update(status=Notification.Status.CANCELLED, last_error="收件人已退订或停用")
        return "cancelled"
    delay = retry_delay(notification.attempts)
    try:
        smtp.deliver(email_for(notification))
    except smtp.OutcomeUnknown as error:
        unknown = notification.unknown_outcomes + 1
        text = f"结果未知（邮件已完整发出，未收到服务器答复）：{error}"[:1900]
        logger.warning("notification %s: outcome unknown (%s): %s", notification_id, unknown, error)
        if unknown < MAX_UNKNOWN_OUTCOMES:
            _record(
                mine,
                status=Notification.Status.UNKNOWN,
                unknown_outcomes=unknown,
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
                last_error=f"{text}；将以同一 Message-ID 重发一次",
            )
            raise DeliveryFailed(notification_id, delay, text) from error
        _record(
            mine,
            status=Notification.Status.UNKNOWN,
            unknown_outcomes=unknown,
            last_error=f"{text}；已重发过一次，不再重发，请与收件人核实",
        )
        return "unknown"
    except Exception as error:  # refused, or failed before the whole message went out: retried, never dropped
        text = f"{type(error).__name__}: {error}"[:2000]
        _record(
            mine,
            status=Notification.Status.RETRYING,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_error=text,
        )
        logger.warning("notification %s failed (attempt %s): %s", notification_id, notification.attempts, text)
        raise DeliveryFailed(notification_id, delay, text) from error
    _record(mine, status=Notification.Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _record(queryset, **fields) -> int:
    """The UPDATE that records a send's result, through a dropped database connection: reconnect and try again
    for NOTIFICATIONS_MARK_SENT_PATIENCE seconds. Giving up leaves the claim to expire into `unknown`."""
    deadline = time.monotonic() + settings.NOTIFICATIONS_MARK_SENT_PATIENCE
    pause = 0.1
    while True:
        try:
            return queryset.update(**fields)
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block or time.monotonic() + pause > deadline:
                raise
            logger.warning("recording a send's result: database unavailable (%s), retrying", error)
            with contextlib.suppress(Exception):
                connection.close()  # a broken connection is reopened by the next query
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def _still_wanted(notification: Notification) -> bool:
    user = notification.recipient
    if not user.is_active:
        return False
    preference = NotificationPreference.objects.filter(user=user).first()
    if notification.kind == Notification.Kind.BULLETIN:
        return bulletin_wanted(preference)
    if preference is None:
        return True
    if notification.kind in DIGEST_KINDS:
        return preference.digest == notification.kind
    return preference.reminders


def notifications_waiting(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Rows nobody is taking care of: pending or retrying past their time (with a grace period for the
    task already queued for them), or claimed by a worker that died."""
    now = now or timezone.now()
    grace = now - timedelta(seconds=settings.NOTIFICATIONS_REDELIVER_AFTER)
    abandoned = now - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT)
    return list(
        Notification.objects.filter(
            Q(status__in=[Notification.Status.PENDING, Notification.Status.RETRYING], next_attempt_at__lte=grace)
            | Q(
                status=Notification.Status.UNKNOWN,
                unknown_outcomes__lt=MAX_UNKNOWN_OUTCOMES,
                next_attempt_at__lte=grace,
            )
            | Q(status=Notification.Status.SENDING, claimed_at__lt=abandoned)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_retry_now(*, notification_ids: list[int]) -> int:
    """Put failed rows back for the next delivery round (admin action; no broker call in the request)."""
    return Notification.objects.filter(pk__in=notification_ids, status=Notification.Status.RETRYING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_REDELIVER_AFTER)
    )


# --- preferences ------------------------------------------------------------------


def preference_for(user) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    return preference


@transaction.atomic
def preference_update(*, user, digest: str | None = None, reminders: bool | None = None) -> NotificationPreference:
    preference = preference_for(user)
    if digest is not None:
        if digest not in NotificationPreference.Digest.values:
            raise ValueError(f"unknown digest frequency {digest!r}")
        preference.digest = digest
    if reminders is not None:
        preference.reminders = reminders
    preference.save()
    return preference


def unsubscribe(*, token: str) -> NotificationPreference:
    """Apply a one-click unsubscribe: exactly what the link says (a digest link turns off digests only).

    Raises django.core.signing.BadSignature for a forged or expired token, or one whose user is gone."""
    user_id, what = read_unsubscribe_token(token)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise signing.BadSignature("the link's user no longer exists")
    if what == "digest":
        return preference_update(user=user, digest=NotificationPreference.Digest.NONE)
    if what == "reminders":
        return preference_update(user=user, reminders=False)
    return preference_update(user=user, digest=NotificationPreference.Digest.NONE, reminders=False)
