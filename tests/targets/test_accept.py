from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from reports.models import Commitment
from targets.models import Department, TargetEvent
from targets.services import TargetServiceError, target_create_from_commitment


def test_accept_creates_target_with_quarterly_milestones_and_event(make_commitment, ada, dept_housing):
    commitment = make_commitment()
    target = target_create_from_commitment(commitment=commitment, acting_user=ada)

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.ACCEPTED
    assert commitment.reviewed_by == ada and commitment.reviewed_at is not None
    assert target.commitment == commitment
    assert target.organisation == commitment.report.organisation
    assert target.title == "精品小区建设面积达到42万平方米"
    assert (target.target_value, target.unit, target.relation) == (420000, "平方米", "absolute")
    assert target.plan_year == 2023 and target.due_date == date(2023, 12, 31)
    assert target.lead_department == dept_housing  # 精品小区 -> 房管办, existing row reused
    milestones = list(target.milestones.all())
    assert [m.due_date for m in milestones] == [
        date(2023, 3, 31),
        date(2023, 6, 30),
        date(2023, 9, 30),
        date(2023, 12, 31),
    ]
    assert [m.expected_value for m in milestones] == [105000, 210000, 315000, 420000]
    assert [m.expected_percent for m in milestones] == [25, 50, 75, 100]
    event = TargetEvent.objects.get(target=target)
    assert event.kind == "created" and event.before is None and event.actor == ada
    assert event.after["lead_department"] == "房管办" and len(event.after["milestones"]) == 4


def test_growth_target_stores_only_percentages(make_commitment, ada):
    commitment = make_commitment(
        quote="区级税收增长15%", metric="区级税收", value=15, value_text="15%", unit="%", relation="growth"
    )
    target = target_create_from_commitment(commitment=commitment, acting_user=ada)
    assert target.title == "区级税收增长15%"
    assert target.lead_department.name == "经济发展办"
    assert [m.expected_value for m in target.milestones.all()] == [None] * 4
    assert [m.expected_percent for m in target.milestones.all()] == [25, 50, 75, 100]


def test_deliverable_and_condition_milestones(make_commitment, ada):
    deliverable = target_create_from_commitment(
        commitment=make_commitment(
            kind="deliverable",
            quote="3．完成上钞苑旧住房综合修缮改造项目。",
            metric="",
            value=None,
            value_text="",
            unit="",
            relation="",
        ),
        acting_user=ada,
    )
    assert deliverable.title == "完成上钞苑旧住房综合修缮改造项目"
    assert [m.title[:4] for m in deliverable.milestones.all()] == ["启动实施", "推进实施", "基本完成", "全面完成"]
    condition = target_create_from_commitment(
        commitment=make_commitment(
            kind="condition", quote="确保无重大安全事故", metric="", value=None, value_text="", unit="", relation=""
        ),
        acting_user=ada,
    )
    assert condition.lead_department.name == "安全办"
    assert [(m.due_date, m.expected_percent) for m in condition.milestones.all()] == [(date(2023, 12, 31), 100)]


def test_given_department_due_date_and_co_departments(make_commitment, ada, dept_econ, dept_housing):
    target = target_create_from_commitment(
        commitment=make_commitment(),
        acting_user=ada,
        lead_department=dept_econ,
        co_departments=[dept_housing, dept_econ],
        due_date=date(2023, 6, 30),
    )
    assert target.lead_department == dept_econ
    assert list(target.co_departments.all()) == [dept_housing]
    assert [m.due_date for m in target.milestones.all()] == [date(2023, 3, 31), date(2023, 6, 30)]
    assert [m.expected_percent for m in target.milestones.all()] == [50, 100]


def test_accept_twice_is_refused_and_changes_nothing(make_commitment, ada):
    commitment = make_commitment()
    target_create_from_commitment(commitment=commitment, acting_user=ada)
    with pytest.raises(TargetServiceError, match="不是待审核"):
        target_create_from_commitment(commitment=commitment, acting_user=ada)
    assert TargetEvent.objects.count() == 1


def test_rejected_commitment_cannot_be_accepted(make_commitment, ada):
    commitment = make_commitment(status="rejected", reject_reason="重复")
    with pytest.raises(TargetServiceError):
        target_create_from_commitment(commitment=commitment, acting_user=ada)


def test_outsider_and_staff_cannot_accept(make_commitment, olga, alice):
    commitment = make_commitment()
    for user in (olga, alice):
        with pytest.raises(PermissionDenied):
            target_create_from_commitment(commitment=commitment, acting_user=user)
    commitment.refresh_from_db()
    assert commitment.status == "proposed"


def test_missing_department_is_created_once(make_commitment, ada, org):
    first = target_create_from_commitment(
        commitment=make_commitment(quote="新增就业岗位500个", metric="新增就业岗位"), acting_user=ada
    )
    second = target_create_from_commitment(
        commitment=make_commitment(quote="帮助创业200人", metric="帮助创业"), acting_user=ada
    )
    assert first.lead_department == second.lead_department
    assert Department.objects.filter(organisation=org, name="就业服务中心").count() == 1


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        (dict(metric="区级税收", value_text="15%", relation="growth", comparator=">="), "区级税收增长不低于15%"),
        (
            dict(metric="城镇登记失业率", value_text="4%", relation="share", comparator="<="),
            "城镇登记失业率控制在4%以内",
        ),
        (dict(metric="社区教育实践基地", value_text="3-5个", comparator="range"), "社区教育实践基地达到3-5个"),
        (dict(metric="新增就业岗位", value_text="500个", comparator="~"), "新增就业岗位达到500个左右"),
        (dict(metric="", value_text="", quote="（三）确保无重大安全事故。", kind="condition"), "确保无重大安全事故"),
    ],
)
def test_commitment_titles(make_commitment, fields, title):
    from targets.services import commitment_title

    assert commitment_title(make_commitment(**fields)) == title


def test_long_quote_is_cut(make_commitment):
    from targets.services import commitment_title

    title = commitment_title(make_commitment(kind="deliverable", metric="", value_text="", quote="推进" * 150))
    assert len(title) == 200 and title.endswith("…")
