from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from targets.models import ProgressUpdate, Target, TargetEvent
from targets.services import (
    StaleVersionError,
    TargetServiceError,
    milestone_mark_done,
    progress_record,
    target_extend,
    target_request_extension,
    target_request_signoff,
    target_sign_off,
)


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def target(make_target, dept_housing):
    return make_target(lead_department=dept_housing)


def test_progress_appends_moves_lifecycle_bumps_version_and_logs(target, bob):
    update = progress_record(target=target, acting_user=bob, value=120000, note="开工 3 个小区", expected_version=1)
    assert update.author == bob and update.value == 120000
    target.refresh_from_db()
    assert target.version == 2 and target.lifecycle == Target.Lifecycle.IN_PROGRESS
    event = target.events.get(kind=TargetEvent.Kind.PROGRESS)
    assert event.before["lifecycle"] == "not_started" and event.before["version"] == 1
    assert event.after["lifecycle"] == "in_progress" and event.after["value"] == 120000
    # Reaching 105000 ticks the first quarterly milestone only.
    assert [m.done_on is not None for m in target.milestones.all()] == [True, False, False, False]
    assert event.after["milestones_done"] == [target.milestones.first().pk]


def test_stale_version_raises_and_changes_nothing(target, bob, ada):
    progress_record(target=target, acting_user=bob, value=1, expected_version=1)
    with pytest.raises(StaleVersionError):
        progress_record(target=target, acting_user=ada, value=2, expected_version=1)
    assert ProgressUpdate.objects.filter(target=target).count() == 1
    assert target.events.filter(kind="progress").count() == 1
    target.refresh_from_db()
    assert target.version == 2


def test_correction_is_a_new_row(target, bob):
    wrong = progress_record(target=target, acting_user=bob, value=200000, expected_version=1)
    fix = progress_record(target=target, acting_user=bob, value=20000, expected_version=2, corrects=wrong)
    wrong.refresh_from_db()
    assert wrong.value == 200000 and fix.corrects == wrong
    assert target.events.filter(message__startswith="更正进展").count() == 1


def test_only_lead_staff_or_admin_report(target, alice, olga, sam, ada):
    for user in (alice, olga, sam):
        with pytest.raises(PermissionDenied):
            progress_record(target=target, acting_user=user, value=1, expected_version=1)
    progress_record(target=target, acting_user=ada, value=1, expected_version=1)


def test_empty_or_invalid_updates_are_refused(target, bob):
    with pytest.raises(TargetServiceError):
        progress_record(target=target, acting_user=bob, expected_version=1)
    with pytest.raises(TargetServiceError):
        progress_record(target=target, acting_user=bob, percent=-5, expected_version=1)


def test_signoff_flow(target, bob, sam):
    progress_record(target=target, acting_user=bob, value=420000, expected_version=1)
    target.refresh_from_db()
    with pytest.raises(PermissionDenied):
        target_sign_off(target=target, acting_user=bob, expected_version=target.version)
    target_request_signoff(target=target, acting_user=bob, expected_version=2, note="已全部完成")
    assert target.lifecycle == "signoff_requested"
    with pytest.raises(StaleVersionError):
        target_sign_off(target=target, acting_user=sam, expected_version=2)
    target_sign_off(target=target, acting_user=sam, expected_version=3, note="核实无误")
    target.refresh_from_db()
    assert target.lifecycle == "signed_off" and target.version == 4
    event = target.events.get(kind="signoff")
    assert (event.before["lifecycle"], event.after["lifecycle"], event.actor) == (
        "signoff_requested",
        "signed_off",
        sam,
    )
    with pytest.raises(TargetServiceError):
        progress_record(target=target, acting_user=bob, value=1, expected_version=4)


def test_extension_moves_open_milestones(target, bob, sam):
    progress_record(target=target, acting_user=bob, value=110000, expected_version=1, at=at(2023, 3, 30))
    target_request_extension(target=target, acting_user=bob, expected_version=2, note="拆迁滞后")
    assert target.lifecycle == "extension_requested"
    with pytest.raises(TargetServiceError):
        target_extend(target=target, acting_user=sam, new_due_date=date(2023, 6, 1), expected_version=3)
    target_extend(
        target=target,
        acting_user=sam,
        new_due_date=date(2024, 6, 30),
        expected_version=3,
        note="同意",
        at=at(2023, 12, 31),
    )
    target.refresh_from_db()
    assert target.due_date == date(2024, 6, 30) and target.lifecycle == "in_progress"
    # The three open milestones are spread over the extension: every 2 months from 31 Dec, the last on the new date.
    assert [m.due_date for m in target.milestones.all()] == [
        date(2023, 3, 31),
        date(2024, 2, 29),
        date(2024, 4, 30),
        date(2024, 6, 30),
    ]
    event = target.events.get(kind="extension")
    assert event.before["due_date"] == "2023-12-31" and event.after["due_date"] == "2024-06-30"


def test_milestone_mark_done(make_target, dept_housing, bob, alice):
    target = make_target(
        lead_department=dept_housing,
        kind="deliverable",
        quote="完成旧住房修缮",
        metric="",
        value=None,
        value_text="",
        unit="",
        relation="",
    )
    milestone = target.milestones.first()
    with pytest.raises(PermissionDenied):
        milestone_mark_done(milestone=milestone, acting_user=alice)
    milestone_mark_done(milestone=milestone, acting_user=bob, done_on=date(2023, 3, 20))
    milestone.refresh_from_db()
    target.refresh_from_db()
    assert milestone.done_on == date(2023, 3, 20) and target.lifecycle == "in_progress" and target.version == 2
    assert target.events.filter(kind="milestone").count() == 1
    with pytest.raises(TargetServiceError):
        milestone_mark_done(milestone=milestone, acting_user=bob)


def test_reassign_by_admin_only_with_history(target, ada, bob, dept_econ, dept_housing, other_org):
    from targets.services import target_reassign

    with pytest.raises(PermissionDenied):
        target_reassign(target=target, acting_user=bob, lead_department=dept_econ, expected_version=1)
    foreign = other_org.departments.create(name="经济发展办")
    with pytest.raises(TargetServiceError):
        target_reassign(target=target, acting_user=ada, lead_department=foreign, expected_version=1)
    target_reassign(
        target=target,
        acting_user=ada,
        lead_department=dept_econ,
        co_departments=[dept_housing, dept_econ],
        expected_version=1,
        note="按分工调整",
    )
    target.refresh_from_db()
    assert target.lead_department == dept_econ and list(target.co_departments.all()) == [dept_housing]
    assert target.version == 2
    event = target.events.get(kind="reassigned")
    assert event.before["lead_department"] == "房管办" and event.after["lead_department"] == "经济发展办"
    assert event.after["co_departments"] == ["房管办"]
    with pytest.raises(StaleVersionError):
        target_reassign(target=target, acting_user=ada, lead_department=dept_housing, expected_version=1)
