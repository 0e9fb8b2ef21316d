"""Every write to a target that matters: accept a commitment, record progress, sign off.

Each service takes keyword arguments, runs in one transaction, checks the
acting user's permission through `targets.permissions`, and writes an explicit
`TargetEvent` (no signals). Writes that a person makes from a form carry the
version they saw (`expected_version`): a conditional UPDATE bumps it, and a
stale version raises `StaleVersionError` and changes nothing.

`at` (optional on every service) is when the change happened; it defaults to
now and exists so the demo can lay down a plausible history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reports.models import Commitment
from targets import permissions
from targets.models import Department, Milestone, ProgressUpdate, Target, TargetEvent
from targets.suggestions import suggest_lead_department

RATE_RELATIONS = {"growth", "share", "ratio", "rank"}
CLOSED = {Target.Lifecycle.SIGNED_OFF, Target.Lifecycle.CANCELLED}
COMPARATOR_WORDS = {"=": "达到", ">=": "不低于", "<=": "不高于", "range": "达到", "~": "达到"}
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
DELIVERABLE_STEPS = ("启动实施", "推进实施", "基本完成", "全面完成")


class StaleVersionError(Exception):
    """The target changed since the form was loaded; nothing was written."""

    message = "该任务已被他人更新，请刷新页面后重新填报。"

    def __str__(self) -> str:
        return self.message


class TargetServiceError(ValidationError):
    """A request that breaks a rule of the target workflow (message in Chinese)."""


# --- accepting a commitment -------------------------------------------------


def commitment_title(commitment: Commitment) -> str:
    """A readable task text: 「指标 + 比较 + 数值」 for figures, the cleaned quote otherwise."""
    metric = (commitment.metric or "").strip()
    value_text = (commitment.value_text or "").strip()
    if commitment.kind == Commitment.Kind.QUANTITATIVE and metric and value_text:
        if commitment.relation == "growth" and "增" not in value_text:
            word = "增长不低于" if commitment.comparator == ">=" else "增长"
        elif commitment.comparator == "<=":
            return f"{metric}控制在{value_text}以内"[:500]
        else:
            word = COMPARATOR_WORDS.get(commitment.comparator, "达到")
        suffix = "左右" if commitment.comparator == "~" and "左右" not in value_text else ""
        return f"{metric}{word}{value_text}{suffix}"[:500]
    return clean_quote(commitment.quote) or metric or "未命名任务"


def clean_quote(quote: str, limit: int = 200) -> str:
    """The quote without list numbering, line breaks and trailing punctuation, cut at `limit`."""
    text = re.sub(r"\s+", "", quote or "")
    text = re.sub(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])", "", text)
    text = text.rstrip("。；;，,")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def default_milestones(target: Target) -> list[Milestone]:
    """The default plan (unsaved): quarter ends up to the due date; one year-end node for conditions.

    Quantitative targets get 25/50/75/100 % (spread evenly when the due date
    cuts the year short); a level also gets the expected cumulative value, a
    rate (growth, share, ratio) only the percentage of the way.
    """
    due = target.due_date
    if target.kind == Target.Kind.CONDITION:
        return [Milestone(target=target, title="全年保持", due_date=due, expected_percent=100)]
    dates = [date(target.plan_year, m, d) for m, d in QUARTER_ENDS]
    dates = [d for d in dates if d < due] + [due]
    dates = dates[-4:]
    count = len(dates)
    level = target.kind == Target.Kind.QUANTITATIVE and target.relation not in RATE_RELATIONS
    milestones = []
    for index, due_on in enumerate(dates, start=1):
        share = index / count
        percent = round(share * 100, 1)
        if target.kind == Target.Kind.DELIVERABLE:
            step = DELIVERABLE_STEPS[len(DELIVERABLE_STEPS) - count + index - 1]
            title = f"{step}（{percent:g}%）"
        else:
            title = f"完成{percent:g}%"
        expected_value = None
        if level and target.target_value is not None:
            expected_value = round(target.target_value * share, 4)
        milestones.append(
            Milestone(
                target=target, title=title, due_date=due_on, expected_percent=percent, expected_value=expected_value
            )
        )
    return milestones


@transaction.atomic
def target_create_from_commitment(
    *,
    commitment: Commitment,
    acting_user,
    lead_department: Department | None = None,
    co_departments: Iterable[Department] = (),
    due_date: date | None = None,
    at: datetime | None = None,
) -> Target:
    """Accept a proposed commitment: mark it accepted and create its target, milestones and history.

    `acting_user` may be None for system imports (CLI); a person must be able
    to manage the report's organisation.
    """
    now = at or timezone.now()
    report = commitment.report
    organisation = report.organisation
    if acting_user is not None and not permissions.can_manage_organisation(acting_user, organisation):
        raise PermissionDenied("您没有权限采纳该组织的承诺事项。")
    # Lock the row so two administrators cannot accept the same commitment twice.
    locked = Commitment.objects.select_for_update().filter(pk=commitment.pk, status=Commitment.Status.PROPOSED)
    if not locked.exists():
        raise TargetServiceError("该承诺事项不是待审核状态，不能重复采纳。", code="not_proposed")
    plan_year = commitment.plan_year or report.plan_year or now.year
    if lead_department is None:
        lead_department = suggest_lead_department(
            organisation=organisation, text=f"{commitment.metric} {commitment.quote}"
        )
    elif lead_department.organisation_id != organisation.pk:
        raise TargetServiceError("牵头单位必须属于本组织。", code="foreign_department")
    co_departments = [d for d in co_departments if d.pk != lead_department.pk]
    if any(d.organisation_id != organisation.pk for d in co_departments):
        raise TargetServiceError("责任单位必须属于本组织。", code="foreign_department")

    updated = locked.update(
        status=Commitment.Status.ACCEPTED, reviewed_by=acting_user, reviewed_at=now, reject_reason=""
    )
    assert updated == 1
    commitment.status = Commitment.Status.ACCEPTED
    commitment.reviewed_by = acting_user
    commitment.reviewed_at = now

    target = Target.objects.create(
        organisation=organisation,
        commitment=commitment,
        title=commitment_title(commitment),
        metric=commitment.metric or "",
        kind=commitment.kind,
        lead_department=lead_department,
        plan_year=plan_year,
        due_date=due_date or date(plan_year, 12, 31),
        target_value=commitment.value,
        target_value_max=commitment.value_max,
        unit=commitment.unit or "",
        comparator=commitment.comparator or "",
        relation=commitment.relation or "",
        baseline=commitment.baseline or "",
        stretch_value=commitment.stretch_value,
    )
    if at is not None:
        # created_at is auto_now_add; the demo back-dates its history.
        Target.objects.filter(pk=target.pk).update(created_at=at, updated_at=at)
        target.created_at = target.updated_at = at
    if co_departments:
        target.co_departments.set(co_departments)
    milestones = Milestone.objects.bulk_create(default_milestones(target))
    _event(
        target,
        acting_user,
        TargetEvent.Kind.CREATED,
        f"采纳承诺事项，牵头单位：{lead_department.name}",
        before=None,
        after={
            **_snapshot(target),
            "commitment": commitment.pk,
            "co_departments": [d.name for d in co_departments],
            "milestones": [{"title": m.title, "due_date": m.due_date.isoformat()} for m in milestones],
        },
        at=now,
    )
    return target


# --- progress and lifecycle ----------------------------------------------------


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
    at: datetime | None = None,
) -> ProgressUpdate:
    """Append a progress update (cumulative value and/or percent and a note).

    A correction is a new update pointing at the one it corrects. Moves a
    target that had not started to 推进中, and ticks the quantitative milestones
    whose expected figure the update reaches.
    """
    now = at or timezone.now()
    if not permissions.can_report_progress(acting_user, target):
        raise PermissionDenied("只有牵头单位的工作人员或管理员可以填报该任务的进展。")
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消，不能再填报进展。", code="closed")
    note = (note or "").strip()
    if value is None and percent is None and not note:
        raise TargetServiceError("请填写完成值、完成比例或进展说明中的至少一项。", code="empty")
    if percent is not None and not 0 <= percent <= 1000:
        raise TargetServiceError("完成比例应在 0 到 1000 之间。", code="percent_range")
    if corrects is not None and corrects.target_id != target.pk:
        raise TargetServiceError("只能更正本任务的进展记录。", code="foreign_update")

    before = _snapshot(target)
    lifecycle = target.lifecycle
    if lifecycle == Target.Lifecycle.NOT_STARTED:
        lifecycle = Target.Lifecycle.IN_PROGRESS
    _bump_version(target, expected_version, now, lifecycle=lifecycle)

    update = ProgressUpdate.objects.create(
        target=target, author=acting_user, created_at=now, value=value, percent=percent, note=note, corrects=corrects
    )
    ticked = _tick_reached_milestones(target, value=value, percent=percent, on=timezone.localdate(now))
    after = {**_snapshot(target), "value": value, "percent": percent, "update": update.pk}
    if ticked:
        after["milestones_done"] = ticked
    message = "更正进展" if corrects is not None else "填报进展"
    _event(
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
    *, milestone: Milestone, acting_user, done_on: date | None = None, at: datetime | None = None
) -> Milestone:
    """Tick a milestone as done (deliverables are tracked this way)."""
    now = at or timezone.now()
    target = milestone.target
    if not permissions.can_report_progress(acting_user, target):
        raise PermissionDenied("只有牵头单位的工作人员或管理员可以确认时间节点。")
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    if milestone.done_on is not None:
        raise TargetServiceError("该时间节点已完成。", code="already_done")
    milestone.done_on = done_on or timezone.localdate(now)
    milestone.save(update_fields=["done_on"])
    fields = {"updated_at": now}
    if target.lifecycle == Target.Lifecycle.NOT_STARTED:
        fields["lifecycle"] = Target.Lifecycle.IN_PROGRESS
    before = _snapshot(target)
    Target.objects.filter(pk=target.pk).update(version=F("version") + 1, **fields)
    target.refresh_from_db(fields=["version", "lifecycle", "updated_at"])
    _event(
        target,
        acting_user,
        TargetEvent.Kind.MILESTONE,
        f"完成时间节点：{milestone.title}",
        before={**before, "milestone": milestone.pk, "done_on": None},
        after={**_snapshot(target), "milestone": milestone.pk, "done_on": milestone.done_on.isoformat()},
        at=now,
    )
    return milestone


@transaction.atomic
def target_request_signoff(
    *, target: Target, acting_user, expected_version: int, note: str = "", at: datetime | None = None
) -> Target:
    """The lead department asks the supervisor to verify and sign off (申请销号)."""
    if not permissions.can_report_progress(acting_user, target):
        raise PermissionDenied("只有牵头单位的工作人员或管理员可以申请销号。")
    if target.lifecycle in CLOSED or target.lifecycle == Target.Lifecycle.SIGNOFF_REQUESTED:
        raise TargetServiceError("该任务当前状态不能申请销号。", code="bad_lifecycle")
    return _change_lifecycle(
        target,
        acting_user,
        Target.Lifecycle.SIGNOFF_REQUESTED,
        TargetEvent.Kind.LIFECYCLE,
        "申请销号",
        note,
        expected_version,
        at,
    )


@transaction.atomic
def target_sign_off(
    *, target: Target, acting_user, expected_version: int, note: str = "", at: datetime | None = None
) -> Target:
    """A supervisor verifies the target is done and signs it off (销号)."""
    if not permissions.can_sign_off(acting_user, target):
        raise PermissionDenied("只有督查人员或管理员可以销号。")
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    return _change_lifecycle(
        target, acting_user, Target.Lifecycle.SIGNED_OFF, TargetEvent.Kind.SIGNOFF, "销号", note, expected_version, at
    )


@transaction.atomic
def target_request_extension(
    *, target: Target, acting_user, expected_version: int, note: str, at: datetime | None = None
) -> Target:
    """The lead department asks for more time (申请延期), with a reason."""
    if not permissions.can_report_progress(acting_user, target):
        raise PermissionDenied("只有牵头单位的工作人员或管理员可以申请延期。")
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    if not (note or "").strip():
        raise TargetServiceError("申请延期须说明理由。", code="no_reason")
    return _change_lifecycle(
        target,
        acting_user,
        Target.Lifecycle.EXTENSION_REQUESTED,
        TargetEvent.Kind.LIFECYCLE,
        "申请延期",
        note,
        expected_version,
        at,
    )


@transaction.atomic
def target_reassign(
    *,
    target: Target,
    acting_user,
    lead_department: Department,
    co_departments: Iterable[Department] = (),
    expected_version: int,
    note: str = "",
    at: datetime | None = None,
) -> Target:
    """An administrator changes the lead department (牵头单位) and co-departments (责任单位)."""
    now = at or timezone.now()
    if not permissions.can_manage_target(acting_user, target):
        raise PermissionDenied("只有管理员可以调整责任单位。")
    co_departments = [d for d in co_departments if d.pk != lead_department.pk]
    if any(d.organisation_id != target.organisation_id for d in [lead_department, *co_departments]):
        raise TargetServiceError("牵头单位和责任单位必须属于本组织。", code="foreign_department")
    before = {**_snapshot(target), "co_departments": sorted(d.name for d in target.co_departments.all())}
    _bump_version(target, expected_version, now, lead_department=lead_department)
    target.co_departments.set(co_departments)
    after = {**_snapshot(target), "co_departments": sorted(d.name for d in co_departments)}
    message = f"牵头单位：{lead_department.name}"
    if co_departments:
        message += f"；责任单位：{'、'.join(d.name for d in co_departments)}"
    _event(
        target, acting_user, TargetEvent.Kind.REASSIGNED, message + _suffix(note), before=before, after=after, at=now
    )
    return target


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
    if not permissions.can_sign_off(acting_user, target):
        raise PermissionDenied("只有督查人员或管理员可以批准延期。")
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    if new_due_date <= target.due_date:
        raise TargetServiceError("延期后的完成时限必须晚于原时限。", code="not_later")
    before = _snapshot(target)
    lifecycle = target.lifecycle
    if lifecycle == Target.Lifecycle.EXTENSION_REQUESTED:
        lifecycle = Target.Lifecycle.IN_PROGRESS
    _bump_version(target, expected_version, now, lifecycle=lifecycle, due_date=new_due_date)
    moved = _respread_open_milestones(target, start=timezone.localdate(now), end=new_due_date)
    _event(
        target,
        acting_user,
        TargetEvent.Kind.EXTENSION,
        f"批准延期至 {new_due_date:%Y-%m-%d}" + _suffix(note),
        before=before,
        after={**_snapshot(target), "milestones_moved": moved, "note": note},
        at=now,
    )
    return target


# --- helpers ---------------------------------------------------------------------


def _bump_version(target: Target, expected_version: int, now: datetime, **fields) -> None:
    """The conditional UPDATE that makes concurrent form posts safe; refreshes `target` on success."""
    rows = Target.objects.filter(pk=target.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if rows != 1:
        raise StaleVersionError()
    for name, value in fields.items():
        setattr(target, name, value)
    target.version = expected_version + 1
    target.updated_at = now


def _change_lifecycle(target, acting_user, lifecycle, kind, label, note, expected_version, at) -> Target:
    now = at or timezone.now()
    before = _snapshot(target)
    _bump_version(target, expected_version, now, lifecycle=lifecycle)
    _event(
        target,
        acting_user,
        kind,
        label + _suffix(note),
        before=before,
        after={**_snapshot(target), "note": note},
        at=now,
    )
    return target


def _respread_open_milestones(target: Target, *, start: date, end: date) -> list[dict]:
    open_milestones = list(target.milestones.filter(done_on__isnull=True).order_by("due_date", "id"))
    start = min(start, end)
    moved = []
    for index, milestone in enumerate(open_milestones, start=1):
        new_date = start + (end - start) * index / len(open_milestones)
        moved.append({"id": milestone.pk, "from": milestone.due_date.isoformat(), "to": new_date.isoformat()})
        milestone.due_date = new_date
    Milestone.objects.bulk_update(open_milestones, ["due_date"])
    return moved


def _tick_reached_milestones(target: Target, *, value: float | None, percent: float | None, on: date) -> list[int]:
    """Mark done the open quantitative milestones whose expected figure is reached."""
    if target.kind != Target.Kind.QUANTITATIVE or target.comparator == "<=":
        return []  # a ceiling is met by staying under it until the end, not by reaching a figure
    done = []
    for milestone in target.milestones.filter(done_on__isnull=True):
        reached = False
        if percent is not None and milestone.expected_percent is not None:
            reached = percent >= milestone.expected_percent
        elif value is not None and milestone.expected_value is not None:
            reached = value >= milestone.expected_value
        if reached:
            done.append(milestone.pk)
    if done:
        Milestone.objects.filter(pk__in=done).update(done_on=on)
    return done


def _snapshot(target: Target) -> dict:
    return {
        "title": target.title,
        "lifecycle": target.lifecycle,
        "due_date": target.due_date.isoformat() if target.due_date else None,
        "lead_department": target.lead_department.name if target.lead_department_id else None,
        "target_value": target.target_value,
        "unit": target.unit,
        "version": target.version,
    }


def _event(target, actor, kind, message, *, before, after, at) -> TargetEvent:
    return TargetEvent.objects.create(
        target=target, actor=actor, kind=kind, message=message[:500], before=before, after=after, created_at=at
    )


def _suffix(note: str) -> str:
    note = (note or "").strip()
    return f"：{note}" if note else ""


def _describe(value: float | None, percent: float | None, unit: str) -> str:
    parts = []
    if value is not None:
        parts.append(f"累计 {value:g}{unit}")
    if percent is not None:
        parts.append(f"完成 {percent:g}%")
    return "，".join(parts) or "进展说明"
