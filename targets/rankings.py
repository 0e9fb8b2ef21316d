"""按期完成率, overdue counts and ranks per unit (a lead department, or a town for a district): the one rule the
督查通报, the supervisor board and the weekly digest share (reads only).

- 按期完成率: the share of a unit's targets with no missed deadline (signed off, or not overdue), in percent, one
  decimal; cancelled targets do not count.
- Rank: highest rate first; equal rates share a rank (1, 1, 3).
- Change: the same figures `COMPARE_DAYS` days earlier, from the stored health dates of today's records (a target
  overdue then counts as overdue then), so the board and the weekly digest show the same change.

Counts come from one GROUP BY query (`unit_counts`); ranking them is plain Python over the groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, QuerySet

from targets.health import OVERDUE, health_q
from targets.models import Target

COMPARE_DAYS = 7
RULE = (
    "按期完成率 = 未逾期（含已销号）任务数 ÷ 任务数（不含已取消）；按完成率从高到低排名，并列同名次；"
    f"变化与 {COMPARE_DAYS} 天前相比"
)


@dataclass
class UnitRow:
    name: str
    total: int = 0
    done: int = 0
    on_schedule: int = 0
    at_risk: int = 0
    overdue: int = 0
    rank: int = 0

    @property
    def rate(self) -> float:
        """按期完成率: the share of targets with no missed deadline (signed off or not overdue), in percent."""
        return round((self.total - self.overdue) * 100 / self.total, 1) if self.total else 0.0


def rank(units: list[UnitRow]) -> list[UnitRow]:
    """Highest rate first (fewer overdue, then name, breaks ties in the order); equal rates share a rank."""
    units.sort(key=lambda u: (-u.rate, u.overdue, u.name))
    for index, unit in enumerate(units):
        unit.rank = units[index - 1].rank if index and units[index - 1].rate == unit.rate else index + 1
    return units


def compare_date(on: date) -> date:
    return on - timedelta(days=COMPARE_DAYS)


@dataclass
class Ranking:
    """A unit's figures on `on` and `COMPARE_DAYS` days earlier, ranked among its peers."""

    key: tuple
    name: str
    organisation: str
    now: UnitRow
    before: UnitRow
    of: int = 0  # how many units were ranked

    @property
    def rank_change(self) -> int:
        """Places gained since the comparison date (positive: moved up)."""
        return self.before.rank - self.now.rank

    @property
    def rate_change(self) -> float:
        return round(self.now.rate - self.before.rate, 1)

    @property
    def change_label(self) -> str:
        """ "↑2名，+12.5个百分点" / "名次持平，持平"."""
        places = self.rank_change
        moved = "名次持平" if not places else (f"↑{places}名" if places > 0 else f"↓{-places}名")
        points = self.rate_change
        rate = "持平" if not points else f"{points:+.1f}个百分点"
        return f"{moved}，{rate}"


def unit_counts(targets: QuerySet[Target], *, on: date) -> list[dict]:
    """Per (organisation, lead department): live targets and how many were overdue on `on` and on the comparison
    date; one GROUP BY query."""
    return list(
        targets.exclude(lifecycle=Target.Lifecycle.CANCELLED)
        .order_by()
        .values("organisation_id", "organisation__name", "lead_department_id", "lead_department__name")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=health_q(OVERDUE, on=on)),
            overdue_before=Count("id", filter=health_q(OVERDUE, on=compare_date(on))),
        )
    )


def rank_units(counts: list[dict], *, by_organisation: bool) -> list[Ranking]:
    """Rank the groups of `unit_counts` as departments, or summed per organisation (a district's towns);
    best first."""
    units: dict[tuple, Ranking] = {}
    for row in counts:
        department = row["lead_department__name"] or "未分配"
        if by_organisation:
            key, name = (row["organisation_id"],), row["organisation__name"]
        else:
            key, name = (row["organisation_id"], row["lead_department_id"]), department
        if key not in units:
            units[key] = Ranking(key, name, row["organisation__name"], now=UnitRow(name), before=UnitRow(name))
        unit = units[key]
        unit.now.total += row["total"]
        unit.before.total += row["total"]
        unit.now.overdue += row["overdue"]
        unit.before.overdue += row["overdue_before"]
    ranked = list(units.values())
    rank([u.before for u in ranked])
    rank([u.now for u in ranked])
    ranked.sort(key=lambda u: (u.now.rank, u.now.overdue, u.name))
    for unit in ranked:
        unit.of = len(ranked)
    return ranked


def unit_rankings(targets: QuerySet[Target], *, on: date, by_organisation: bool = False) -> list[Ranking]:
    return rank_units(unit_counts(targets, on=on), by_organisation=by_organisation)
