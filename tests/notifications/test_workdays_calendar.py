"""notifications/workdays.py: statutory calendar, make-up workdays, provisional estimates and admin entries."""

from __future__ import annotations

from datetime import date

import pytest

from notifications import workdays
from notifications.workdays import (
    add_working_days,
    calendar_source,
    first_working_day_of_week,
    is_provisional,
    is_working_day,
    previous_working_day,
    working_days_between,
)


def test_national_day_2023_and_its_makeup_weekend():
    # Mid-Autumn + National Day: off 29 Sep - 6 Oct; Saturday 7 and Sunday 8 October are make-up workdays.
    assert not is_working_day(date(2023, 9, 29))
    assert not any(is_working_day(date(2023, 10, d)) for d in range(1, 7))
    assert is_working_day(date(2023, 10, 7)) and is_working_day(date(2023, 10, 8))
    assert not is_working_day(date(2023, 10, 14))


def test_spring_festival_2024_and_its_makeup_sundays():
    # Off 10-17 February; Sunday 4 and Sunday 18 February are make-up workdays; New Year's Eve (9th) is worked.
    assert is_working_day(date(2024, 2, 4)) and is_working_day(date(2024, 2, 18))
    assert is_working_day(date(2024, 2, 9))
    assert not any(is_working_day(date(2024, 2, d)) for d in range(10, 18))


def test_working_day_arithmetic_across_the_holidays():
    assert add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 7)
    assert add_working_days(date(2023, 10, 2), 5) == date(2023, 10, 11)
    assert add_working_days(date(2024, 2, 18), -5) == date(2024, 2, 5)
    assert working_days_between(date(2023, 9, 28), date(2023, 10, 9)) == 3
    assert working_days_between(date(2023, 10, 9), date(2023, 9, 28)) == -3
    assert previous_working_day(date(2023, 10, 2)) == date(2023, 9, 28)
    assert previous_working_day(date(2024, 2, 12)) == date(2024, 2, 9)


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (date(2023, 10, 4), date(2023, 10, 7)),  # National Day week: the make-up Saturday
        (date(2023, 10, 10), date(2023, 10, 9)),
        (date(2024, 2, 14), date(2024, 2, 18)),  # Spring Festival week: the make-up Sunday
        (date(2024, 2, 5), date(2024, 2, 5)),
        (date(2024, 10, 9), date(2024, 10, 8)),  # Monday 7 October 2024 is still a holiday
    ],
)
def test_first_working_day_of_the_week(day, first):
    assert first_working_day_of_week(day) == first


def test_years_the_package_does_not_know_are_estimated_and_provisional():
    # chinesecalendar 1.11 stops at 2026; 2027 comes from the holidays package's China calendar.
    assert calendar_source(2026) == workdays.OFFICIAL
    assert calendar_source(2027) == workdays.PROVISIONAL
    assert is_provisional(date(2027, 2, 8)) and not is_provisional(date(2024, 2, 8))
    assert not is_working_day(date(2027, 2, 8))  # estimated Spring Festival (a Monday)
    assert not is_working_day(date(2027, 10, 1))
    assert is_working_day(date(2027, 3, 1))


@pytest.mark.django_db
def test_admin_entries_take_precedence_and_make_the_year_official():
    from notifications.models import CalendarDay

    # The estimate knows no make-up days; the official schedule (entered by hand) does.
    assert not is_working_day(date(2027, 2, 20))  # a Saturday
    CalendarDay.objects.create(date=date(2027, 2, 20), is_working_day=True, note="春节调休上班")
    CalendarDay.objects.create(date=date(2027, 2, 8), is_working_day=False, note="春节")
    workdays.clear_cache()
    assert is_working_day(date(2027, 2, 20))
    assert not is_working_day(date(2027, 2, 8))
    assert calendar_source(2027) == workdays.ENTERED and not is_provisional(date(2027, 6, 1))
    # An entered year lists every change: days not entered follow Monday to Friday, not the estimate.
    assert is_working_day(date(2027, 2, 10))
    # An entry also corrects a year the package knows.
    CalendarDay.objects.create(date=date(2024, 2, 9), is_working_day=False, note="更正")
    workdays.clear_cache()
    assert not is_working_day(date(2024, 2, 9))
    assert is_working_day(date(2024, 2, 18))  # the rest of 2024 still comes from the package
