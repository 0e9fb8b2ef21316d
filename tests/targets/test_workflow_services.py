"""Decisions, comments, escalation, cancelling, milestone edits and corrections: each a service with its event."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from targets_testdata import PDF, at

from targets import services
from targets.models import Evidence, Milestone, ProgressUpdate, Target, TargetEvent
from targets.services import StaleVersionError, TargetServiceError


@pytest.fixture
def target(make_target, dept_econ, dept_finance):
    target = make_target(lead_department=dept_econ)
    target.co_departments.set([dept_finance])
    return target


def _fresh(target: Target) -> Target:
    return Target.objects.get(pk=target.pk)


def test_extension_request_then_refusal_sends_back_with_reason(target, alice, sam):
    services.target_request_extension(
        target=target, acting_user=alice, expected_version=1, note="征地滞后", new_due_date=date(2024, 3, 31)
    )
    target = _fresh(target)
    assert target.lifecycle == "extension_requested" and target.requested_due_date == date(2024, 3, 31)
    with pytest.raises(TargetServiceError, match="不能申请销号"):
        services.target_request_signoff(target=target, acting_user=alice, expected_version=target.version)
    with pytest.raises(TargetServiceError, match="已有待审批"):
        services.target_request_extension(
            target=target, acting_user=alice, expected_version=target.version, note="再延"
        )
    with pytest.raises(PermissionDenied):
        services.target_decide_extension(target=target, acting_user=alice, approve=True, expected_version=2)
    with pytest.raises(TargetServiceError, match="理由"):
        services.target_decide_extension(target=target, acting_user=sam, approve=False, expected_version=2)
    services.target_decide_extension(target=target, acting_user=sam, approve=False, expected_version=2, note="理由不足")
    target = _fresh(target)
    assert target.lifecycle == "in_progress" and target.due_date == date(2023, 12, 31)
    assert target.requested_due_date is None and target.version == 3
    event = target.events.filter(kind="extension").latest("id")
    assert event.actor == sam and "驳回延期申请：理由不足" in event.message
    assert (event.before["lifecycle"], event.after["lifecycle"]) == ("extension_requested", "in_progress")


def test_extension_approval_uses_the_requested_date_and_moves_open_milestones(target, alice, sam):
    services.target_request_extension(
        target=target,
        acting_user=alice,
        expected_version=1,
        note="资金未到位",
        new_due_date=date(2024, 6, 30),
        at=at(2023, 11, 1),
    )
    services.target_decide_extension(
        target=_fresh(target), acting_user=sam, approve=True, expected_version=2, at=at(2023, 11, 2)
    )
    target = _fresh(target)
    assert target.due_date == date(2024, 6, 30) and target.lifecycle == "in_progress"
    assert max(m.due_date for m in target.milestones.all()) == date(2024, 6, 30)
    with pytest.raises(TargetServiceError, match="没有待审批"):
        services.target_decide_extension(target=target, acting_user=sam, approve=True, expected_version=3)


def test_extension_request_needs_a_later_date_and_a_reason(target, alice):
    with pytest.raises(TargetServiceError, match="晚于"):
        services.target_request_extension(
            target=target, acting_user=alice, expected_version=1, note="x", new_due_date=date(2023, 6, 30)
        )
    with pytest.raises(TargetServiceError, match="理由"):
        services.target_request_extension(target=target, acting_user=alice, expected_version=1, note=" ")
    assert _fresh(target).version == 1 and not target.events.filter(kind="lifecycle").exists()


def test_signoff_request_with_evidence_then_refusal_and_approval(target, alice, sam, upload):
    services.target_request_signoff(
        target=target, acting_user=alice, expected_version=1, note="已完成", files=[upload("验收.pdf", PDF)]
    )
    target = _fresh(target)
    assert target.lifecycle == "signoff_requested"
    request_event = target.events.get(kind="lifecycle")
    evidence = Evidence.objects.get()
    assert evidence.event == request_event and evidence.content_type == "application/pdf"
    assert request_event.after["evidence"] == ["验收.pdf"]

    with pytest.raises(TargetServiceError, match="理由"):
        services.target_decide_signoff(target=target, acting_user=sam, approve=False, expected_version=2)
    services.target_decide_signoff(target=target, acting_user=sam, approve=False, expected_version=2, note="缺验收单")
    assert _fresh(target).lifecycle == "in_progress"
    services.target_request_signoff(target=_fresh(target), acting_user=alice, expected_version=3)
    services.target_decide_signoff(
        target=_fresh(target), acting_user=sam, approve=True, expected_version=4, note="核实"
    )
    target = _fresh(target)
    assert target.lifecycle == "signed_off" and target.version == 5
    kinds = list(target.events.values_list("kind", "message"))
    assert ("signoff", "退回销号申请：缺验收单") in kinds and ("signoff", "销号：核实") in kinds


def test_comment_by_anyone_who_sees_it_does_not_bump_the_version(target, carol, bob, olga, upload):
    event = services.target_comment(target=target, acting_user=carol, text="财政资金已拨付", files=[upload()])
    assert event.kind == "comment" and event.actor == carol and event.evidence.count() == 1
    services.target_comment(target=target, acting_user=bob, text="房管办知悉")  # any department of the town may talk
    assert _fresh(target).version == 1
    with pytest.raises(PermissionDenied):
        services.target_comment(target=target, acting_user=olga, text="外单位")
    with pytest.raises(TargetServiceError):
        services.target_comment(target=target, acting_user=carol, text="  ")


def test_co_department_cannot_change_the_figure(target, carol):
    with pytest.raises(PermissionDenied, match="牵头单位"):
        services.progress_record(target=target, acting_user=carol, value=1, expected_version=1)
    assert not ProgressUpdate.objects.exists()


def test_escalation_by_a_supervisor_flags_and_unflags(target, sam, alice):
    with pytest.raises(PermissionDenied):
        services.target_escalate(target=target, acting_user=alice, expected_version=1, note="x")
    with pytest.raises(TargetServiceError, match="原因"):
        services.target_escalate(target=target, acting_user=sam, expected_version=1)
    services.target_escalate(target=target, acting_user=sam, expected_version=1, note="进度严重滞后，请分管领导督办")
    target = _fresh(target)
    assert target.escalated_at is not None and target.escalation_note.startswith("进度严重滞后")
    services.target_escalate(target=target, acting_user=sam, expected_version=2, escalate=False)
    target = _fresh(target)
    assert target.escalated_at is None
    events = list(target.events.filter(kind="escalation").order_by("id"))
    assert [e.after["escalated"] for e in events] == [True, False]


def test_cancel_keeps_the_record(target, ada, sam, alice):
    services.progress_record(target=target, acting_user=alice, value=1000, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.target_cancel(target=target, acting_user=sam, expected_version=2, note="x")
    services.target_cancel(target=_fresh(target), acting_user=ada, expected_version=2, note="上级调整，不再实施")
    target = _fresh(target)
    assert target.lifecycle == "cancelled"
    assert target.updates.count() == 1 and target.events.filter(kind="cancel").count() == 1
    with pytest.raises(TargetServiceError):
        services.progress_record(target=target, acting_user=alice, value=2, expected_version=3)


def test_milestone_create_edit_cancel_by_administrators_with_events(target, ada, alice):
    with pytest.raises(PermissionDenied):
        services.milestone_create(
            target=target, acting_user=alice, expected_version=1, title="x", due_date=date(2023, 5, 1)
        )
    milestone = services.milestone_create(
        target=target,
        acting_user=ada,
        expected_version=1,
        title="完成立项",
        due_date=date(2023, 2, 28),
        expected_percent=10,
    )
    services.milestone_update(
        milestone=milestone, acting_user=ada, expected_version=2, due_date=date(2023, 3, 15), title="完成立项审批"
    )
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_date) == ("完成立项审批", date(2023, 3, 15))
    edit = target.events.filter(kind="milestone").latest("id")
    assert edit.before["due_date"] == "2023-02-28" and edit.after["due_date"] == "2023-03-15"
    assert edit.before["title"] == "完成立项" and edit.after["title"] == "完成立项审批"

    services.milestone_cancel(milestone=milestone, acting_user=ada, expected_version=3, note="并入一季度节点")
    assert not Milestone.objects.filter(pk=milestone.pk).exists()  # out of every plan
    kept = Milestone.all_objects.get(pk=milestone.pk)
    assert kept.cancelled_at is not None  # but never deleted
    assert target.milestones.count() == 4 and _fresh(target).version == 4
    with pytest.raises(StaleVersionError):
        services.milestone_create(
            target=target, acting_user=ada, expected_version=3, title="迟到", due_date=date(2023, 5, 1)
        )


def test_correction_is_a_new_update_referencing_the_old_one(target, alice):
    wrong = services.progress_record(target=target, acting_user=alice, value=4200000, expected_version=1)
    fixed = services.progress_record(
        target=target, acting_user=alice, value=420000, note="多填了一个零", expected_version=2, corrects=wrong
    )
    assert fixed.corrects == wrong and ProgressUpdate.objects.count() == 2
    event = target.events.filter(kind="progress").latest("id")
    assert event.message.startswith("更正进展") and event.after["corrects"] == wrong.pk
    assert event.before["value"] == 4200000 and event.after["value"] == 420000


def test_stale_decisions_change_nothing(target, alice, sam):
    services.target_request_signoff(target=target, acting_user=alice, expected_version=1)
    before = list(TargetEvent.objects.values_list("id", flat=True))
    with pytest.raises(StaleVersionError):
        services.target_decide_signoff(target=_fresh(target), acting_user=sam, approve=True, expected_version=1)
    assert _fresh(target).lifecycle == "signoff_requested"
    assert list(TargetEvent.objects.values_list("id", flat=True)) == before


def test_a_bad_file_leaves_no_trace(target, alice, upload):
    fake = upload("scan.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(TargetServiceError, match="内容与扩展名不符"):
        services.progress_record(target=target, acting_user=alice, value=5, expected_version=1, files=[fake])
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists() and _fresh(target).version == 1


def test_admin_edit_records_before_and_after(target, ada, dept_housing):
    services.target_edit(
        target=target,
        acting_user=ada,
        expected_version=1,
        changes={"title": "精品小区建设 42 万平方米", "lead_department": dept_housing},
        co_departments=[],
    )
    event = target.events.filter(kind="edited").get()
    assert event.before["lead_department"] == "经济发展办" and event.after["lead_department"] == "房管办"
    assert event.before["co_departments"] == ["财政所"] and event.after["co_departments"] == []
    assert _fresh(target).version == 2
