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
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from reports.models import Commitment
from targets import permissions
from targets.evidence import validate_evidence
from targets.health import health_basis
from targets.health_facts import health_facts
from targets.models import Department, Evidence, Milestone, ProgressUpdate, Target, TargetEvent
from targets.suggestions import suggest_lead_department

RATE_RELATIONS = {"growth", "share", "ratio", "rank"}
CLOSED = {Target.Lifecycle.SIGNED_OFF, Target.Lifecycle.CANCELLED}
PENDING = {Target.Lifecycle.EXTENSION_REQUESTED, Target.Lifecycle.SIGNOFF_REQUESTED}
MAX_FILES = 10
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
    files: Iterable = (),
    at: datetime | None = None,
) -> ProgressUpdate:
    """Append a progress update (cumulative value and/or percent, a note, evidence files).

    A correction is a new update pointing at the one it corrects. Moves a
    target that had not started to 推进中, and ticks the quantitative milestones
    whose expected figure the update reaches.
    """
    now = at or timezone.now()
    _require(acting_user, permissions.REPORT_PROGRESS, target)
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消，不能再填报进展。", code="closed")
    files = _checked_files(files)
    note = (note or "").strip()
    if value is None and percent is None and not note and not files:
        raise TargetServiceError("请填写完成值、完成比例或进展说明中的至少一项。", code="empty")
    if percent is not None and not 0 <= percent <= 1000:
        raise TargetServiceError("完成比例应在 0 到 1000 之间。", code="percent_range")
    if corrects is not None and corrects.target_id != target.pk:
        raise TargetServiceError("只能更正本任务的进展记录。", code="foreign_update")

    before = _snapshot(target)
    lifecycle = target.lifecycle
    if lifecycle == Target.Lifecycle.NOT_STARTED:
        lifecycle = Target.Lifecycle.IN_PROGRESS
    on = timezone.localdate(now)
    # The lean write path: the plan and the latest figure, not the history. Read before the conditional UPDATE
    # takes the row lock, which is safe: whatever changes them also bumps the version, and then that UPDATE
    # matches no row (409) instead of storing a basis computed from stale rows.
    milestones = list(Milestone.objects.filter(target=target).order_by("due_date", "id"))
    previous = (
        ProgressUpdate.objects.filter(target=target)
        .order_by("-created_at", "-id")
        .only("id", "created_at", "value", "percent")
        .first()
    )
    reached = _reached_milestones(target, milestones, value=value, percent=percent)
    for milestone in reached:
        milestone.done_on = on
    # The new row is the latest unless one was back-dated after it (ties go to the new, higher id).
    newest = previous is None or previous.created_at <= now
    latest = SimpleNamespace(value=value, percent=percent) if newest else previous
    progress, late_after = health_basis(target, milestones=milestones, latest=latest)
    _bump_version(target, expected_version, now, lifecycle=lifecycle, progress=progress, late_after=late_after)

    update = ProgressUpdate.objects.create(
        target=target, author=acting_user, created_at=now, value=value, percent=percent, note=note, corrects=corrects
    )
    attached = _attach(target, files, acting_user, now, update=update)
    ticked = [m.pk for m in reached]
    if ticked:
        Milestone.objects.filter(pk__in=ticked).update(done_on=on)
    after = {**_snapshot(target), "value": value, "percent": percent, "update": update.pk}
    if corrects is not None:
        after["corrects"] = corrects.pk
        before = {**before, "value": corrects.value, "percent": corrects.percent, "update": corrects.pk}
    if attached:
        after["evidence"] = [e.original_name for e in attached]
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
        refresh_basis=False,
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
    _require(acting_user, permissions.TICK_MILESTONE, target)
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    if milestone.cancelled_at is not None:
        raise TargetServiceError("该时间节点已取消。", code="milestone_cancelled")
    if milestone.done_on is not None:
        raise TargetServiceError("该时间节点已完成。", code="already_done")
    before = _snapshot(target)
    fields = {}
    if target.lifecycle == Target.Lifecycle.NOT_STARTED:
        fields["lifecycle"] = Target.Lifecycle.IN_PROGRESS
    if expected_version is None:
        Target.objects.filter(pk=target.pk).update(version=F("version") + 1, updated_at=now, **fields)
        target.refresh_from_db(fields=["version", "lifecycle", "updated_at"])
    else:
        _bump_version(target, expected_version, now, **fields)
    milestone.done_on = done_on or timezone.localdate(now)
    milestone.save(update_fields=["done_on"])
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
    *,
    target: Target,
    acting_user,
    expected_version: int,
    note: str = "",
    files: Iterable = (),
    at: datetime | None = None,
) -> Target:
    """The lead department asks the supervisor to verify and sign off (申请销号), with its evidence."""
    _require(acting_user, permissions.REQUEST_SIGNOFF, target)
    if target.lifecycle in CLOSED or target.lifecycle in PENDING:
        raise TargetServiceError("该任务当前状态不能申请销号。", code="bad_lifecycle")
    files = _checked_files(files)
    _change_lifecycle(
        target,
        acting_user,
        Target.Lifecycle.SIGNOFF_REQUESTED,
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
    _require(acting_user, permissions.DECIDE_SIGNOFF, target)
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    return _change_lifecycle(
        target, acting_user, Target.Lifecycle.SIGNED_OFF, TargetEvent.Kind.SIGNOFF, "销号", note, expected_version, at
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
    _require(acting_user, permissions.REQUEST_EXTENSION, target)
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    if target.lifecycle in PENDING:
        raise TargetServiceError("该任务已有待审批的申请，请等待督查人员处理。", code="pending")
    if not (note or "").strip():
        raise TargetServiceError("申请延期须说明理由。", code="no_reason")
    if new_due_date is not None and new_due_date <= target.due_date:
        raise TargetServiceError("申请的完成时限必须晚于原时限。", code="not_later")
    label = "申请延期" + (f"至 {new_due_date:%Y-%m-%d}" if new_due_date else "")
    return _change_lifecycle(
        target,
        acting_user,
        Target.Lifecycle.EXTENSION_REQUESTED,
        TargetEvent.Kind.LIFECYCLE,
        label,
        note,
        expected_version,
        at,
        requested_due_date=new_due_date,
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
    _require(acting_user, permissions.REASSIGN, target)
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
    _require(acting_user, permissions.DECIDE_EXTENSION, target)
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    if new_due_date <= target.due_date:
        raise TargetServiceError("延期后的完成时限必须晚于原时限。", code="not_later")
    before = _snapshot(target)
    lifecycle = target.lifecycle
    if lifecycle == Target.Lifecycle.EXTENSION_REQUESTED:
        lifecycle = Target.Lifecycle.IN_PROGRESS
    _bump_version(target, expected_version, now, lifecycle=lifecycle, due_date=new_due_date, requested_due_date=None)
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
    _require(acting_user, permissions.DECIDE_EXTENSION, target)
    if target.lifecycle != Target.Lifecycle.EXTENSION_REQUESTED:
        raise TargetServiceError("该任务没有待审批的延期申请。", code="no_request")
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
        Target.Lifecycle.IN_PROGRESS,
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
    _require(acting_user, permissions.DECIDE_SIGNOFF, target)
    if target.lifecycle != Target.Lifecycle.SIGNOFF_REQUESTED:
        raise TargetServiceError("该任务没有待审批的销号申请。", code="no_request")
    if approve:
        return target_sign_off(
            target=target, acting_user=acting_user, expected_version=expected_version, note=note, at=at
        )
    if not (note or "").strip():
        raise TargetServiceError("退回销号申请须说明理由。", code="no_reason")
    return _change_lifecycle(
        target,
        acting_user,
        Target.Lifecycle.IN_PROGRESS,
        TargetEvent.Kind.SIGNOFF,
        "退回销号申请",
        note,
        expected_version,
        at,
    )


@transaction.atomic
def target_comment(
    *, target: Target, acting_user, text: str = "", files: Iterable = (), at: datetime | None = None
) -> TargetEvent:
    """A comment, note or evidence from anyone who can see the target (co-departments included).

    A comment changes neither the figure nor the state, so it does not bump the
    version: a staff member's open progress form stays valid while others talk.
    """
    now = at or timezone.now()
    _require(acting_user, permissions.COMMENT, target)
    text = (text or "").strip()
    files = _checked_files(files)
    if not text and not files:
        raise TargetServiceError("请填写评论内容或上传佐证材料。", code="empty")
    if len(text) > 2000:
        raise TargetServiceError("评论不能超过 2000 字。", code="too_long")
    event = _event(
        target,
        acting_user,
        TargetEvent.Kind.COMMENT,
        text or "上传佐证材料",
        before=None,
        after={"text": text},
        at=now,
        refresh_basis=False,  # a comment changes nothing health reads
    )
    attached = _attach(target, files, acting_user, now, event=event)
    if attached:
        event.after = {"text": text, "evidence": [e.original_name for e in attached]}
        event.save(update_fields=["after"])
    return event


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
    _require(acting_user, permissions.ESCALATE, target)
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    note = (note or "").strip()
    if escalate and not note:
        raise TargetServiceError("督办升级须说明原因。", code="no_reason")
    if escalate == (target.escalated_at is not None):
        raise TargetServiceError("该任务已督办升级。" if escalate else "该任务未督办升级。", code="unchanged")
    before = _snapshot(target)
    _bump_version(
        target, expected_version, now, escalated_at=now if escalate else None, escalation_note=note if escalate else ""
    )
    _event(
        target,
        acting_user,
        TargetEvent.Kind.ESCALATION,
        ("督办升级" if escalate else "解除督办升级") + _suffix(note),
        before=before,
        after={**_snapshot(target), "note": note},
        at=now,
    )
    return target


@transaction.atomic
def target_cancel(
    *, target: Target, acting_user, expected_version: int, note: str, at: datetime | None = None
) -> Target:
    """An administrator cancels a target (已取消): the record, its history and evidence stay."""
    _require(acting_user, permissions.CANCEL, target)
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    if not (note or "").strip():
        raise TargetServiceError("取消任务须说明理由。", code="no_reason")
    return _change_lifecycle(
        target, acting_user, Target.Lifecycle.CANCELLED, TargetEvent.Kind.CANCEL, "取消任务", note, expected_version, at
    )


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
    _require(acting_user, permissions.EDIT_MILESTONES, target)
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    _check_milestone(title, expected_percent)
    before = _snapshot(target)
    _bump_version(target, expected_version, now)
    milestone = Milestone.objects.create(
        target=target,
        title=title.strip(),
        due_date=due_date,
        expected_percent=expected_percent,
        expected_value=expected_value,
    )
    _event(
        target,
        acting_user,
        TargetEvent.Kind.MILESTONE,
        f"新增时间节点：{milestone.title}（{due_date:%Y-%m-%d}）",
        before=before,
        after={**_snapshot(target), "milestone": milestone.pk, **_milestone_values(milestone)},
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
    _require(acting_user, permissions.EDIT_MILESTONES, target)
    unknown = set(changes) - set(MILESTONE_FIELDS)
    if unknown:
        raise TargetServiceError(f"不能修改的字段：{'、'.join(sorted(unknown))}。", code="bad_field")
    if milestone.cancelled_at is not None:
        raise TargetServiceError("该时间节点已取消。", code="milestone_cancelled")
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    changes = {k: v for k, v in changes.items() if getattr(milestone, k) != v}
    if not changes:
        return milestone
    _check_milestone(changes.get("title", milestone.title), changes.get("expected_percent", milestone.expected_percent))
    old = _milestone_values(milestone)
    before = _snapshot(target)
    _bump_version(target, expected_version, now)
    for name, value in changes.items():
        setattr(milestone, name, value.strip() if name == "title" else value)
    milestone.save(update_fields=list(changes))
    new = _milestone_values(milestone)
    _event(
        target,
        acting_user,
        TargetEvent.Kind.MILESTONE,
        f"修改时间节点：{milestone.title}",
        before={**before, "milestone": milestone.pk, **{k: old[k] for k in changes}},
        after={**_snapshot(target), "milestone": milestone.pk, **{k: new[k] for k in changes}},
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
    _require(acting_user, permissions.EDIT_MILESTONES, target)
    if milestone.cancelled_at is not None:
        raise TargetServiceError("该时间节点已取消。", code="milestone_cancelled")
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    before = _snapshot(target)
    _bump_version(target, expected_version, now)
    Milestone.all_objects.filter(pk=milestone.pk).update(cancelled_at=now)
    milestone.cancelled_at = now
    _event(
        target,
        acting_user,
        TargetEvent.Kind.MILESTONE,
        f"取消时间节点：{milestone.title}" + _suffix(note),
        before={**before, "milestone": milestone.pk, **_milestone_values(milestone)},
        after={**_snapshot(target), "milestone": milestone.pk, "cancelled": True, "note": note},
        at=now,
    )
    return milestone


EDITABLE_TARGET_FIELDS = (
    "title", "metric", "kind", "lead_department", "owner", "plan_year", "due_date", "target_value",
    "target_value_max", "unit", "comparator", "relation", "baseline", "baseline_value", "stretch_value",
)  # fmt: skip


@transaction.atomic
def target_edit(
    *,
    target: Target,
    acting_user,
    expected_version: int,
    changes: dict,
    co_departments: Iterable[Department] | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Target:
    """An administrator corrects a target's fields (the admin form uses this): one event with before and after.

    The lifecycle is not edited here: it moves only through the decisions above.
    """
    now = at or timezone.now()
    _require(acting_user, permissions.EDIT_TARGET, target)
    unknown = set(changes) - set(EDITABLE_TARGET_FIELDS)
    if unknown:
        raise TargetServiceError(f"不能直接修改的字段：{'、'.join(sorted(unknown))}。", code="bad_field")
    lead = changes.get("lead_department", target.lead_department)
    new_co = None if co_departments is None else [d for d in co_departments if lead is None or d.pk != lead.pk]
    for department in [lead, *(new_co or [])]:
        if department is not None and department.organisation_id != target.organisation_id:
            raise TargetServiceError("牵头单位和责任单位必须属于本组织。", code="foreign_department")
    old_co = sorted(d.name for d in target.co_departments.all())
    changes = {k: v for k, v in changes.items() if getattr(target, k) != v}
    co_changed = new_co is not None and sorted(d.name for d in new_co) != old_co
    if not changes and not co_changed:
        return target
    before = {k: _plain(getattr(target, k)) for k in changes}
    after = {k: _plain(v) for k, v in changes.items()}
    if co_changed:
        before["co_departments"] = old_co
        after["co_departments"] = sorted(d.name for d in new_co)
    _bump_version(target, expected_version, now, **changes)
    if co_changed:
        target.co_departments.set(new_co)
    reassigned_only = set(after) <= {"lead_department", "co_departments"}
    kind = TargetEvent.Kind.REASSIGNED if reassigned_only else TargetEvent.Kind.EDITED
    _event(
        target,
        acting_user,
        kind,
        "修改任务：" + "、".join(_field_label(k) for k in after) + _suffix(note),
        before={**before, "version": expected_version},
        after={**after, "version": target.version},
        at=now,
    )
    return target


# --- health basis ----------------------------------------------------------------

BASIS_CHUNK = 500


def refresh_health_basis(target_ids: Iterable[int]) -> int:
    """Recompute the stored health basis (`progress`, `late_after`) of these targets, for bulk loaders that write
    targets, milestones or updates without the services. Returns how many rows changed.

    Per BASIS_CHUNK targets: three reads (the targets, their open milestones, their latest updates) and the
    UPDATEs of the rows that changed, in batches.
    """
    ids = sorted(set(target_ids))
    changed = 0
    for start in range(0, len(ids), BASIS_CHUNK):
        rows = [
            (new[0], connection.ops.adapt_datefield_value(new[1]), pk)
            for pk, (old, new) in _bases(ids[start : start + BASIS_CHUNK]).items()
            if old != new
        ]
        _write_bases(rows)
        changed += len(rows)
    return changed


def _write_bases(rows: list[tuple]) -> None:
    """(progress, late_after, id) rows: one prepared UPDATE run per row (pipelined by psycopg), ~6x faster here
    than bulk_update, whose CASE over the batch costs the batch size per row."""
    if not rows:
        return
    table, progress, late_after = (
        connection.ops.quote_name(name) for name in (Target._meta.db_table, "progress", "late_after")
    )
    sql = f"UPDATE {table} SET {progress} = %s, {late_after} = %s WHERE id = %s"  # noqa: S608 (quoted names only)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


BASIS_FIELDS = ("id", "kind", "comparator", "relation", "target_value", "due_date", "plan_year")


def _bases(target_ids: list[int]) -> dict[int, tuple[tuple, tuple[float | None, date]]]:
    """Per target: (the stored basis, `health_basis` from its rows read fresh), in three queries. Plain rows
    rather than model instances: `health_basis` reads attributes only."""
    targets = Target.objects.filter(pk__in=target_ids)
    plans, latest = health_facts(targets)
    bases = {}
    for row in targets.values(*BASIS_FIELDS, "progress", "late_after"):
        basis = health_basis(SimpleNamespace(**row), milestones=plans.get(row["id"], []), latest=latest.get(row["id"]))
        bases[row["id"]] = ((row["progress"], row["late_after"]), basis)
    return bases


def _save_basis(target: Target, basis: tuple[float | None, date]) -> None:
    Target.objects.filter(pk=target.pk).update(progress=basis[0], late_after=basis[1])
    target.progress, target.late_after = basis


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


def _change_lifecycle(
    target, acting_user, lifecycle, kind, label, note, expected_version, at, *, files=(), **fields
) -> Target:
    now = at or timezone.now()
    before = _snapshot(target)
    _bump_version(target, expected_version, now, lifecycle=lifecycle, **fields)
    after = {**_snapshot(target), "note": (note or "").strip()}
    for name, value in fields.items():
        after[name] = value.isoformat() if isinstance(value, date) else value
    event = _event(target, acting_user, kind, label + _suffix(note), before=before, after=after, at=now)
    attached = _attach(target, files, acting_user, now, event=event)
    if attached:
        event.after = {**after, "evidence": [e.original_name for e in attached]}
        event.save(update_fields=["after"])
    return target


def _require(user, action: str, target: Target) -> None:
    if not permissions.can(user, action, target):
        raise PermissionDenied(permissions.DENIED[action])


def _checked_files(files: Iterable) -> list:
    """Validate every file before anything is written, so a bad file leaves no trace."""
    files = [f for f in (files or ()) if f]
    if len(files) > MAX_FILES:
        raise TargetServiceError(f"一次最多上传 {MAX_FILES} 个文件。", code="too_many_files")
    for upload in files:
        try:
            upload.evidence_content_type = validate_evidence(upload)
        except ValidationError as error:
            raise TargetServiceError(error.messages[0], code=error.code) from error
    return files


def _attach(target: Target, files: list, user, now: datetime, *, update=None, event=None) -> list[Evidence]:
    rows = []
    for upload in files:
        content_type = getattr(upload, "evidence_content_type", None) or validate_evidence(upload)
        evidence = Evidence(
            target=target,
            update=update,
            event=event,
            original_name=(upload.name or "file")[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
            uploaded_at=now,
        )
        evidence.file.save(upload.name, upload, save=False)
        evidence.save()
        rows.append(evidence)
    return rows


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


def _reached_milestones(
    target: Target, milestones: list[Milestone], *, value: float | None, percent: float | None
) -> list[Milestone]:
    """The open quantitative milestones whose expected figure this report reaches (to be ticked)."""
    if target.kind != Target.Kind.QUANTITATIVE or target.comparator == "<=":
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


def _snapshot(target: Target) -> dict:
    return {
        "title": target.title,
        "lifecycle": target.lifecycle,
        "due_date": target.due_date.isoformat() if target.due_date else None,
        "lead_department": target.lead_department.name if target.lead_department_id else None,
        "target_value": target.target_value,
        "unit": target.unit,
        "version": target.version,
        "escalated": target.escalated_at is not None,
    }


def _event(target, actor, kind, message, *, before, after, at, refresh_basis: bool = True) -> TargetEvent:
    """Every service ends here, after its writes: the health basis follows them in the same transaction."""
    if refresh_basis:
        _save_basis(target, _bases([target.pk])[target.pk][1])
    return TargetEvent.objects.create(
        target=target, actor=actor, kind=kind, message=message[:500], before=before, after=after, created_at=at
    )


def _check_milestone(title: str, expected_percent: float | None) -> None:
    if not (title or "").strip():
        raise TargetServiceError("请填写节点内容。", code="no_title")
    if expected_percent is not None and not 0 <= expected_percent <= 100:
        raise TargetServiceError("计划进度应在 0 到 100 之间。", code="percent_range")


def _milestone_values(milestone: Milestone) -> dict:
    return {name: _plain(getattr(milestone, name)) for name in MILESTONE_FIELDS}


def _plain(value):
    """A JSON-friendly form of a field value for the history."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _field_label(name: str) -> str:
    if name == "co_departments":
        return "责任单位"
    return str(Target._meta.get_field(name).verbose_name)


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
