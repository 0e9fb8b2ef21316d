"""Bounds on every figure and date a person can enter, in one place.

The services check them (progress, milestones, extensions, target edits, accepting and correcting a
commitment), so the API, the pages, the admin and every import get the same answer: a 400 with a Chinese
message, nothing written. Without them one clerk could store 1e308 (every later read of the target, and every
list containing it, answered 500 for everyone: the percentages computed from it were infinite and not JSON) or
a due date in the year 9999 (the working-day arithmetic walked eight thousand years day by day).

Why these numbers:
- figures are stored in base units (元, 平方米, 个, %); the largest a Chinese government plan names is the
  national GDP, about 1.3e14 元, so FIGURE_MAX = 1e15 leaves room and still refuses typos of many digits;
  a non-zero figure smaller than FIGURE_MIN_MAGNITUDE (1e-6) is a typo too, and with both bounds every ratio of
  two figures is finite (at most 1e21, times 100 for a percentage): no percentage, ratio or growth can
  overflow;
- plan years: a report may be imported years later for the year-end check (PLAN_YEARS_BACK = 15), and plans
  name goals up to ten years ahead (远景目标: 到 2035 年…, PLAN_YEARS_AHEAD = 10);
- a target's dates: from the start of the year before its plan year (preparatory milestones) to the end of its
  plan period (TARGET_SPAN_YEARS = 5 plan years, a five-year plan) plus the longest extension
  (MAX_EXTENSION_DAYS = 366): `latest_date(plan_year)`;
- a milestone done, or progress reported, cannot be dated in the future.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

FIGURE_MAX = 1e15
FIGURE_MIN_MAGNITUDE = 1e-6
PERCENT_MAX = 1000.0  # a reported completion percentage (over-fulfilment allowed)
PLAN_YEARS_BACK = 15
PLAN_YEARS_AHEAD = 10
TARGET_SPAN_YEARS = 5
MAX_EXTENSION_DAYS = 366


class OutOfBounds(ValidationError):
    """A figure or a date outside what makes sense for its field (message in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="out_of_bounds")


def check_figure(value: float | None, *, label: str, minimum: float | None = None) -> float | None:
    """A finite figure of sensible size: None, 0, or |value| in [FIGURE_MIN_MAGNITUDE, FIGURE_MAX]."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OutOfBounds(f"{label}应为数字。")
    if not math.isfinite(value):
        raise OutOfBounds(f"{label}不是有效的数字。")
    if abs(value) > FIGURE_MAX:
        raise OutOfBounds(f"{label}过大（绝对值不能超过 {FIGURE_MAX:.0e}），请检查单位和位数。")
    if value != 0 and abs(value) < FIGURE_MIN_MAGNITUDE:
        raise OutOfBounds(f"{label}过小（非零数值的绝对值不能小于 {FIGURE_MIN_MAGNITUDE:g}），请检查单位。")
    if minimum is not None and value < minimum:
        raise OutOfBounds(f"{label}不能小于 {minimum:g}。")
    return value


def check_percent(value: float | None, *, label: str, maximum: float = PERCENT_MAX) -> float | None:
    """A percentage in [0, maximum], finite."""
    if value is None:
        return None
    check_figure(value, label=label)
    if not 0 <= value <= maximum:
        raise OutOfBounds(f"{label}应在 0 到 {maximum:g} 之间。")
    return value


def plan_years(today: date | None = None) -> range:
    today = today or timezone.localdate()
    return range(today.year - PLAN_YEARS_BACK, today.year + PLAN_YEARS_AHEAD + 1)


def check_plan_year(year: int | None, *, label: str = "计划年度", today: date | None = None) -> int | None:
    if year is None:
        return None
    allowed = plan_years(today)
    if isinstance(year, bool) or not isinstance(year, int) or year not in allowed:
        raise OutOfBounds(f"{label}应在 {allowed.start} 到 {allowed.stop - 1} 年之间。")
    return year


def earliest_date(plan_year: int) -> date:
    return date(plan_year - 1, 1, 1)


def latest_date(plan_year: int) -> date:
    """The end of the plan period plus the longest extension: no date of a target may lie beyond it."""
    return date(plan_year + TARGET_SPAN_YEARS - 1, 12, 31) + timedelta(days=MAX_EXTENSION_DAYS)


def check_target_date(day: date | None, *, plan_year: int, label: str) -> date | None:
    """A due date, a milestone date or an extension: within the target's plan period plus the longest extension."""
    if day is None:
        return None
    low, high = earliest_date(plan_year), latest_date(plan_year)
    if not low <= day <= high:
        raise OutOfBounds(
            f"{label}应在 {low:%Y-%m-%d} 到 {high:%Y-%m-%d} 之间（{plan_year} 年的计划期加最长延期 "
            f"{MAX_EXTENSION_DAYS} 天）。"
        )
    return day


def check_past_date(day: date | None, *, plan_year: int, label: str, today: date | None = None) -> date | None:
    """A date something happened (a milestone done): not in the future, not before the plan period."""
    if day is None:
        return None
    today = today or timezone.localdate()
    low = earliest_date(plan_year)
    if not low <= day <= today:
        raise OutOfBounds(f"{label}应在 {low:%Y-%m-%d} 到今天（{today:%Y-%m-%d}）之间。")
    return day
