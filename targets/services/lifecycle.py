"""Lifecycle decisions: sign-off and extension requests and answers, escalation, cancellation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from targets import limits
from targets.models import Target, TargetEvent
from targets.services.basis import refresh_target_health
from targets.services.common import (
    attach_files,
    bump_version,
    checked_files,
    note_suffix,
    record_event,
    snapshot,
    transition,
)
from targets.services.errors import TargetServiceError
from targets.services.plans import respread_open_milestones


@transaction.atomic
def target_request_signoff(
    *,
    target: Target,
    acting_user,
    expected_version: int,
    note: str = "",
    files: Iterable = (),
    at: datetime | None = None,
) -> Target:
    """The lead department asks the supervisor to verify and sign off (申请销号), with its evidence."""
    move = transition(acting_user, "request_signoff", target)
    files = checked_files(files)
    _change_lifecycle(
        target,
        acting_user,
        move.next_state(target.lifecycle),
        TargetEvent.Kind.LIFECYCLE,
        "申请销号",
        note,
        expected_version,
        at,
        files=files,
    )
    return target


@transaction.atomic
def target_sign_off(
    *, target: Target, acting_user, expected_version: int, note: str = "", at: datetime | None = None
) -> Target:
    """A supervisor verifies the target is done and signs it off (销号), requested or not."""
    move = transition(acting_user, "sign_off", target)
    return _change_lifecycle(
        target,
        acting_user,
        move.next_state(target.lifecycle),
        TargetEvent.Kind.SIGNOFF,
        "销号",
        note,
        expected_version,
        at,
    )


@transaction.atomic
def target_request_extension(
    *,
    target: Target,
    acting_user,
    expected_version: int,
    note: str,
    new_due_date: date | None = None,
    at: datetime | None = None,
) -> Target:
    """The lead department asks for more time (申请延期), with a reason and the date it asks for."""
    move = transition(acting_user, "request_extension", target)
    if not (note or "").strip():
        raise TargetServiceError("申请延期须说明理由。", code="no_reason")
    if new_due_date is not None and new_due_date <= target.due_date:
        raise TargetServiceError("申请的完成时限必须晚于原时限。", code="not_later")
    limits.check_target_date(new_due_date, plan_year=target.plan_year, label="申请的完成时限")
    label = "申请延期" + (f"至 {new_due_date:%Y-%m-%d}" if new_due_date else "")
    return _change_lifecycle(
        target,
        acting_user,
        move.next_state(target.lifecycle),
        TargetEvent.Kind.LIFECYCLE,
        label,
        note,
        expected_version,
        at,
        requested_due_date=new_due_date,
    )


@transaction.atomic
def target_extend(
    *,
    target: Target,
    acting_user,
    new_due_date: date,
    expected_version: int,
    note: str = "",
    at: datetime | None = None,
) -> Target:
    """A supervisor grants an extension: the due date moves, and the open milestones are re-spread
    evenly from the day of approval to the new due date (the last one on it)."""
    now = at or timezone.now()
    move = transition(acting_user, "extend", target)
    if new_due_date <= target.due_date:
        raise TargetServiceError("延期后的完成时限必须晚于原时限。", code="not_later")
    limits.check_target_date(new_due_date, plan_year=target.plan_year, label="延期后的完成时限")
    before = snapshot(target)
    lifecycle = move.next_state(target.lifecycle)
    bump_version(target, expected_version, now, lifecycle=lifecycle, due_date=new_due_date, requested_due_date=None)
    moved = respread_open_milestones(target, start=timezone.localdate(now), end=new_due_date)
    refresh_target_health(target)
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.EXTENSION,
        f"批准延期至 {new_due_date:%Y-%m-%d}" + note_suffix(note),
        before=before,
        after={**snapshot(target), "milestones_moved": moved, "note": note},
        at=now,
    )
    return target


@transaction.atomic
def target_decide_extension(
    *,
    target: Target,
    acting_user,
    approve: bool,
    expected_version: int,
    note: str = "",
    new_due_date: date | None = None,
    at: datetime | None = None,
) -> Target:
    """A supervisor answers a 申请延期: approve (to `new_due_date` or the date asked for) or refuse with a reason.

    Refusing sends the target back to 推进中 with its due date unchanged.
    """
    move = transition(acting_user, "approve_extension" if approve else "refuse_extension", target)
    if approve:
        new_due_date = new_due_date or target.requested_due_date
        if new_due_date is None:
            raise TargetServiceError("请填写延期后的完成时限。", code="no_date")
        return target_extend(
            target=target,
            acting_user=acting_user,
            new_due_date=new_due_date,
            expected_version=expected_version,
            note=note,
            at=at,
        )
    if not (note or "").strip():
        raise TargetServiceError("驳回延期申请须说明理由。", code="no_reason")
    return _change_lifecycle(
        target,
        acting_user,
        move.next_state(target.lifecycle),
        TargetEvent.Kind.EXTENSION,
        "驳回延期申请",
        note,
        expected_version,
        at,
        requested_due_date=None,
    )


@transaction.atomic
def target_decide_signoff(
    *,
    target: Target,
    acting_user,
    approve: bool,
    expected_version: int,
    note: str = "",
    at: datetime | None = None,
) -> Target:
    """A supervisor answers a 申请销号: approve (closes it: 已销号) or refuse (back to 推进中, with a reason)."""
    move = transition(acting_user, "approve_signoff" if approve else "return_signoff", target)
    if approve:
        return target_sign_off(
            target=target, acting_user=acting_user, expected_version=expected_version, note=note, at=at
        )
    if not (note or "").strip():
        raise TargetServiceError("退回销号申请须说明理由。", code="no_reason")
    return _change_lifecycle(
        target,
        acting_user,
        move.next_state(target.lifecycle),
        TargetEvent.Kind.SIGNOFF,
        "退回销号申请",
        note,
        expected_version,
        at,
    )


@transaction.atomic
def target_escalate(
    *,
    target: Target,
    acting_user,
    expected_version: int,
    note: str = "",
    escalate: bool = True,
    at: datetime | None = None,
) -> Target:
    """A supervisor flags a target for escalation (督办升级), or lifts the flag (`escalate=False`)."""
    now = at or timezone.now()
    transition(acting_user, "escalate", target)
    note = (note or "").strip()
    if escalate and not note:
        raise TargetServiceError("督办升级须说明原因。", code="no_reason")
    if escalate == (target.escalated_at is not None):
        raise TargetServiceError("该任务已督办升级。" if escalate else "该任务未督办升级。", code="unchanged")
    before = snapshot(target)
    bump_version(
        target, expected_version, now, escalated_at=now if escalate else None, escalation_note=note if escalate else ""
    )
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.ESCALATION,
        ("督办升级" if escalate else "解除督办升级") + note_suffix(note),
        before=before,
        after={**snapshot(target), "note": note},
        at=now,
    )
    return target


@transaction.atomic
def target_cancel(
    *, target: Target, acting_user, expected_version: int, note: str, at: datetime | None = None
) -> Target:
    """An administrator cancels a target (已取消): the record, its history and evidence stay."""
    move = transition(acting_user, "cancel", target)
    if not (note or "").strip():
        raise TargetServiceError("取消任务须说明理由。", code="no_reason")
    return _change_lifecycle(
        target,
        acting_user,
        move.next_state(target.lifecycle),
        TargetEvent.Kind.CANCEL,
        "取消任务",
        note,
        expected_version,
        at,
    )


def _change_lifecycle(
    target, acting_user, lifecycle, kind, label, note, expected_version, at, *, files=(), **fields
) -> Target:
    now = at or timezone.now()
    before = snapshot(target)
    bump_version(target, expected_version, now, lifecycle=lifecycle, **fields)
    after = {**snapshot(target), "note": (note or "").strip()}
    for name, value in fields.items():
        after[name] = value.isoformat() if isinstance(value, date) else value
    event = record_event(target, acting_user, kind, label + note_suffix(note), before=before, after=after, at=now)
    attached = attach_files(target, files, acting_user, now, event=event)
    if attached:
        event.after = {**after, "evidence": [e.original_name for e in attached]}
        event.save(update_fields=["after"])
    return target
