from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from targets.health import target_health
from targets.models import Target
from targets.selectors import (
    filter_targets,
    target_detail,
    targets_due_soon,
    targets_for_user,
    targets_overdue,
)


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_staff_see_lead_then_co_department_then_the_rest(make_target, alice, dept_econ, dept_housing, olga):
    other = make_target(lead_department=dept_housing, due_date=date(2023, 3, 1))
    co = make_target(lead_department=dept_housing, due_date=date(2023, 6, 1))
    co.co_departments.add(dept_econ)
    lead = make_target(lead_department=dept_econ, due_date=date(2023, 12, 1))
    assert list(targets_for_user(user=alice)) == [lead, co, other]
    assert list(targets_for_user(user=olga)) == []


def test_supervisors_see_their_organisations_and_children(make_target, sam, ada, dept_housing, org, olga):
    from reports.models import Commitment
    from targets.models import Organisation
    from targets.services import target_create_from_commitment

    target = make_target(lead_department=dept_housing)
    village = Organisation.objects.create(name="下属村", parent=org)
    report = target.commitment.report
    report.pk = None  # a copy of the town's report, filed by the village
    report.organisation, report.sha256 = village, "0" * 64
    report.save()
    child_commitment = Commitment.objects.create(
        report=report, quote="村级道路修缮", start=0, end=5, kind="deliverable"
    )
    child_target = target_create_from_commitment(commitment=child_commitment, acting_user=ada)
    assert set(targets_for_user(user=sam)) == {target, child_target}
    assert list(targets_for_user(user=olga)) == []


def test_filters(make_target, dept_econ, dept_housing):
    econ = make_target(lead_department=dept_econ)
    housing = make_target(lead_department=dept_housing)
    housing.co_departments.add(dept_econ)

    assert set(filter_targets(Target.objects.all(), department=dept_econ.pk)) == {econ, housing}
    assert set(filter_targets(Target.objects.all(), department=dept_housing.pk)) == {housing}
    assert list(filter_targets(Target.objects.all(), lifecycle="signed_off")) == []
    assert set(filter_targets(Target.objects.all(), plan_year=2023)) == {econ, housing}


def test_overdue_and_detail(make_target, dept_housing, sam, bob, django_assert_max_num_queries):
    from targets.services import progress_record

    late = make_target(lead_department=dept_housing, due_date=date(2023, 3, 31))
    on_plan = make_target(lead_department=dept_housing)
    progress_record(target=on_plan, acting_user=bob, value=110000, expected_version=1, at=at(2023, 3, 28))  # Q1
    assert targets_overdue(on=date(2023, 4, 3), user=sam) == [late]
    assert targets_overdue(on=date(2023, 3, 1), user=sam) == []
    progress_record(target=on_plan, acting_user=bob, value=190000, expected_version=2, at=at(2023, 6, 20))
    assert targets_due_soon(on=date(2023, 6, 26), organisation=on_plan.organisation) == [on_plan]
    assert targets_due_soon(on=date(2023, 6, 26), user=sam, queryset=Target.objects.none()) == []
    with django_assert_max_num_queries(8):
        target = target_detail(pk=late.pk)
        assert target_health(target, on=date(2023, 4, 3)) == "overdue"
        assert [e.kind for e in target.events.all()] == ["created"]
        assert target.commitment.report.title
