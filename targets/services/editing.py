"""An administrator corrects a target: its fields, its lead department and co-departments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from targets import limits
from targets.models import Department, Target, TargetEvent
from targets.services.basis import refresh_target_health
from targets.services.common import bump_version, note_suffix, plain, record_event, snapshot, transition
from targets.services.errors import TargetServiceError

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
    transition(acting_user, "edit_target", target)
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
    _check_bounds(target, changes, today=timezone.localdate(now))
    co_changed = new_co is not None and sorted(d.name for d in new_co) != old_co
    if not changes and not co_changed:
        return target
    before = {k: plain(getattr(target, k)) for k in changes}
    after = {k: plain(v) for k, v in changes.items()}
    if co_changed:
        before["co_departments"] = old_co
        after["co_departments"] = sorted(d.name for d in new_co)
    bump_version(target, expected_version, now, **changes)
    if co_changed:
        target.co_departments.set(new_co)
    refresh_target_health(target)
    reassigned_only = set(after) <= {"lead_department", "co_departments"}
    kind = TargetEvent.Kind.REASSIGNED if reassigned_only else TargetEvent.Kind.EDITED
    record_event(
        target,
        acting_user,
        kind,
        "修改任务：" + "、".join(_field_label(k) for k in after) + note_suffix(note),
        before={**before, "version": expected_version},
        after={**after, "version": target.version},
        at=now,
    )
    return target


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
    transition(acting_user, "reassign", target)
    co_departments = [d for d in co_departments if d.pk != lead_department.pk]
    if any(d.organisation_id != target.organisation_id for d in [lead_department, *co_departments]):
        raise TargetServiceError("牵头单位和责任单位必须属于本组织。", code="foreign_department")
    before = {**snapshot(target), "co_departments": sorted(d.name for d in target.co_departments.all())}
    bump_version(target, expected_version, now, lead_department=lead_department)
    target.co_departments.set(co_departments)
    after = {**snapshot(target), "co_departments": sorted(d.name for d in co_departments)}
    message = f"牵头单位：{lead_department.name}"
    if co_departments:
        message += f"；责任单位：{'、'.join(d.name for d in co_departments)}"
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.REASSIGNED,
        message + note_suffix(note),
        before=before,
        after=after,
        at=now,
    )
    return target


FIGURE_FIELDS = ("target_value", "target_value_max", "baseline_value", "stretch_value")


def _check_bounds(target: Target, changes: dict, *, today) -> None:
    """The figures and dates a change sets, within targets/limits.py (the due date against the new plan year)."""
    if "plan_year" in changes:
        limits.check_plan_year(changes["plan_year"], today=today)
    plan_year = changes.get("plan_year", target.plan_year)
    if "plan_year" in changes or "due_date" in changes:
        limits.check_target_date(changes.get("due_date", target.due_date), plan_year=plan_year, label="完成时限")
    for name in FIGURE_FIELDS:
        if name in changes:
            limits.check_figure(changes[name], label=_field_label(name))


def _field_label(name: str) -> str:
    if name == "co_departments":
        return "责任单位"
    return str(Target._meta.get_field(name).verbose_name)
