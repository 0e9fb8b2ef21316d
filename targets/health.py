"""Health of a target on a given day: one function used by the API, the pages and the digests.

Health is computed, never stored (see DESIGN.md "Lifecycle and health"); only its date-independent basis is
(`health_basis`: progress and the day after which the target is overdue), so SQL can find the overdue ones:

- red `overdue`: the due date or a milestone passed and was not met (a ceiling
  exceeded after its due date; a condition breached);
- amber `at_risk`: behind the milestone plan by more than
  `TARGET_AT_RISK_MARGIN_PERCENT` points, or no update for `TARGET_STALE_DAYS` days;
- blue `due_soon`: an open milestone (or the due date) falls within
  `TARGET_DUE_SOON_WORKING_DAYS` working days;
- green `on_track` otherwise. Signed-off and cancelled targets have no health.

How progress is judged depends on the target:
- a level (总量) by the latest cumulative value against the expected value, or the reported percent;
- growth / share / ratio by the percent reached (a reported rate counts as value ÷ target);
- a ceiling (comparator `<=`, lower is better) is at risk while the reported figure is above its cap;
- a deliverable by its milestones done (or a reported percent);
- a condition stays green until an update reports a breach (a percent below 100).

The function reads `target.milestones.all()` and `target.updates.all()`, so a
selector that prefetched them pays no extra query per target.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from notifications.workdays import working_days_between

OVERDUE = "overdue"
AT_RISK = "at_risk"
DUE_SOON = "due_soon"
ON_TRACK = "on_track"

HEALTH_LABELS = {OVERDUE: "已逾期", AT_RISK: "有风险", DUE_SOON: "临近节点", ON_TRACK: "正常推进"}
HEALTH_ORDER = {OVERDUE: 0, AT_RISK: 1, DUE_SOON: 2, ON_TRACK: 3, None: 4}
CLOSED = {"signed_off", "cancelled"}
RATE_RELATIONS = {"growth", "share", "ratio", "rank"}
# `late_after` of a breached condition (overdue on every day) and of a target that cannot become overdue as
# things stand (complete, or a ceiling under its cap). Valid dates on every database; a stored NULL means "not
# computed yet" (a row written around the services), which the selectors compute before filtering.
ALWAYS_LATE = date(1900, 1, 1)
NEVER_LATE = date(9999, 12, 31)
UNREAD = object()  # an argument not given (None is a value: "no update")


def target_health(target, *, on: date, milestones=None, latest=UNREAD) -> str | None:
    """`milestones` (the open ones) and `latest` (None: no update) are read from the target when not given: the
    board passes plain rows loaded in bulk, which is far cheaper than a prefetch per target at district scale."""
    if target.lifecycle in CLOSED:
        return None
    milestones = sorted(
        target.milestones.all() if milestones is None else milestones, key=lambda m: (m.due_date, m.pk or 0)
    )
    latest = latest_update(target) if latest is UNREAD else latest
    margin = settings.TARGET_AT_RISK_MARGIN_PERCENT

    # The overdue decision is the stored basis' (SQL filters on `late_after`): one rule, so the board, the API
    # and the digests cannot disagree with the overdue query.
    progress, late_after = health_basis(target, milestones=milestones, latest=latest)
    if on > late_after:
        return OVERDUE

    if target.kind == "condition":
        return ON_TRACK

    if target.kind == "quantitative" and target.comparator == "<=":
        return _ceiling_health(target, milestones, latest, on, margin)

    if _complete(milestones, progress):
        return ON_TRACK

    open_milestones = [m for m in milestones if not _milestone_met(target, m, progress)]
    if planned_percent(target, milestones=milestones, on=on) - (progress or 0) > margin:
        return AT_RISK
    if _stale(target, latest, milestones, on):
        return AT_RISK
    if _due_soon([m.due_date for m in open_milestones] + [target.due_date], on):
        return DUE_SOON
    return ON_TRACK


def latest_update(target):
    updates = list(target.updates.all())
    return max(updates, key=lambda u: (u.created_at, u.pk or 0)) if updates else None


def health_basis(target, *, milestones, latest) -> tuple[float | None, date]:
    """The date-independent part of health, stored on Target as (`progress`, `late_after`).

    The target is overdue on day `on` iff it is open and `on > late_after` (NEVER_LATE: not as things stand).
    `milestones` are the open (not cancelled) ones; `latest` the latest progress update or None.
    """
    progress = progress_percent(target, milestones=milestones, latest=latest)
    if target.kind == "condition":
        breached = latest is not None and latest.percent is not None and latest.percent < 100
        return progress, ALWAYS_LATE if breached else NEVER_LATE
    if target.kind == "quantitative" and target.comparator == "<=":
        return progress, target.due_date if _over_final_cap(target, milestones, latest) else NEVER_LATE
    if _complete(milestones, progress):
        return progress, NEVER_LATE
    open_dates = [m.due_date for m in milestones if not _milestone_met(target, m, progress)]
    return progress, min([target.due_date, *open_dates])


def _complete(milestones, progress: float | None) -> bool:
    return (progress is not None and progress >= 100) or (bool(milestones) and all(m.done_on for m in milestones))


def progress_percent(target, *, milestones=None, latest=UNREAD) -> float | None:
    """How far along the target is, in percent of the whole; None when nothing was reported.

    `milestones` and `latest` (None: no update) are read from the target when not given.
    """
    if milestones is None:
        milestones = list(target.milestones.all())
    if latest is UNREAD:
        latest = latest_update(target)
    reported = None
    if latest is not None:
        if latest.percent is not None:
            reported = latest.percent
        elif latest.value is not None and target.target_value:
            reported = latest.value / target.target_value * 100
    if target.kind == "deliverable":
        done = [m.expected_percent or 0 for m in milestones if m.done_on]
        if done:
            reported = max(reported or 0, max(done))
    return reported


def planned_percent(target, *, milestones, on: date) -> float:
    """Where the milestone plan says the target should be on `on`: linear between nodes from 0 % on 1 January."""
    previous_date, previous_percent = date(target.plan_year, 1, 1), 0.0
    for milestone in milestones:
        percent = milestone.expected_percent if milestone.expected_percent is not None else previous_percent
        if on <= milestone.due_date:
            if on <= previous_date:
                return previous_percent
            span = (milestone.due_date - previous_date).days or 1
            return previous_percent + (percent - previous_percent) * (on - previous_date).days / span
        if milestone.due_date > previous_date:
            previous_date = milestone.due_date
        previous_percent = percent
    return previous_percent


def last_update_date(target, *, latest=UNREAD) -> date | None:
    latest = latest_update(target) if latest is UNREAD else latest
    return timezone.localdate(latest.created_at) if latest is not None else None


def _milestone_met(target, milestone, progress: float | None) -> bool:
    if milestone.done_on is not None:
        return True
    # A figure or percentage reported beyond the node's share meets it (a deliverable reported 80 % done is
    # past its 75 % node even if nobody ticked it).
    if progress is None or milestone.expected_percent is None:
        return False
    return progress >= milestone.expected_percent


def _ceiling_health(target, milestones, latest, on: date, margin: float) -> str:
    """Lower is better: the latest figure must stay under the cap (the cumulative plan, for a level).

    Over the final cap after the due date is overdue: `health_basis` decides that, before this is called.
    """
    if on > target.due_date:
        return ON_TRACK  # the year ended under the cap
    figure, cap = _ceiling_figure(target, milestones, latest, on=on)
    if figure is not None and cap is not None and figure > cap and figure > cap * (1 + margin / 100):
        return AT_RISK
    if _stale(target, latest, milestones, on):
        return AT_RISK
    if _due_soon([m.due_date for m in milestones if not m.done_on] + [target.due_date], on):
        return DUE_SOON
    return ON_TRACK


def _ceiling_figure(target, milestones, latest, *, on: date | None) -> tuple[float | None, float | None]:
    """The latest figure and the cap it is held to on `on` (None: the final cap, once the plan has run out)."""
    if latest is None:
        return None, target.target_value
    if latest.value is not None and target.target_value is not None:
        cap = target.target_value
        if target.relation not in RATE_RELATIONS:
            cap = _planned_cap(target, milestones, on) or cap
        return latest.value, cap
    if latest.percent is not None:
        return latest.percent, 100.0
    return None, target.target_value


def _over_final_cap(target, milestones, latest) -> bool:
    milestones = sorted(milestones, key=lambda m: (m.due_date, m.pk or 0))
    figure, cap = _ceiling_figure(target, milestones, latest, on=None)
    return figure is not None and cap is not None and figure > cap


def _planned_cap(target, milestones, on: date | None) -> float | None:
    if target.target_value is None or not any(m.expected_value is not None for m in milestones):
        return None
    return target.target_value * planned_percent(target, milestones=milestones, on=on or date.max) / 100


def _stale(target, latest, milestones, on: date) -> bool:
    """No progress update and no milestone ticked for TARGET_STALE_DAYS days (counted from the plan year's start)."""
    start = date(target.plan_year, 1, 1)
    if on < start:
        return False
    since = max(start, timezone.localdate(target.created_at)) if target.created_at else start
    if latest is not None:
        since = max(since, timezone.localdate(latest.created_at))
    ticked = [m.done_on for m in milestones if m.done_on and m.done_on <= on]
    if ticked:
        since = max(since, *ticked)
    return (on - since).days > settings.TARGET_STALE_DAYS


def _due_soon(dates: list[date], on: date) -> bool:
    window = settings.TARGET_DUE_SOON_WORKING_DAYS
    return any(d >= on and working_days_between(on, d) <= window for d in dates)


def overdue_since(target, *, on: date, milestones=None, latest=UNREAD) -> date | None:
    """The earliest missed date (an open milestone or the due date) before `on`; None when nothing is missed.

    Used for "days overdue" on the board; meaningful when the health is `overdue`.
    """
    if target.lifecycle in CLOSED:
        return None
    milestones = list(target.milestones.all()) if milestones is None else milestones
    progress = progress_percent(target, milestones=milestones, latest=latest)
    missed = [m.due_date for m in milestones if m.due_date < on and not _milestone_met(target, m, progress)]
    if target.due_date < on:
        missed.append(target.due_date)
    return min(missed) if missed else None
