"""Working days on the Chinese statutory calendar, make-up workdays (调休) included.

`chinese_calendar` ships the State Council's schedule for the years it knows
(2004 up to the current release). Outside those years we fall back to
Monday–Friday: such results are provisional, because the holiday schedule for
a year is only published late in the year before. A later issue adds
holidays entered by an administrator.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_working_day(d: date) -> bool:
    """True on a working day; a weekday fallback (provisional) outside the known years."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return d.weekday() < 5


def is_calendar_known(d: date) -> bool:
    """Whether the statutory schedule for `d`'s year is known (not the weekday fallback)."""
    try:
        chinese_calendar.is_workday(d)
    except NotImplementedError:
        return False
    return True


def add_working_days(d: date, n: int) -> date:
    """The date `n` working days after `d` (before it when n < 0); n == 0 gives `d` itself."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = d
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]: how many working days from `a` until `b`; negative when b < a."""
    if b < a:
        return -working_days_between(b, a)
    count = 0
    current = a
    while current < b:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def previous_working_day(d: date) -> date:
    """`d` itself when it is a working day, otherwise the last working day before it."""
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d
