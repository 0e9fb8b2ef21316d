"""Dates as a 任务台账 writes them, read as a careful clerk would (pure Python, no Django).

完成时限 cells: 2026-06-30, 2026/6/30, 2026.6, 2026年6月底, 6月底前, 六月中旬, 年底前, 三季度末, 上半年, 长期坚持 (the
year's end). 时间节点 cells: several dated steps, "6 月底前完成招标，12 月底前竣工" -> (6-30 完成招标), (12-31 竣工).
A date without a year is in the plan year; a step dated before the previous one rolls into the next year
(11 月开工，3 月竣工), as does 次年/明年.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime

CN_MONTHS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
NEXT_YEAR = r"(?P<next>次年|明年|下一年)?"
PATTERNS = [
    # 2026-06-30, 2026/6/30, 2026.6.30, 2026年6月30日
    (
        "ymd",
        re.compile(
            r"(?P<y>20\d{2})\s*[-/.年]\s*(?P<m>1[0-2]|0?[1-9])\s*[-/.月]\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号]?"
        ),
    ),
    # (2026年|次年)6月底 / 六月中旬 / 6月20日 / 12月份
    (
        "md",
        re.compile(
            NEXT_YEAR + r"(?:(?P<y>20\d{2})\s*年)?\s*(?P<m>" + MONTH + r")\s*月\s*"
            r"(?:(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号]|(?P<part>上旬|中旬|下旬|初|中|底|末|份))?"
        ),
    ),
    # 2026-06, 2026.6, 2026/6
    ("ym", re.compile(r"(?P<y>20\d{2})\s*[-/.]\s*(?P<m>1[0-2]|0?[1-9])(?!\d)")),
    # (2026年)第三季度末, 三季度, Q3
    ("quarter", re.compile(NEXT_YEAR + r"(?:(?P<y>20\d{2})\s*年)?\s*第?(?P<q>[一二三四1-4])\s*季度(?:末|底)?")),
    ("half", re.compile(NEXT_YEAR + r"(?:(?P<y>20\d{2})\s*年)?\s*(?P<h>上半年|下半年)")),
    ("year_end", re.compile(NEXT_YEAR + r"(?:(?P<y>20\d{2})\s*年)?\s*(?:年底|年末|年内|全年)")),
    ("year", re.compile(r"(?P<y>20\d{2})\s*年(?!\s*[0-9一二三四五六七八九十第上下])")),
    ("standing", re.compile(r"长期|持续|常态化|每月|每季度|定期")),
]
STEP_SPLIT = re.compile(r"[，,；;。\n]+")
LEADING = re.compile(r"^(?:前|以前|之前|底前|内|中|止)+[，,、：:\s]*")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_due(value, *, plan_year: int) -> date | None:
    """A 完成时限 cell as a date (the last day it allows), or None when it names no date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        return None
    found = find_date(normalise(str(value)), plan_year=plan_year)
    return found[0] if found else None


def find_date(text: str, *, plan_year: int, explicit: list | None = None) -> tuple[date, int, int] | None:
    """The first date written in `text`: (date, start, end). `explicit` (if given) gets whether a year was written."""
    best = None
    for kind, pattern in PATTERNS:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[1].start()):
            best = (kind, match)
    if best is None:
        return None
    kind, match = best
    groups = match.groupdict()
    year = int(groups["y"]) if groups.get("y") else plan_year
    if groups.get("next"):
        year += 1
    if explicit is not None:
        explicit.append(bool(groups.get("y") or groups.get("next")))
    try:
        day = _date_of(kind, groups, year)
    except ValueError:
        return None
    return day, match.start(), match.end()


def _date_of(kind: str, groups: dict, year: int) -> date:
    if kind == "ymd":
        return date(year, int(groups["m"]), int(groups["d"]))
    if kind in ("md", "ym"):
        month = _month(groups["m"])
        if groups.get("d"):
            return date(year, month, int(groups["d"]))
        part = groups.get("part") or ""
        day = {"上旬": 10, "初": 10, "中旬": 20, "中": 15}.get(part, calendar.monthrange(year, month)[1])
        return date(year, month, day)
    if kind == "quarter":
        month = CN_QUARTER[groups["q"]] * 3
        return date(year, month, calendar.monthrange(year, month)[1])
    if kind == "half":
        return date(year, 6, 30) if groups["h"] == "上半年" else date(year, 12, 31)
    return date(year, 12, 31)  # year_end, year, standing


def _month(text: str) -> int:
    return int(text) if text.isascii() else CN_MONTHS[text]


def parse_milestones(value, *, plan_year: int) -> list[tuple[date, str]]:
    """The dated steps of a 时间节点 cell, in order: [(date, what), ...]; text without a date joins the step before."""
    if value is None:
        return []
    if isinstance(value, (date, datetime)):
        return [(parse_due(value, plan_year=plan_year), "完成")]
    steps: list[list] = []
    for segment in STEP_SPLIT.split(normalise(str(value))):
        segment = segment.strip()
        if not segment:
            continue
        explicit: list[bool] = []
        found = find_date(segment, plan_year=plan_year, explicit=explicit)
        if found is None:
            if steps:
                steps[-1][1] += "，" + segment
            continue
        day, start, end = found
        what = LEADING.sub("", (segment[:start] + segment[end:]).strip()).strip("，,、：: ") or "完成"
        while steps and not explicit[0] and day < steps[-1][0]:
            day = _next_year(day)
        steps.append([day, what])
    return [(day, what[:200]) for day, what in steps]


def _next_year(day: date) -> date:
    """The same day a year later; a month's last day stays its last day (28 Feb 2027 -> 29 Feb 2028)."""
    last = calendar.monthrange(day.year + 1, day.month)[1]
    month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(day.year + 1, day.month, last if month_end else min(day.day, last))
