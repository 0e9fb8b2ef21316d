"""Health of a target on a given day: one rule, in two halves.

1. `health_dates(facts)`: from a target's health facts (its plan, its latest figure, a few fields) the dates at
   which its health changes, stored on the target by every service that changes a fact (`Target.overdue_from`,
   `at_risk_from`, `stale_from`, `deadline`, and `progress`). It depends on no date.
2. `health_on(...)` classifies a day against those dates. `health_sql(on)` is the same classification as a SQL
   expression, so the board, its counts, the API filters and "longest overdue first" are plain indexed queries
   at any date; `tests/targets/test_health_agreement.py` proves the two halves agree (hypothesis).

What the dates mean (DESIGN.md "Lifecycle and health"):

- red `overdue` from `overdue_from`: the day after the due date or a milestone passed unmet; for a ceiling, the
  day after the due date when the year ended above the cap; for a condition, the day a breach was reported;
- amber `at_risk` from `at_risk_from` (behind the milestone plan by more than `TARGET_AT_RISK_MARGIN_PERCENT`
  points; a ceiling: the latest figure above its cap on the day it was reported) or from `stale_from` (no update
  and no milestone ticked for `TARGET_STALE_DAYS` days), up to the due date;
- blue `due_soon`: `deadline` (the first open milestone or the due date; a ceiling's due date) falls within
  `TARGET_DUE_SOON_WORKING_DAYS` working days. The window is computed from the day asked about (one date per
  query), not stored, because administrators edit the holiday calendar;
- green `on_track` otherwise. Signed-off and cancelled targets have no health.

How progress is judged depends on the target:
- a level (总量) by the latest cumulative value against the target value, or the reported percent;
- growth / share / ratio / rank by the percent reached (a reported rate counts as value ÷ target);
- a ceiling (comparator `<=`, lower is better) by its latest figure against the cap;
- a deliverable by its milestones done (or a reported percent);
- a condition stays green until an update reports a breach (a percent below 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from notifications.workdays import add_working_days
from targets.models import NEVER
from targets.vocabulary import Comparator, Kind, Relation

OVERDUE = "overdue"
AT_RISK = "at_risk"
DUE_SOON = "due_soon"
ON_TRACK = "on_track"

HEALTH_LABELS = {OVERDUE: "已逾期", AT_RISK: "有风险", DUE_SOON: "临近节点", ON_TRACK: "正常推进"}
HEALTH_ORDER = {OVERDUE: 0, AT_RISK: 1, DUE_SOON: 2, ON_TRACK: 3, None: 4}
CLOSED = ("signed_off", "cancelled")
RATE_RELATIONS = Relation.rates()
FAR_PAST = date(1900, 1, 1)


# --- the facts health reads ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanNode:
    """What health reads of an open (not cancelled) milestone."""

    pk: int
    due_date: date
    expected_percent: float | None
    expected_value: float | None
    done_on: date | None


@dataclass(frozen=True, slots=True)
class Figure:
    """What health reads of a target's latest progress update."""

    created_at: datetime
    value: float | None
    percent: float | None


@dataclass(frozen=True, slots=True)
class HealthFacts:
    """Everything health depends on, for one target (loaded by `targets.health_facts`)."""

    kind: str
    comparator: str
    relation: str
    target_value: float | None
    due_date: date
    plan_year: int
    created_on: date | None
    plan: tuple[PlanNode, ...]  # in (due_date, pk) order
    latest: Figure | None


@dataclass(frozen=True, slots=True)
class HealthDates:
    """The stored, date-independent half of the rule (the `Target` fields of the same names)."""

    progress: float | None
    overdue_from: date
    at_risk_from: date
    stale_from: date
    deadline: date

    def as_fields(self) -> dict:
        return {
            "progress": self.progress,
            "overdue_from": self.overdue_from,
            "at_risk_from": self.at_risk_from,
            "stale_from": self.stale_from,
            "deadline": self.deadline,
        }


HEALTH_FIELDS = ("progress", "overdue_from", "at_risk_from", "stale_from", "deadline")


# --- half 1: the dates ----------------------------------------------------------------------------------------


def health_dates(facts: HealthFacts) -> HealthDates:
    progress = progress_percent(facts)
    if facts.kind == Kind.CONDITION:
        latest = facts.latest
        breached = latest is not None and latest.percent is not None and latest.percent < 100
        overdue = local_date(latest.created_at) if breached else NEVER
        return HealthDates(progress, overdue, NEVER, NEVER, NEVER)
    if facts.kind == Kind.QUANTITATIVE and facts.comparator == Comparator.LE:
        return _ceiling_dates(facts, progress)
    if _complete(facts.plan, progress):
        return HealthDates(progress, NEVER, NEVER, NEVER, NEVER)
    open_dates = [m.due_date for m in facts.plan if not _milestone_met(m, progress)]
    deadline = min([facts.due_date, *open_dates])
    return HealthDates(
        progress,
        overdue_from=deadline + timedelta(days=1),
        at_risk_from=_behind_plan_from(facts, progress),
        stale_from=_stale_from(facts),
        deadline=deadline,
    )


def _ceiling_dates(facts: HealthFacts, progress: float | None) -> HealthDates:
    """Lower is better: over the final cap when the year ends is overdue; over the cap planned for the day a
    figure was reported is at risk. A ceiling's nodes are checkpoints of the cap, not deadlines."""
    latest = facts.latest
    overdue = NEVER
    at_risk = NEVER
    if latest is not None:
        figure, final_cap = _ceiling_figure(facts, latest, on=None)
        if figure is not None and final_cap is not None and figure > final_cap:
            overdue = facts.due_date + timedelta(days=1)
        reported_on = local_date(latest.created_at)
        figure, cap = _ceiling_figure(facts, latest, on=reported_on)
        margin = settings.TARGET_AT_RISK_MARGIN_PERCENT
        if figure is not None and cap is not None and figure > cap * (1 + margin / 100) and figure > cap:
            at_risk = reported_on
    return HealthDates(progress, overdue, at_risk, _stale_from(facts), facts.due_date)


def progress_percent(facts: HealthFacts) -> float | None:
    """How far along the target is, in percent of the whole; None when nothing was reported."""
    latest, reported = facts.latest, None
    if latest is not None:
        if latest.percent is not None:
            reported = latest.percent
        elif latest.value is not None and facts.target_value:
            reported = latest.value / facts.target_value * 100
    if facts.kind == Kind.DELIVERABLE:
        done = [m.expected_percent or 0 for m in facts.plan if m.done_on]
        if done:
            reported = max(reported or 0, max(done))
    return reported


def planned_percent(target, *, milestones, on: date) -> float:
    """Where the milestone plan says the target should be on `on`: linear between nodes from 0 % on 1 January.

    The plan never goes backwards: a node expecting less than an earlier one holds the earlier percentage.
    """
    previous_date, previous_percent = date(target.plan_year, 1, 1), 0.0
    for milestone in milestones:
        percent = previous_percent
        if milestone.expected_percent is not None:
            percent = max(milestone.expected_percent, previous_percent)
        if on <= milestone.due_date:
            if on <= previous_date:
                return previous_percent
            span = (milestone.due_date - previous_date).days or 1
            return previous_percent + (percent - previous_percent) * (on - previous_date).days / span
        if milestone.due_date > previous_date:
            previous_date = milestone.due_date
        previous_percent = percent
    return previous_percent


def _behind_plan_from(facts: HealthFacts, progress: float | None) -> date:
    """The first day the plan is more than the margin ahead of `progress` (the plan only rises, so it stays so)."""
    threshold = (progress or 0) + settings.TARGET_AT_RISK_MARGIN_PERCENT

    def behind(day: date) -> bool:
        return planned_percent(facts, milestones=facts.plan, on=day) > threshold

    if behind(FAR_PAST):  # a negative figure: behind from the start
        return FAR_PAST
    ends = sorted({date(facts.plan_year, 1, 1), *(m.due_date for m in facts.plan)})
    high = next((end for end in ends if behind(end)), None)
    if high is None:  # the plan is flat after its last node
        return NEVER
    low = max([FAR_PAST, *(end for end in ends if end < high)])
    while (high - low).days > 1:  # bisect one segment: the plan is linear inside it
        middle = low + timedelta(days=(high - low).days // 2)
        low, high = (low, middle) if behind(middle) else (middle, high)
    return high


def _stale_from(facts: HealthFacts) -> date:
    """The first day with no update and no tick for more than TARGET_STALE_DAYS days (from the plan year)."""
    since = date(facts.plan_year, 1, 1)
    if facts.created_on:
        since = max(since, facts.created_on)
    if facts.latest is not None:
        since = max(since, local_date(facts.latest.created_at))
    ticked = [m.done_on for m in facts.plan if m.done_on]
    if ticked:
        since = max(since, *ticked)
    return since + timedelta(days=settings.TARGET_STALE_DAYS + 1)


def _complete(plan, progress: float | None) -> bool:
    return (progress is not None and progress >= 100) or (bool(plan) and all(m.done_on for m in plan))


def _milestone_met(milestone: PlanNode, progress: float | None) -> bool:
    """Ticked, or passed by a figure beyond the node's share (a deliverable reported 80 % done is past its 75 %
    node even if nobody ticked it)."""
    if milestone.done_on is not None:
        return True
    if progress is None or milestone.expected_percent is None:
        return False
    return progress >= milestone.expected_percent


def met_by_figure_q() -> Q:
    """Milestones (as a filter on Milestone) not ticked but passed by their target's stored progress: what
    `_milestone_met` calls met, except for a ceiling, whose nodes only a tick meets."""
    ceiling = Q(target__kind=Kind.QUANTITATIVE, target__comparator=Comparator.LE)
    passed = Q(expected_percent__isnull=False, target__progress__isnull=False)
    passed &= Q(expected_percent__lte=F("target__progress"))
    return passed & ~ceiling


def _ceiling_figure(facts: HealthFacts, latest: Figure, *, on: date | None) -> tuple[float | None, float | None]:
    """The latest figure and the cap it is held to on `on` (None: the final cap)."""
    if latest.value is not None and facts.target_value is not None:
        cap = facts.target_value
        if facts.relation not in RATE_RELATIONS:
            cap = _planned_cap(facts, on) or cap
        return latest.value, cap
    if latest.percent is not None:
        return latest.percent, 100.0
    return None, facts.target_value


def _planned_cap(facts: HealthFacts, on: date | None) -> float | None:
    if facts.target_value is None or not any(m.expected_value is not None for m in facts.plan):
        return None
    return facts.target_value * planned_percent(facts, milestones=facts.plan, on=on or date.max) / 100


def local_date(moment: datetime) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


# --- half 2: a day against the dates ----------------------------------------------------------------------------


def due_soon_horizon(on: date) -> date:
    """A deadline before this date (and not before `on`) is within TARGET_DUE_SOON_WORKING_DAYS working days."""
    return add_working_days(on, settings.TARGET_DUE_SOON_WORKING_DAYS + 1)


def health_on(row, *, on: date, horizon: date | None = None) -> str | None:
    """The health on `on` of anything with `lifecycle`, `due_date` and the HealthDates fields (a Target)."""
    if row.lifecycle in CLOSED:
        return None
    if on >= row.overdue_from:
        return OVERDUE
    if on <= row.due_date and (on >= row.at_risk_from or on >= row.stale_from):
        return AT_RISK
    horizon = horizon or due_soon_horizon(on)
    if on <= row.due_date and on <= row.deadline < horizon:
        return DUE_SOON
    return ON_TRACK


def health_q(health: str, *, on: date) -> Q:
    """The targets with `health` on `on`, as a filter (each an indexed range on a stored date)."""
    open_ = ~Q(lifecycle__in=CLOSED)
    overdue = Q(overdue_from__lte=on)
    running = Q(due_date__gte=on)
    at_risk = running & (Q(at_risk_from__lte=on) | Q(stale_from__lte=on))
    due_soon = running & Q(deadline__gte=on, deadline__lt=due_soon_horizon(on))
    if health == OVERDUE:
        return open_ & overdue
    if health == AT_RISK:
        return open_ & ~overdue & at_risk
    if health == DUE_SOON:
        return open_ & ~overdue & ~at_risk & due_soon
    if health == ON_TRACK:
        return open_ & ~overdue & ~at_risk & ~due_soon
    return Q(lifecycle__in=CLOSED)


def stale_q(*, on: date) -> Q:
    """No update and no tick for TARGET_STALE_DAYS days, while it counts (open, up to the due date)."""
    return ~Q(lifecycle__in=CLOSED) & Q(stale_from__lte=on, due_date__gte=on)


def health_rank_sql(on: date) -> Case:
    """HEALTH_ORDER of every row on `on` as SQL (0 overdue … 4 closed): what the board sorts and counts by.

    The branches are `health_q`'s, each without the negations of the ones before it (CASE takes the first match).
    """
    running = Q(due_date__gte=on)
    return Case(
        When(lifecycle__in=CLOSED, then=Value(HEALTH_ORDER[None])),
        When(overdue_from__lte=on, then=Value(HEALTH_ORDER[OVERDUE])),
        When(running & (Q(at_risk_from__lte=on) | Q(stale_from__lte=on)), then=Value(HEALTH_ORDER[AT_RISK])),
        When(running & Q(deadline__gte=on, deadline__lt=due_soon_horizon(on)), then=Value(HEALTH_ORDER[DUE_SOON])),
        default=Value(HEALTH_ORDER[ON_TRACK]),
        output_field=IntegerField(),
    )


RANKED = {rank: key for key, rank in HEALTH_ORDER.items()}


def health_from_rank(rank: int) -> str | None:
    return RANKED[rank]


def days_overdue(row, *, on: date) -> int | None:
    """逾期天数: the first overdue day is day 1."""
    return (on - row.overdue_from).days + 1 if on >= row.overdue_from else None


def overdue_order() -> tuple:
    """Longest overdue first, then the nearest due date: the board and the API share it."""
    return (F("overdue_from").asc(), F("due_date").asc(), F("id").asc())


def target_health(target, *, on: date) -> str | None:
    """A loaded target's health on `on`, from its stored dates (no query)."""
    return health_on(target, on=on)
