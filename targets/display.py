"""How figures are shown to people and typed by them (stored values stay in base units).

The one number/unit formatter of the project. A target's *display unit* is the unit its commitment was written
in (9.1 亿元 -> 亿元, 42 万平方米 -> 万平方米), so the progress form asks for 8.2 (亿元) and stores 820,000,000 元.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from targets.models import Target

COUNTABLE_UNITS = {
    "元",
    "平方米",
    "人",
    "人次",
    "户",
    "个",
    "平方公里",
    "吨",
    "台",
    "辆",
    "套",
    "亩",
    "米",
    "公里",
    "次",
}
# Things counted one by one: a plan never expects 2.5 of them.
COUNT_UNITS = {
    "个",
    "项",
    "座",
    "所",
    "家",
    "处",
    "户",
    "套",
    "台",
    "辆",
    "条",
    "名",
    "人",
    "人次",
    "次",
    "批",
    "场",
    "栋",
    "间",
    "张",
    "件",
    "宗",
    "份",
    "只",
    "头",
    "艘",
    "架",
    "支",
    "村",
    "镇",
    "种",
    "期",
    "届",
}
RATE_RELATIONS = {"growth", "share", "ratio", "rank"}
SCALES = {"亿": 1e8, "万": 1e4}
COMPARATOR_LABELS = {"=": "", ">=": "不低于 ", "<=": "不高于 ", "~": "", "range": ""}
COMPARATOR_SUFFIX = {"~": " 左右"}
RELATION_LABELS = {"growth": "增长 ", "share": "", "ratio": "", "rank": "排名 "}
QUARTER_NAMES = {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}


@dataclass(frozen=True)
class DisplayUnit:
    """The unit people type and read for one target: `label` = `factor` × `base` (亿元 = 1e8 元)."""

    label: str
    base: str
    factor: float = 1.0
    rate: bool = False
    count: bool = False

    def to_base(self, value: float | None) -> float | None:
        """8.2 亿元 -> 820000000.0 exactly (decimal arithmetic: 8.2 * 1e8 is 819999999.9999999 in binary)."""
        if value is None:
            return None
        if self.factor == 1.0 or not math.isfinite(value):
            return value * self.factor
        return float(Decimal(repr(value)) * Decimal(repr(self.factor)))

    def from_base(self, value: float | None) -> float | None:
        return None if value is None else value / self.factor

    @property
    def scaled(self) -> bool:
        return self.factor != 1.0


def display_unit(target: Target) -> DisplayUnit:
    """The unit the target's figure was written in; by magnitude when there is no source text."""
    unit = target.unit or ""
    rate = target.relation in RATE_RELATIONS or unit == "%"
    count = unit in COUNT_UNITS
    if rate or not unit or target.kind != Target.Kind.QUANTITATIVE:
        return DisplayUnit(label=unit or ("%" if rate else ""), base=unit, rate=rate, count=count)
    written = _written_scale(target, unit)
    if written is None:
        reference = max(abs(v) for v in (target.target_value, target.target_value_max, 0.0) if v is not None)
        written = next((w for w, f in SCALES.items() if reference >= f and unit in COUNTABLE_UNITS), "")
    if not written:
        return DisplayUnit(label=unit, base=unit, count=count)
    return DisplayUnit(label=written + unit, base=unit, factor=SCALES[written], count=count)


def _written_scale(target: Target, unit: str) -> str | None:
    """亿/万/"" as the commitment wrote its figure (9.1亿元 -> 亿), None when unknown."""
    commitment = target.commitment if target.commitment_id else None
    text = (getattr(commitment, "value_text", "") or "").replace(" ", "")
    if not text:
        return None
    match = re.search(r"[\d.]+\s*(亿|万)?" + re.escape(unit), text)
    if not match:
        return None
    return match.group(1) or ""


def plain_number(value: float, *, digits: int = 2, grouped: bool = False) -> str:
    """12.5, 8.2, 1000 (no trailing zeros); grouped: 820,000,000."""
    rounded = round(value, digits)
    comma = "," if grouped else ""
    if rounded.is_integer():
        return f"{int(rounded):{comma}}"
    return f"{rounded:{comma}.{digits}f}".rstrip("0").rstrip(".")


def format_quantity(value: float | None, unit: str) -> str:
    """420000 平方米 -> 42万平方米; 2320000000 元 -> 23.2亿元 (by magnitude; no target at hand)."""
    if value is None:
        return ""
    if unit in COUNTABLE_UNITS:
        for scale, word in ((1e8, "亿"), (1e4, "万")):
            if abs(value) >= scale:
                return f"{round(value / scale, 2):g}{word}{unit}"
    return f"{round(value, 2):g}{unit}"


def format_figure(target: Target, value: float | None, *, unit: DisplayUnit | None = None) -> str:
    """A stored figure of `target` in its display unit: 820000000 -> "8.2亿元"; counts as whole numbers."""
    if value is None:
        return ""
    unit = unit or display_unit(target)
    shown = unit.from_base(value)
    digits = 0 if unit.count and float(shown).is_integer() else 2
    return f"{plain_number(shown, digits=digits)}{unit.label}"


def conversion_echo(target: Target, typed: float | None, *, unit: DisplayUnit | None = None) -> str:
    """What a typed figure is stored as: "= 820,000,000 元" (empty when nothing is converted)."""
    unit = unit or display_unit(target)
    if typed is None or not unit.scaled:
        return ""
    return f"= {plain_number(unit.to_base(typed), digits=2, grouped=True)} {unit.base}"


def planned_count(target: Target, value: float | None) -> float | None:
    """A plan's cumulative count rounded up to a whole one (10 个 over four quarters: 3, 5, 8, 10)."""
    if value is None:
        return None
    return float(math.ceil(value - 1e-9))


def display_target(target: Target) -> str:
    """The target figure as people write it: 增长 不低于 15%, 42万平方米（力争 50万平方米）, 6% 左右."""
    if target.target_value is None:
        return ""
    unit = display_unit(target)
    text = format_figure(target, target.target_value, unit=unit)
    if target.comparator == "range" and target.target_value_max is not None:
        low = text[: -len(unit.label)] if unit.label else text
        text = f"{low}–{format_figure(target, target.target_value_max, unit=unit)}"
    text = RELATION_LABELS.get(target.relation, "") + COMPARATOR_LABELS.get(target.comparator, "") + text
    text += COMPARATOR_SUFFIX.get(target.comparator, "")  # "6% 左右", as people write it
    if target.stretch_value is not None:
        text += f"（力争 {format_figure(target, target.stretch_value, unit=unit)}）"
    return text


# "Overdue by", counted one way on the board, the target page, the emails and the ledger (said in the UI).
OVERDUE_RULE = "逾期天数按自然日计，自最早未完成的时间节点或完成时限次日起算，截至当日"


def overdue_days(since: date | None, on: date) -> int | None:
    """Calendar days from the earliest missed date (`targets.health.overdue_since`) to `on`; None: not late."""
    if since is None or since >= on:
        return None
    return (on - since).days


def milestone_plan(target: Target, milestone) -> str:
    """What a checkpoint expects, in words that fit the target.

    A level: the cumulative figure (whole numbers for counts); a rate (growth, share): the year-to-date rate
    reported at the checkpoint against the target rate, with the time elapsed (序时进度) — never "完成 25 %"
    of a percentage; a deliverable or condition: nothing beyond its title.
    """
    if target.kind != Target.Kind.QUANTITATIVE:
        return ""
    unit = display_unit(target)
    if unit.rate:
        elapsed = time_elapsed_percent(target.plan_year, milestone.due_date)
        goal = format_figure(target, target.target_value, unit=unit) if target.target_value is not None else ""
        what = {"growth": "累计增速", "share": "占比"}.get(target.relation, "当期值")
        goal_text = f"（全年目标 {goal}）" if goal else ""
        return f"报送截至{_period(milestone.due_date)}的{what}{goal_text}，序时进度 {elapsed:g}%"
    if milestone.expected_value is None:
        return f"序时进度 {milestone.expected_percent:g}%" if milestone.expected_percent is not None else ""
    value = planned_count(target, milestone.expected_value) if unit.count else milestone.expected_value
    return f"计划累计 {format_figure(target, value, unit=unit)}"


def milestone_heading(target: Target, milestone) -> str:
    """The checkpoint's name: a rate's stored "完成25%" reads as the period it reports on."""
    if display_unit(target).rate and target.kind == Target.Kind.QUANTITATIVE and milestone.title.startswith("完成"):
        return f"{_period(milestone.due_date)}节点"
    return milestone.title


def time_elapsed_percent(plan_year: int, on: date) -> float:
    """序时进度: the share of the plan year gone by on `on` (30 June -> 49.6 %)."""
    start, end = date(plan_year, 1, 1), date(plan_year, 12, 31)
    if on < start:
        return 0.0
    if on >= end:
        return 100.0
    return round(((on - start).days + 1) / ((end - start).days + 1) * 100, 1)  # days gone by, the day included


def _period(on: date) -> str:
    if on.day >= 28 and on.month in QUARTER_NAMES:
        return QUARTER_NAMES[on.month] if on.month != 12 else "年底"
    return f"{on.month}月{on.day}日"
