"""An administrator edits the milestone plan: add, change or cancel a node."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from targets import limits
from targets.models import Milestone, Target, TargetEvent
from targets.services.basis import refresh_target_health
from targets.services.common import bump_version, note_suffix, plain, record_event, snapshot, transition
from targets.services.errors import TargetServiceError

MILESTONE_FIELDS = ("title", "due_date", "expected_percent", "expected_value", "done_on")


@transaction.atomic
def milestone_create(
    *,
    target: Target,
    acting_user,
    expected_version: int,
    title: str,
    due_date: date,
    expected_percent: float | None = None,
    expected_value: float | None = None,
    at: datetime | None = None,
) -> Milestone:
    """An administrator adds a node to the plan."""
    now = at or timezone.now()
    transition(acting_user, "edit_milestones", target)
    _check_milestone(
        target, title=title, due_date=due_date, expected_percent=expected_percent, expected_value=expected_value
    )
    before = snapshot(target)
    bump_version(target, expected_version, now)
    milestone = Milestone.objects.create(
        target=target,
        title=title.strip(),
        due_date=due_date,
        expected_percent=expected_percent,
        expected_value=expected_value,
    )
    refresh_target_health(target)
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.MILESTONE,
        f"新增时间节点：{milestone.title}（{due_date:%Y-%m-%d}）",
        before=before,
        after={**snapshot(target), "milestone": milestone.pk, **_milestone_values(milestone)},
        at=now,
    )
    return milestone


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, acting_user, expected_version: int, at: datetime | None = None, **changes
) -> Milestone:
    """An administrator edits a node (title, due date, expected percent or value, done date)."""
    now = at or timezone.now()
    target = milestone.target
    transition(acting_user, "edit_milestones", target)
    unknown = set(changes) - set(MILESTONE_FIELDS)
    if unknown:
        raise TargetServiceError(f"不能修改的字段：{'、'.join(sorted(unknown))}。", code="bad_field")
    if milestone.cancelled_at is not None:
        raise TargetServiceError("该时间节点已取消。", code="milestone_cancelled")
    changes = {k: v for k, v in changes.items() if getattr(milestone, k) != v}
    if not changes:
        return milestone
    _check_milestone(
        target,
        **{name: changes.get(name, getattr(milestone, name)) for name in MILESTONE_FIELDS},
        today=timezone.localdate(now),
    )
    old = _milestone_values(milestone)
    before = snapshot(target)
    bump_version(target, expected_version, now)
    for name, value in changes.items():
        setattr(milestone, name, value.strip() if name == "title" else value)
    milestone.save(update_fields=list(changes))
    refresh_target_health(target)
    new = _milestone_values(milestone)
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.MILESTONE,
        f"修改时间节点：{milestone.title}",
        before={**before, "milestone": milestone.pk, **{k: old[k] for k in changes}},
        after={**snapshot(target), "milestone": milestone.pk, **{k: new[k] for k in changes}},
        at=now,
    )
    return milestone


@transaction.atomic
def milestone_cancel(
    *, milestone: Milestone, acting_user, expected_version: int, note: str = "", at: datetime | None = None
) -> Milestone:
    """Removing a node cancels it: the row stays (with its history) and leaves the plan."""
    now = at or timezone.now()
    target = milestone.target
    transition(acting_user, "edit_milestones", target)
    if milestone.cancelled_at is not None:
        raise TargetServiceError("该时间节点已取消。", code="milestone_cancelled")
    before = snapshot(target)
    bump_version(target, expected_version, now)
    Milestone.all_objects.filter(pk=milestone.pk).update(cancelled_at=now)
    milestone.cancelled_at = now
    refresh_target_health(target)
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.MILESTONE,
        f"取消时间节点：{milestone.title}" + note_suffix(note),
        before={**before, "milestone": milestone.pk, **_milestone_values(milestone)},
        after={**snapshot(target), "milestone": milestone.pk, "cancelled": True, "note": note},
        at=now,
    )
    return milestone


def _check_milestone(
    target: Target,
    *,
    title: str,
    due_date: date,
    expected_percent: float | None,
    expected_value: float | None,
    done_on: date | None = None,
    today: date | None = None,
) -> None:
    if not (title or "").strip():
        raise TargetServiceError("请填写节点内容。", code="no_title")
    if expected_percent is not None and not 0 <= expected_percent <= 100:
        raise TargetServiceError("计划进度应在 0 到 100 之间。", code="percent_range")
    limits.check_percent(expected_percent, label="计划进度", maximum=100)
    limits.check_figure(expected_value, label="计划累计值")
    limits.check_target_date(due_date, plan_year=target.plan_year, label="节点时间")
    limits.check_past_date(done_on, plan_year=target.plan_year, label="完成日期", today=today)


def _milestone_values(milestone: Milestone) -> dict:
    return {name: plain(getattr(milestone, name)) for name in MILESTONE_FIELDS}
