"""Targets, milestones and the calendar for notification tests (made with the ORM: no service is under test here)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(d: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def frozen():
    """frozen(day, hour, minute): a context manager freezing time at that moment in Asia/Shanghai."""
    import time_machine

    def _frozen(d: date, hour: int = 9, minute: int = 0):
        return time_machine.travel(at(d, hour, minute), tick=False)

    return _frozen


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Admin calendar entries are cached per process: start and end every test with a clean cache."""
    from notifications import workdays

    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture
def make_target(org, dept_econ):
    from targets.models import Target
    from targets.services import refresh_health_basis

    def _make(*, title="完成精品小区建设42万平方米", due=date(2023, 12, 31), milestones=(), **fields):
        fields.setdefault("organisation", org)
        fields.setdefault("lead_department", dept_econ)
        fields.setdefault("plan_year", due.year)
        fields.setdefault("kind", "deliverable")
        target = Target.objects.create(title=title, due_date=due, **fields)
        for index, (title_or_date, *rest) in enumerate(milestones):
            due_date = rest[0] if rest else title_or_date
            name = title_or_date if rest else f"节点{index + 1}"
            target.milestones.create(title=name, due_date=due_date, expected_percent=None)
        refresh_health_basis([target.pk])  # rows written around the services: their health dates, explicitly
        return target

    return _make
