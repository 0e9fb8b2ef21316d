"""Reviewing commitments: edit, reject with a reason, accept into targets, accept all; who may."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from reports.models import Commitment, Report
from reports.services import (
    CommitmentReviewError,
    commitment_accept,
    commitment_reject,
    commitment_reopen,
    commitment_update,
    commitments_accept_all,
)
from targets.models import Milestone, Target, TargetEvent

TEXT = (
    "二、2023 年主要目标任务\n"
    "区级税收增长 15%；社会消费品零售总额达到 73 亿元；\n"
    "完成精品小区开工建设 42 万平方米。确保全年无重大安全事故。\n"
)


def make_report(org, **fields) -> Report:
    """A report with three proposed commitments whose offsets index TEXT."""
    report = Report.objects.create(
        organisation=org,
        title="测试镇2023年政府工作报告",
        original_name="report.txt",
        file_type="txt",
        encoding="utf-8",
        size=len(TEXT.encode()),
        sha256=hashlib.sha256(TEXT.encode() + str(fields).encode()).hexdigest(),
        text=TEXT,
        plan_year=2023,
        **fields,
    )
    rows = [
        ("区级税收增长 15%", "quantitative", "区级税收增速", 15, "%", "growth"),
        ("社会消费品零售总额达到 73 亿元", "quantitative", "社会消费品零售总额", 7.3e9, "元", "absolute"),
        ("完成精品小区开工建设 42 万平方米", "quantitative", "精品小区开工建设面积", 420000, "平方米", "absolute"),
        ("确保全年无重大安全事故", "condition", "重大安全事故", None, "", ""),
    ]
    for quote, kind, metric, value, unit, relation in rows:
        start = TEXT.index(quote)
        report.commitments.create(
            quote=quote,
            start=start,
            end=start + len(quote),
            kind=kind,
            metric=metric,
            value=value,
            unit=unit,
            relation=relation,
            value_text=quote[-6:] if value else "",
            plan_year=2023,
        )
    return report


@pytest.fixture
def report(org):
    return make_report(org)


def first(report, metric) -> Commitment:
    return report.commitments.get(metric=metric)


def test_update_corrects_fields_of_a_proposed_commitment(report, ada):
    commitment = first(report, "区级税收增速")
    commitment_update(commitment=commitment, acting_user=ada, metric=" 区级税收增幅 ", value=16.5, comparator=">=")
    stored = Commitment.objects.get(pk=commitment.pk)
    assert (stored.metric, stored.value, stored.comparator) == ("区级税收增幅", 16.5, ">=")
    assert commitment.metric == "区级税收增幅"  # the caller's object follows
    assert stored.quote == "区级税收增长 15%"  # quote and offsets are never edited


def test_update_validates_choices_and_ranges(report, ada):
    commitment = first(report, "区级税收增速")
    with pytest.raises(CommitmentReviewError):
        commitment_update(commitment=commitment, acting_user=ada, comparator="!!")
    with pytest.raises(CommitmentReviewError, match="上限不能小于数值"):
        commitment_update(commitment=commitment, acting_user=ada, value=5, value_max=3)
    with pytest.raises(CommitmentReviewError, match="不能修改字段"):
        commitment_update(commitment=commitment, acting_user=ada, quote="改写原文")
    assert Commitment.objects.get(pk=commitment.pk).comparator == "="


def test_reject_needs_a_reason_and_keeps_it(report, ada):
    commitment = first(report, "重大安全事故")
    with pytest.raises(CommitmentReviewError, match="必须填写理由"):
        commitment_reject(commitment=commitment, acting_user=ada, reason="  ")
    commitment_reject(commitment=commitment, acting_user=ada, reason="不是考核指标")
    stored = Commitment.objects.get(pk=commitment.pk)
    assert stored.status == Commitment.Status.REJECTED
    assert stored.reject_reason == "不是考核指标"
    assert stored.reviewed_by == ada and stored.reviewed_at is not None
    with pytest.raises(CommitmentReviewError, match="已驳回"):
        commitment_update(commitment=stored, acting_user=ada, metric="x")
    with pytest.raises(CommitmentReviewError):
        commitment_accept(commitment=stored, acting_user=ada)


def test_reopen_undoes_a_rejection(report, ada):
    commitment = first(report, "重大安全事故")
    commitment_reject(commitment=commitment, acting_user=ada, reason="重复")
    commitment_reopen(commitment=commitment, acting_user=ada)
    stored = Commitment.objects.get(pk=commitment.pk)
    assert stored.status == Commitment.Status.PROPOSED and stored.reject_reason == ""


def test_accept_creates_target_with_milestones_and_history(report, ada, dept_econ):
    commitment = first(report, "区级税收增速")
    target = commitment_accept(commitment=commitment, acting_user=ada, lead_department=dept_econ)
    assert target.commitment_id == commitment.pk
    assert target.lead_department == dept_econ
    assert target.plan_year == 2023 and target.due_date == date(2023, 12, 31)
    assert (target.target_value, target.unit, target.relation) == (15, "%", "growth")
    assert Milestone.objects.filter(target=target).count() == 4
    assert TargetEvent.objects.filter(target=target, kind="created", actor=ada).exists()
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.ACCEPTED
    with pytest.raises(CommitmentReviewError):  # a second accept is refused, nothing duplicated
        commitment_reject(commitment=commitment, acting_user=ada, reason="晚了")
    assert Target.objects.filter(commitment=commitment).count() == 1


def test_accept_without_department_uses_the_suggestion(report, ada):
    target = commitment_accept(commitment=first(report, "精品小区开工建设面积"), acting_user=ada)
    assert target.lead_department is not None
    assert target.lead_department.organisation == report.organisation


def test_accept_all_accepts_only_the_remaining_proposed(report, ada):
    commitment_reject(commitment=first(report, "重大安全事故"), acting_user=ada, reason="约束性条件")
    commitment_accept(commitment=first(report, "区级税收增速"), acting_user=ada)
    targets = commitments_accept_all(report=report, acting_user=ada)
    assert sorted(t.metric for t in targets) == ["社会消费品零售总额", "精品小区开工建设面积"]
    statuses = dict(report.commitments.values_list("metric", "status"))
    assert statuses == {
        "区级税收增速": "accepted",
        "社会消费品零售总额": "accepted",
        "精品小区开工建设面积": "accepted",
        "重大安全事故": "rejected",
    }
    assert commitments_accept_all(report=report, acting_user=ada) == []
    assert Target.objects.filter(organisation=report.organisation).count() == 3


@pytest.mark.parametrize("persona", ["alice", "sam", "olga"])
def test_only_administrators_of_the_organisation_review(report, persona, request):
    user = request.getfixturevalue(persona)
    commitment = first(report, "区级税收增速")
    with pytest.raises(PermissionDenied):
        commitment_update(commitment=commitment, acting_user=user, metric="x")
    with pytest.raises(PermissionDenied):
        commitment_reject(commitment=commitment, acting_user=user, reason="x")
    with pytest.raises(PermissionDenied):
        commitment_accept(commitment=commitment, acting_user=user)
    with pytest.raises(PermissionDenied):
        commitments_accept_all(report=report, acting_user=user)
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.PROPOSED
    assert not Target.objects.exists()
