"""What a 督查通报 says, read from the database (reads only): counts, per-unit rates and ranks (the rule in
`targets.rankings`, shared with the board and the digest), the trend, the overdue list and what was signed off.

Health comes from the board's selector (`selectors.board_rows`, the one health rule) evaluated on the period's
last day (or today, for the running period). The trend counts each month-end's overdue targets from the stored
basis in one SQL query; like the table, it reads today's records (a figure reported late counts for the month
it is reported in, not the month it describes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from targets import selectors
from targets.documents.periods import Period, PeriodError
from targets.health import AT_RISK, DUE_SOON, ON_TRACK, OVERDUE
from targets.models import Organisation, Target, TargetEvent
from targets.rankings import UnitRow, rank

LIST_LIMIT = 200  # items listed in the document; the rest are counted and left to the ledger


@dataclass
class ListedTarget:
    title: str
    unit: str
    due_date: date
    days_late: int | None = None
    signed_off_on: date | None = None


@dataclass
class BulletinFacts:
    organisation: Organisation
    period: Period
    on: date
    scope_word: str  # 全镇 / 全街道 / 全区
    by_organisation: bool  # rows are towns (a district), not departments
    overall: UnitRow
    units: list[UnitRow]
    trend: list[tuple[str, float]]
    overdue: list[ListedTarget]
    overdue_total: int
    signed_off: list[ListedTarget]
    signed_off_total: int
    cancelled: int
    generated_at: datetime = field(default_factory=timezone.now)


def scope_word(organisation: Organisation) -> str:
    for suffix in ("街道", "镇", "乡", "区", "县", "市"):
        if organisation.name.endswith(suffix):
            return f"全{suffix}"
    return "全" + {"district": "区", "city": "市"}.get(organisation.level, "镇")


def scope_organisations(organisation: Organisation) -> list[Organisation]:
    """The organisation and, for a district or city, the organisations under it (two levels)."""
    children = list(Organisation.objects.filter(parent=organisation))
    grandchildren = list(Organisation.objects.filter(parent__in=children)) if children else []
    return [organisation, *children, *grandchildren]


def bulletin_facts(*, organisation: Organisation, period: Period, today: date | None = None) -> BulletinFacts:
    today = today or timezone.localdate()
    if period.first > today:
        raise PeriodError(f"{period.key} 尚未开始，不能生成通报。")
    on = min(period.last, today)
    organisations = scope_organisations(organisation)
    targets = Target.objects.filter(organisation__in=organisations, plan_year=period.year)
    rows = selectors.board_rows(targets, on=on)
    by_organisation = len(organisations) > 1
    units: dict[str, UnitRow] = {}
    overall = UnitRow(name=scope_word(organisation))
    cancelled = 0
    overdue: list[ListedTarget] = []
    for target in rows:
        if target.lifecycle == Target.Lifecycle.CANCELLED:
            cancelled += 1
            continue
        name = _unit_name(target, by_organisation)
        unit = units.setdefault(name, UnitRow(name=name))
        for row in (unit, overall):
            _count(row, target)
        if target.health == OVERDUE:
            overdue.append(
                ListedTarget(
                    title=target.title,
                    unit=_department_name(target, by_organisation),
                    due_date=target.due_date,
                    days_late=target.days_overdue,
                )
            )
    ranked = rank(list(units.values()))
    overdue.sort(key=lambda t: (-(t.days_late or 0), t.due_date, t.unit))
    signed = _signed_off(targets, period, on, by_organisation)
    return BulletinFacts(
        organisation=organisation,
        period=period,
        on=on,
        scope_word=scope_word(organisation),
        by_organisation=by_organisation,
        overall=overall,
        units=ranked,
        trend=_trend(targets, period, on),
        overdue=overdue[:LIST_LIMIT],
        overdue_total=len(overdue),
        signed_off=signed[:LIST_LIMIT],
        signed_off_total=len(signed),
        cancelled=cancelled,
    )


def _count(row: UnitRow, target: Target) -> None:
    row.total += 1
    if target.lifecycle == Target.Lifecycle.SIGNED_OFF:
        row.done += 1
    elif target.health == OVERDUE:
        row.overdue += 1
    elif target.health == AT_RISK:
        row.at_risk += 1
    elif target.health in (ON_TRACK, DUE_SOON):
        row.on_schedule += 1


def _unit_name(target: Target, by_organisation: bool) -> str:
    if by_organisation:
        return target.organisation.name
    return target.lead_department.name if target.lead_department_id else "未分配"


def _department_name(target: Target, by_organisation: bool) -> str:
    department = target.lead_department.name if target.lead_department_id else "未分配"
    return f"{target.organisation.name}{department}" if by_organisation else department


def _trend(targets, period: Period, on: date) -> list[tuple[str, float]]:
    """The organisation's 按期完成率 at each month's end up to `on`, from one aggregate query."""
    ends = [min(end, on) for end in period.month_ends()]
    live = targets.exclude(lifecycle=Target.Lifecycle.CANCELLED)
    counts = live.aggregate(
        total=Count("id"), **{f"m{i}": Count("id", filter=selectors.overdue_q(on=end)) for i, end in enumerate(ends)}
    )
    total = counts["total"]
    return [
        (f"{end.month}月", round((total - counts[f"m{i}"]) * 100 / total, 1) if total else 0.0)
        for i, end in enumerate(ends)
    ]


def _signed_off(targets, period: Period, on: date, by_organisation: bool) -> list[ListedTarget]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(period.first, time.min, tzinfo=zone)
    end = datetime.combine(on + timedelta(days=1), time.min, tzinfo=zone)
    events = (
        TargetEvent.objects.filter(
            target__in=targets.filter(lifecycle=Target.Lifecycle.SIGNED_OFF),
            kind=TargetEvent.Kind.SIGNOFF,
            after__lifecycle=Target.Lifecycle.SIGNED_OFF,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("target__organisation", "target__lead_department")
        .order_by("created_at", "id")
    )
    listed: dict[int, ListedTarget] = {}
    for event in events:  # the last sign-off of a target counts (it may have been reopened and signed again)
        target = event.target
        listed[target.pk] = ListedTarget(
            title=target.title,
            unit=_department_name(target, by_organisation),
            due_date=target.due_date,
            signed_off_on=timezone.localdate(event.created_at),
        )
    return sorted(listed.values(), key=lambda t: (t.signed_off_on, t.unit, t.title))
