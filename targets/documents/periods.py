"""The period a 督查通报 covers: a month (2026-11) or a quarter (2026-Q3), cumulative from 1 January."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

CN_QUARTERS = "一二三四"
PERIOD = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>\d{1,2})|[Qq](?P<quarter>[1-4]))$")


class PeriodError(ValueError):
    """A period the bulletin cannot cover (message in Chinese)."""


@dataclass(frozen=True)
class Period:
    year: int
    first: date  # of the period itself (the month or the quarter): what was signed off "in the period"
    last: date
    quarter: int | None = None

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else f"{self.year}-{self.last.month:02d}"

    @property
    def span_text(self) -> str:
        """1—11 月, or 第三季度."""
        if self.quarter:
            return f"第{CN_QUARTERS[self.quarter - 1]}季度"
        return f"1—{self.last.month} 月" if self.last.month > 1 else "1 月"

    @property
    def label(self) -> str:
        return "本季度" if self.quarter else "本月"

    def month_ends(self) -> list[date]:
        return [date(self.year, m, calendar.monthrange(self.year, m)[1]) for m in range(1, self.last.month + 1)]


def parse_period(text: str) -> Period:
    match = PERIOD.match((text or "").strip())
    if not match:
        raise PeriodError(f"期间「{text}」格式不对：月报写作 2026-11，季报写作 2026-Q3。")
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise PeriodError(f"年份 {year} 超出范围。")
    if match["quarter"]:
        quarter = int(match["quarter"])
        first_month, last_month = quarter * 3 - 2, quarter * 3
    else:
        quarter = None
        first_month = last_month = int(match["month"])
        if not 1 <= last_month <= 12:
            raise PeriodError(f"月份 {last_month} 不存在。")
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(year=year, first=date(year, first_month, 1), last=last, quarter=quarter)


def previous_month(on: date) -> Period:
    """The month before `on` (what the monthly bulletin sent on `on` covers)."""
    year, month = (on.year, on.month - 1) if on.month > 1 else (on.year - 1, 12)
    return parse_period(f"{year}-{month:02d}")
