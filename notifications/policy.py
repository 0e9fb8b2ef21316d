"""Reminder rules in force for an organisation: the settings' defaults, overridden per organisation in the admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from notifications.models import ReminderPolicy


@dataclass(frozen=True)
class Policy:
    days_before: int
    remind_on_day: bool
    overdue_every: int
    escalate_after: int
    # Targets of plan years before last year (imported history) are reminded only when this is on.
    remind_past_years: bool = False


def default_policy() -> Policy:
    return Policy(
        days_before=settings.NOTIFICATIONS_REMIND_DAYS_BEFORE,
        remind_on_day=settings.NOTIFICATIONS_REMIND_ON_DAY,
        overdue_every=settings.NOTIFICATIONS_OVERDUE_EVERY,
        escalate_after=settings.NOTIFICATIONS_ESCALATE_AFTER,
        remind_past_years=settings.NOTIFICATIONS_REMIND_PAST_YEARS,
    )


def _merge(default: Policy, row: ReminderPolicy) -> Policy:
    return Policy(
        days_before=default.days_before if row.days_before is None else row.days_before,
        remind_on_day=default.remind_on_day if row.remind_on_day is None else row.remind_on_day,
        overdue_every=default.overdue_every if row.overdue_every is None else max(1, row.overdue_every),
        escalate_after=default.escalate_after if row.escalate_after is None else row.escalate_after,
        remind_past_years=default.remind_past_years if row.remind_past_years is None else row.remind_past_years,
    )


def policies_by_organisation() -> tuple[Policy, dict[int, Policy]]:
    """The default and every organisation's override, in one query."""
    default = default_policy()
    return default, {row.organisation_id: _merge(default, row) for row in ReminderPolicy.objects.all()}
