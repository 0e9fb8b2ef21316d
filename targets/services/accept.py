"""Accepting a commitment: the target, its default plan and its first event, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from reports.models import Commitment
from targets import limits, permissions
from targets.models import Department, Milestone, Target, TargetEvent
from targets.services.basis import refresh_target_health
from targets.services.common import record_event, snapshot
from targets.services.errors import TargetServiceError
from targets.services.plans import default_milestones
from targets.services.titles import commitment_title
from targets.suggestions import suggest_lead_department


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
    limits.check_plan_year(plan_year, today=timezone.localdate(now))
    limits.check_target_date(due_date, plan_year=plan_year, label="完成时限")
    limits.check_figure(commitment.value, label="目标值")
    limits.check_figure(commitment.value_max, label="目标上限")
    limits.check_figure(commitment.stretch_value, label="力争值")
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
    refresh_target_health(target)
    record_event(
        target,
        acting_user,
        TargetEvent.Kind.CREATED,
        f"采纳承诺事项，牵头单位：{lead_department.name}",
        before=None,
        after={
            **snapshot(target),
            "commitment": commitment.pk,
            "co_departments": [d.name for d in co_departments],
            "milestones": [{"title": m.title, "due_date": m.due_date.isoformat()} for m in milestones],
        },
        at=now,
    )
    return target
