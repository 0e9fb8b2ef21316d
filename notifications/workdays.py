"""Working days on the Chinese statutory calendar, make-up workdays (调休) included.

Where a date's answer comes from, first match wins:

1. an administrator's entry (`CalendarDay` in the admin: an official holiday or
   make-up workday). In a year the package does not know, any entry makes the
   year "entered by hand": its other days follow Monday–Friday, because the
   official schedule lists every change; in a known year an entry corrects one day;
2. `chinese_calendar`, which ships the State Council's schedule for the years
   it knows (2004 up to the current release);
3. otherwise an estimate from the `holidays` package's China calendar (lunar
   festivals computed, no make-up days known). Such dates are *provisional*:
   the State Council publishes a year's schedule only around November before.

Administrator entries are read from the database at most once a minute per
process (`clear_cache()` drops them at once, as the admin does on save).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays
from django.db import DatabaseError

OFFICIAL = "official"  # chinese_calendar knows the year
ENTERED = "entered"  # an administrator entered the year's schedule
PROVISIONAL = "provisional"  # estimated from the holidays package

_TTL_SECONDS = 60.0
_cache: dict = {"loaded_at": None, "days": {}, "years": frozenset()}


def clear_cache() -> None:
    _cache["loaded_at"] = None
    _clear_derived()


def _clear_derived() -> None:
    _base_is_working_day.cache_clear()
    _add_working_days.cache_clear()
    _working_days_between.cache_clear()


def _entered_days() -> tuple[dict[date, bool], frozenset[int]]:
    loaded_at = _cache["loaded_at"]
    now = time.monotonic()
    if loaded_at is None or now - loaded_at > _TTL_SECONDS:
        try:
            from notifications.models import CalendarDay

            days = dict(CalendarDay.objects.values_list("date", "is_working_day"))
        except (DatabaseError, RuntimeError):
            # No table yet (before migrate) or no database allowed here (pure unit
            # tests): the packaged calendars still answer. Not cached: retry next time.
            return {}, frozenset()
        if days != _cache["days"]:
            _clear_derived()  # date arithmetic memoised under the old entries is stale
        _cache.update(loaded_at=now, days=days, years=frozenset(d.year for d in days))
    return _cache["days"], _cache["years"]


@lru_cache(maxsize=16)
def _estimate(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


@lru_cache(maxsize=1)
def _package_years() -> frozenset[int]:
    from chinese_calendar import constants

    return frozenset(d.year for d in constants.holidays)


@lru_cache(maxsize=8192)
def _base_is_working_day(d: date, entered_year: bool) -> bool:
    if d.year in _package_years():
        return bool(chinese_calendar.is_workday(d))
    if entered_year:
        return d.weekday() < 5
    return bool(_estimate(d.year).is_working_day(d))


def is_working_day(d: date) -> bool:
    """True on a working day (statutory calendar, make-up workdays count; estimated for unknown years)."""
    days, years = _entered_days()
    if d in days:
        return days[d]
    return _base_is_working_day(d, d.year in years)


def calendar_source(year: int) -> str:
    """Where the schedule of `year` comes from: ENTERED, OFFICIAL or PROVISIONAL."""
    if year in _package_years():
        return OFFICIAL
    _days, years = _entered_days()
    return ENTERED if year in years else PROVISIONAL


def is_calendar_known(d: date) -> bool:
    """Whether the schedule for `d`'s year is official (packaged or entered), not an estimate."""
    return calendar_source(d.year) != PROVISIONAL


def is_provisional(d: date) -> bool:
    return not is_calendar_known(d)


def add_working_days(d: date, n: int) -> date:
    """The date `n` working days after `d` (before it when n < 0); n == 0 gives `d` itself."""
    _entered_days()  # refresh the entries (and drop memoised results) before answering from the memo
    return _add_working_days(d, n)


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]: how many working days from `a` until `b`; negative when b < a."""
    _entered_days()
    return _working_days_between(a, b)


# People enter dates within targets/limits.py, but a stored date is not re-checked and a count may be asked
# across any range: no call walks day by day further than this. Beyond it the count is by weekdays alone (Monday
# to Friday, arithmetic), which is all any calendar knows that far out anyway.
MAX_WALK_DAYS = 366 * 3


# Memoised: health and digests ask the same few (deadline, today) pairs for thousands of targets.
@lru_cache(maxsize=65536)
def _add_working_days(d: date, n: int) -> date:
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = d
    walked = 0
    try:
        while remaining and walked < MAX_WALK_DAYS:
            current += timedelta(days=step)
            walked += 1
            if is_working_day(current):
                remaining -= 1
        weeks, remaining = divmod(remaining, 5)
        current += timedelta(days=7 * weeks * step)
        while remaining:
            current += timedelta(days=step)
            if current.weekday() < 5:
                remaining -= 1
    except OverflowError:  # past year 9999 (or before year 1): the calendar's end
        return date.max if step > 0 else date.min
    return current


@lru_cache(maxsize=65536)
def _working_days_between(a: date, b: date) -> int:
    if b < a:
        return -_working_days_between(b, a)
    if (b - a).days > MAX_WALK_DAYS:
        middle = a + timedelta(days=MAX_WALK_DAYS)
        return _working_days_between(a, middle) + _weekdays_between(middle, b)
    count = 0
    current = a
    while current < b:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def _weekdays_between(a: date, b: date) -> int:
    """Monday-to-Friday days in (a, b], a <= b, without walking."""
    weeks, rest = divmod((b - a).days, 7)
    first = (a.weekday() + 1) % 7  # weekday of a + 1 day
    return weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < 5)


def previous_working_day(d: date) -> date:
    """`d` itself when it is a working day, otherwise the last working day before it."""
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def first_working_day_of_week(d: date) -> date | None:
    """The first working day of `d`'s ISO week (Monday–Sunday), a make-up Saturday included; None if none."""
    monday = d - timedelta(days=d.weekday())
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if is_working_day(day):
            return day
    return None
