"""Celery entry points: thin, they take ids or ISO dates and call the services.

The sweeps compute what is due from the database and enqueue one send per new
row; every task is idempotent (keys and claims live in the database), so all
of them are `acks_late`: a task lost with its worker runs again, harmlessly.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from config.celery import app
from notifications import services

logger = logging.getLogger(__name__)


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


def enqueue_sends(notification_ids: list[int]) -> int:
    """Queue one send per id. At the first failed publish (the broker is down) stop: the rows stay pending and
    `deliver_pending` queues them once the broker is back. Each publish is tried once (no retry policy), so a
    day's thousands of reminders cost one refused connection, not 0.6 s each."""
    queued = 0
    for notification_id in notification_ids:
        try:
            send_notification.apply_async((notification_id,), retry=False)
        except Exception as error:  # broker unreachable: the rows are recorded, the sweep will find them
            logger.warning(
                "broker unavailable, %s sends left to the redelivery sweep: %s", len(notification_ids) - queued, error
            )
            break
        queued += 1
    return queued


@app.task(acks_late=True, reject_on_worker_lost=True)
def run_reminders(today: str | None = None) -> int:
    """Record the reminders due today (or on `today`, YYYY-MM-DD) and queue their sends."""
    result = services.reminders_sweep(on=_day(today))
    return enqueue_sends(result.created_ids)


@app.task(acks_late=True, reject_on_worker_lost=True)
def send_digests(today: str | None = None) -> int:
    """Record the digests due today (or on `today`) and queue their sends."""
    result = services.digests_sweep(on=_day(today))
    return enqueue_sends(result.created_ids)


@app.task(acks_late=True, reject_on_worker_lost=True)
def send_bulletins(today: str | None = None) -> int:
    """Record the monthly 督查通报 due today (first working day of a month) and queue their sends."""
    result = services.bulletins_sweep(on=_day(today))
    return enqueue_sends(result.created_ids)


@app.task(acks_late=True, reject_on_worker_lost=True)
def deliver_pending() -> int:
    """Queue again what nobody is sending: a lost publish, a retry whose task vanished, a dead worker's claim."""
    return enqueue_sends(services.notifications_waiting())


# Longer than the default limits: the SMTP server's final reply may take 10 minutes (notifications/smtp.py).
@app.task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    time_limit=settings.NOTIFICATIONS_SEND_TIME_LIMIT,
    soft_time_limit=settings.NOTIFICATIONS_SEND_TIME_LIMIT - 30,
)
def send_notification(self, notification_id: int) -> str:
    """Send one notification; on an SMTP failure retry with the row's exponential backoff, forever."""
    try:
        return services.notification_deliver(notification_id=notification_id)
    except (OperationalError, InterfaceError) as error:
        # The database went away at the claim: nothing was sent. Try again shortly (the row is pending, or its
        # claim expires and it is sent once more).
        raise self.retry(countdown=services.retry_delay(1), exc=error) from error
    except services.DeliveryFailed as failure:
        # +1 s so the retry never arrives before the row's next_attempt_at and finds nothing to claim.
        raise self.retry(countdown=failure.retry_in + 1, exc=failure) from failure
