"""notifications/workdays.py (kept here: this suite owns the module for now)."""

from __future__ import annotations

from datetime import date

from notifications.workdays import (
    add_working_days,
    is_calendar_known,
    is_working_day,
    previous_working_day,
    working_days_between,
)


def test_statutory_holidays_and_makeup_workdays():
    # 2023: Mid-Autumn + National Day off 29 Sep - 6 Oct; Sat 7 and Sun 8 Oct are make-up workdays.
    assert not is_working_day(date(2023, 9, 29))  # a Friday
    assert not is_working_day(date(2023, 10, 2))  # a Monday
    assert is_working_day(date(2023, 10, 7)) and is_working_day(date(2023, 10, 8))
    assert not is_working_day(date(2023, 10, 14))  # an ordinary Saturday


def test_add_working_days_skips_the_holiday():
    assert add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 7)
    assert add_working_days(date(2023, 10, 9), -3) == date(2023, 9, 28)
    assert add_working_days(date(2023, 10, 9), 0) == date(2023, 10, 9)


def test_working_days_between():
    assert working_days_between(date(2023, 9, 28), date(2023, 10, 9)) == 3
    assert working_days_between(date(2023, 10, 9), date(2023, 9, 28)) == -3
    assert working_days_between(date(2023, 3, 1), date(2023, 3, 1)) == 0


def test_previous_working_day():
    assert previous_working_day(date(2023, 10, 3)) == date(2023, 9, 28)
    assert previous_working_day(date(2023, 10, 8)) == date(2023, 10, 8)


def test_fallback_outside_known_years():
    far = date(2099, 3, 5)  # an ordinary Thursday, in a year the statutory schedule does not cover
    assert not is_calendar_known(far)
    assert is_working_day(far) and not is_working_day(date(2099, 3, 7))
