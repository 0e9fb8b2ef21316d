"""Reads on reports, shared by pages and API: each query with its joins, none per row."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from reports.models import Achievement, Commitment, Report
from targets import permissions
from targets.models import Department, LeadDepartmentRule, Organisation
from targets.suggestions import suggest_department_name


def reports_visible(*, user, organisation: Organisation | None = None) -> QuerySet[Report]:
    """Reports of the organisations the user can see, with their review counts."""
    reports = Report.objects.filter(organisation__in=permissions.visible_organisations(user))
    if organisation is not None:
        reports = reports.filter(organisation=organisation)
    return (
        reports.select_related("organisation", "uploaded_by")
        .defer("text", "sections")
        .annotate(
            commitment_count=_count(Commitment),
            proposed_count=_count(Commitment, status=Commitment.Status.PROPOSED),
            accepted_count=_count(Commitment, status=Commitment.Status.ACCEPTED),
            rejected_count=_count(Commitment, status=Commitment.Status.REJECTED),
            achievement_count=_count(Achievement),
        )
    )


def _count(model, **filters):
    """A correlated COUNT per report: joining both children would multiply their rows."""
    rows = model.objects.filter(report=OuterRef("pk"), **filters).order_by().values("report")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def report_get_visible(*, user, pk: int) -> Report | None:
    return reports_visible(user=user).defer(None).filter(pk=pk).first()


def report_commitments(*, report: Report, status: str | None = None, kind: str | None = None) -> QuerySet[Commitment]:
    """The commitments of a report in document order, with the target each became."""
    commitments = report.commitments.select_related("target", "target__lead_department", "reviewed_by")
    if status:
        commitments = commitments.filter(status=status)
    if kind:
        commitments = commitments.filter(kind=kind)
    return commitments.order_by("start", "id")


def report_achievements(*, report: Report) -> QuerySet[Achievement]:
    return report.achievements.order_by("start", "id")


def commitment_get_visible(*, user, pk: int) -> Commitment | None:
    return (
        Commitment.objects.select_related("report__organisation", "target")
        .filter(pk=pk, report__organisation__in=permissions.visible_organisations(user))
        .first()
    )


def organisations_managed(*, user) -> QuerySet[Organisation]:
    """Where the user may import reports and review commitments."""
    return permissions.organisations_with_role(user, permissions.ADMIN)


@dataclass(frozen=True)
class DepartmentChoice:
    department_id: int | None  # None: the suggested department does not exist yet and is created on accept
    name: str


def lead_department_suggestions(
    *, organisation: Organisation, commitments: list[Commitment]
) -> tuple[list[Department], dict[int, DepartmentChoice]]:
    """The organisation's departments and, per commitment, the suggested lead department.

    Two queries in all (rules and departments), however many commitments.
    """
    rules = list(LeadDepartmentRule.objects.all())
    departments = list(organisation.departments.order_by("name"))
    by_name = {d.name: d for d in departments}
    suggestions = {}
    for commitment in commitments:
        name = suggest_department_name(f"{commitment.metric} {commitment.quote}", rules)
        department = by_name.get(name)
        suggestions[commitment.pk] = DepartmentChoice(department.pk if department else None, name)
    return departments, suggestions
