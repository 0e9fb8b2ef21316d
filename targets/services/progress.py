"""Progress: a reported figure or percent, and a ticked milestone (both move a target that had not started)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from targets import limits
from targets.health import Figure, PlanNode, health_dates
from targets.health_facts import NODE_FIELDS, facts_of
from targets.models import Milestone, ProgressUpdate, Target, TargetEvent
from targets.services.basis import refresh_target_health
from targets.services.common import attach_files, bump_version, checked_files, record_event, snapshot, transition
from targets.services.errors import TargetServiceError
from targets.vocabulary import Comparator


@transaction.atomic
def progress_record(
    *,
    target: Target,
    acting_user,
    value: float | None = None,
    percent: float | None = None,
    note: str = "",
    expected_version: int,
    corrects: ProgressUpdate | None = None,
    files: Iterable = (),
    at: datetime | None = None,
) -> ProgressUpdate:
    """Append a progress update (cumulative value and/or percent, a note, evidence files).

    A correction is a new update pointing at the one it corrects. Moves a
    target that had not started to 推进中, and ticks the quantitative milestones
    whose expected figure the update reaches.
    """
    now = at or timezone.now()
    move = transition(acting_user, "report_progress", target)
    files = checked_files(files)
    note = (note or "").strip()
    if value is None and percent is None and not note and not files:
        raise TargetServiceError("请填写完成值、完成比例或进展说明中的至少一项。", code="empty")
    if percent is not None and not 0 <= percent <= 1000:
        raise TargetServiceError("完成比例应在 0 到 1000 之间。", code="percent_range")
    limits.check_figure(value, label="累计完成值")
    limits.check_percent(percent, label="完成比例")
    if corrects is not None and corrects.target_id != target.pk:
        raise TargetServiceError("只能更正本任务的进展记录。", code="foreign_update")

    before = snapshot(target)
    lifecycle = move.next_state(target.lifecycle)
    on = timezone.localdate(now)
    # The lean write path: the plan and the latest figure, not the history. Read before the conditional UPDATE
    # takes the row lock, which is safe: whatever changes them also bumps the version, and then that UPDATE
    # matches no row (409) instead of storing a basis computed from stale rows.
    plan = [
        PlanNode(*row)
        for row in Milestone.objects.filter(target=target).order_by("due_date", "id").values_list(*NODE_FIELDS[1:])
    ]
    previous = (
        ProgressUpdate.objects.filter(target=target)
        .order_by("-created_at", "-id")
        .values_list("created_at", "value", "percent")
        .first()
    )
    reached = _reached_milestones(target, plan, value=value, percent=percent)
    ticked = [m.pk for m in reached]
    plan = [replace(m, done_on=on) if m.pk in ticked else m for m in plan]
    # The new row is the latest unless one was back-dated after it (ties go to the new, higher id).
    newest = previous is None or previous[0] <= now
    latest = Figure(now, value, percent) if newest else Figure(*previous)
    # This service's explicit health call: the dates go into the same conditional UPDATE as the version.
    dates = health_dates(facts_of(target, plan=plan, latest=latest))
    bump_version(target, expected_version, now, lifecycle=lifecycle, **dates.as_fields())

    update = ProgressUpdate.objects.create(
        target=target, author=acting_user, created_at=now, value=value, percent=percent, note=note, corrects=corrects
    )
    attached = attach_files(target, files, acting_user, now, update=update)
    if ticked:
        Milestone.objects.filter(pk__in=ticked).update(done_on=on)
    after = {**snapshot(target), "value": value, "percent": percent, "update": update.pk}
    if corrects is not None:
        after["corrects"] = corrects.pk
        before = {**before, "value": corrects.value, "percent": corrects.percent, "update": corrects.pk}
    if attached:
        after["evidence"] = [e.original_name for e in attached]
    if ticked:
        after["milestones_done"] = ticked
    message = "更正进展" if corrects is not None else "填报进展"
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.PROGRESS,
        f"{message}：{_describe(value, percent, target.unit)}",
        before=before,
        after=after,
        at=now,
    )
    return update


@transaction.atomic
def milestone_mark_done(
    *,
    milestone: Milestone,
    acting_user,
    done_on: date | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Milestone:
    """Tick a milestone as done (deliverables are tracked this way).

    Pages and the API pass the version they saw; `expected_version=None` (scripts) bumps whatever is current.
    """
    now = at or timezone.now()
    target = milestone.target
    move = transition(acting_user, "tick_milestone", target)
    if milestone.cancelled_at is not None:
        raise TargetServiceError("该时间节点已取消。", code="milestone_cancelled")
    if milestone.done_on is not None:
        raise TargetServiceError("该时间节点已完成。", code="already_done")
    limits.check_past_date(done_on, plan_year=target.plan_year, label="完成日期", today=timezone.localdate(now))
    before = snapshot(target)
    fields = {}
    if move.next_state(target.lifecycle) != target.lifecycle:
        fields["lifecycle"] = move.next_state(target.lifecycle)
    if expected_version is None:
        Target.objects.filter(pk=target.pk).update(version=F("version") + 1, updated_at=now, **fields)
        target.refresh_from_db(fields=["version", "lifecycle", "updated_at"])
    else:
        bump_version(target, expected_version, now, **fields)
    milestone.done_on = done_on or timezone.localdate(now)
    milestone.save(update_fields=["done_on"])
    refresh_target_health(target)
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.MILESTONE,
        f"完成时间节点：{milestone.title}",
        before={**before, "milestone": milestone.pk, "done_on": None},
        after={**snapshot(target), "milestone": milestone.pk, "done_on": milestone.done_on.isoformat()},
        at=now,
    )
    return milestone


def _reached_milestones(
    target: Target, milestones: list[PlanNode], *, value: float | None, percent: float | None
) -> list[PlanNode]:
    """The open quantitative milestones whose expected figure this report reaches (to be ticked)."""
    if target.kind != Target.Kind.QUANTITATIVE or target.comparator == Comparator.LE:
        return []  # a ceiling is met by staying under it until the end, not by reaching a figure
    reached = []
    for milestone in milestones:
        if milestone.done_on is not None:
            continue
        if percent is not None and milestone.expected_percent is not None:
            if percent >= milestone.expected_percent:
                reached.append(milestone)
        elif value is not None and milestone.expected_value is not None and value >= milestone.expected_value:
            reached.append(milestone)
    return reached


def _describe(value: float | None, percent: float | None, unit: str) -> str:
    parts = []
    if value is not None:
        parts.append(f"累计 {value:g}{unit}")
    if percent is not None:
        parts.append(f"完成 {percent:g}%")
    return "，".join(parts) or "进展说明"
