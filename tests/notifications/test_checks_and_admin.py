"""The system check on next year's calendar, and the admin pages of notifications."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from notifications.checks import next_year_calendar
from notifications.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_check_warns_when_next_year_is_only_estimated(frozen):
    with frozen(date(2026, 11, 22)):  # chinesecalendar 1.11 knows 2026, not 2027
        (warning,) = next_year_calendar()
    assert warning.id == "notifications.W001" and "2027" in warning.msg
    with frozen(date(2025, 11, 22)):
        assert next_year_calendar() == []


def test_entering_the_official_schedule_silences_the_check(frozen, admin_client):
    response = admin_client.post(
        reverse("admin:notifications_calendarday_add"),
        {"date": "2027-02-20", "is_working_day": "on", "note": "春节调休上班"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=date(2027, 2, 20), is_working_day=True).exists()
    with frozen(date(2026, 11, 22)):
        assert next_year_calendar() == []


@pytest.mark.parametrize("name", ["notification", "calendarday", "reminderpolicy", "notificationpreference"])
def test_admin_lists_open(admin_client, name):
    assert admin_client.get(reverse(f"admin:notifications_{name}_changelist")).status_code == 200
