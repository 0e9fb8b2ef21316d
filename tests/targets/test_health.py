from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from targets.health import AT_RISK, DUE_SOON, ON_TRACK, OVERDUE, planned_percent, target_health
from targets.models import Target
from targets.services import milestone_mark_done, progress_record, target_sign_off


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def report(target, user, when, **fields):
    target.refresh_from_db()
    return progress_record(target=target, acting_user=user, expected_version=target.version, at=when, **fields)


def health(target, on):
    target = Target.objects.prefetch_related("milestones", "updates").get(pk=target.pk)
    return target_health(target, on=on)


@pytest.fixture
def level(make_target, dept_housing):
    """42万平方米 by year end, housing office, quarterly plan 105000 per quarter."""
    return make_target(lead_department=dept_housing)


def test_level_on_track_at_risk_overdue(level, bob):
    report(level, bob, at(2023, 3, 20), value=110000)  # Q1 reached early
    assert health(level, date(2023, 4, 10)) == ON_TRACK
    # Plan on 15 May ~ 25% + 25% * 45/91 = 37%; progress 26% -> more than 10 points behind.
    assert health(level, date(2023, 5, 15)) == AT_RISK
    assert health(level, date(2023, 7, 3)) == OVERDUE  # Q2 (50%) passed unmet
    report(level, bob, at(2023, 7, 4), value=215000)
    assert health(level, date(2023, 7, 5)) == ON_TRACK


def test_stale_without_update_is_at_risk(level, bob):
    report(level, bob, at(2023, 6, 20), value=220000)
    assert health(level, date(2023, 7, 15)) == ON_TRACK
    assert health(level, date(2023, 7, 21)) == AT_RISK  # 31 days without an update


def test_due_soon_counts_working_days(level, bob):
    report(level, bob, at(2023, 9, 1), value=300000)
    # Q3 ends on Saturday 30 Sep 2023, inside the holiday that starts on Friday 29 Sep.
    assert health(level, date(2023, 9, 21)) == DUE_SOON  # 22, 25, 26, 27, 28 Sep: 5 working days
    assert health(level, date(2023, 9, 20)) == ON_TRACK  # 6 working days away


def test_complete_stays_green_then_closed_has_no_health(level, bob, sam):
    report(level, bob, at(2023, 10, 1), value=430000)
    assert health(level, date(2024, 3, 1)) == ON_TRACK
    level.refresh_from_db()
    target_sign_off(target=level, acting_user=sam, expected_version=level.version, at=at(2023, 10, 2))
    assert health(level, date(2024, 3, 1)) is None


def test_due_date_passed_unmet_is_overdue(level, bob):
    report(level, bob, at(2023, 12, 20), value=400000)
    assert health(level, date(2024, 1, 2)) == OVERDUE


def test_growth_judged_by_percent_reached(make_target, alice):
    target = make_target(
        quote="区级税收增长15%", metric="区级税收", value=15, value_text="15%", unit="%", relation="growth"
    )
    report(target, alice, at(2023, 6, 25), value=14)  # 14 of 15 points = 93%
    assert health(target, date(2023, 7, 10)) == ON_TRACK
    report(target, alice, at(2023, 7, 10), percent=40)
    assert health(target, date(2023, 7, 11)) == OVERDUE  # Q2 50% passed, only 40% reached


def test_ceiling_lower_is_better(make_target, dept_econ, alice):
    target = make_target(
        lead_department=dept_econ,
        quote="城镇登记失业率控制在4%以内",
        metric="城镇登记失业率",
        value=4,
        value_text="4%",
        unit="%",
        relation="share",
        comparator="<=",
    )
    report(target, alice, at(2023, 5, 1), value=3.5)
    assert health(target, date(2023, 5, 10)) == ON_TRACK
    report(target, alice, at(2023, 5, 11), value=4.8)
    assert health(target, date(2023, 5, 12)) == AT_RISK
    assert health(target, date(2024, 1, 5)) == OVERDUE  # the year ended above the cap
    report(target, alice, at(2023, 12, 20), value=3.9)
    assert health(target, date(2024, 1, 5)) == ON_TRACK


def test_deliverable_by_milestones_done(make_target, dept_housing, bob):
    target = make_target(
        lead_department=dept_housing,
        kind="deliverable",
        quote="完成上钞苑旧住房综合修缮改造项目",
        metric="",
        value=None,
        value_text="",
        unit="",
        relation="",
    )
    first, second, *_ = target.milestones.all()
    milestone_mark_done(milestone=first, acting_user=bob, at=at(2023, 3, 28))
    report(target, bob, at(2023, 4, 20), note="施工单位进场")
    assert health(target, date(2023, 5, 1)) == ON_TRACK
    assert health(target, date(2023, 7, 3)) == OVERDUE  # 推进实施 due 30 June, not ticked
    milestone_mark_done(milestone=second, acting_user=bob, at=at(2023, 7, 3))
    assert health(target, date(2023, 7, 4)) == ON_TRACK


def test_condition_green_until_breach(make_target, alice, ada):
    target = make_target(
        kind="condition", quote="确保无重大安全事故", metric="", value=None, value_text="", unit="", relation=""
    )
    assert health(target, date(2023, 11, 1)) == ON_TRACK  # no staleness for a condition
    report(target, ada, at(2023, 11, 2), percent=0, note="发生一起较大火灾事故")
    assert health(target, date(2023, 11, 3)) == OVERDUE


def test_planned_percent_interpolates(level):
    milestones = list(level.milestones.all())
    assert planned_percent(level, milestones=milestones, on=date(2023, 1, 1)) == 0
    assert planned_percent(level, milestones=milestones, on=date(2023, 3, 31)) == 25
    assert 37 < planned_percent(level, milestones=milestones, on=date(2023, 5, 15)) < 38
    assert planned_percent(level, milestones=milestones, on=date(2024, 5, 1)) == 100


def test_health_uses_prefetched_rows(level, bob, django_assert_num_queries):
    report(level, bob, at(2023, 3, 20), value=110000)
    target = Target.objects.prefetch_related("milestones", "updates").get(pk=level.pk)
    with django_assert_num_queries(0):
        assert target_health(target, on=date(2023, 4, 1)) == ON_TRACK
