"""Reads of the year-end reconciliation, shared by the page, the API, the export and the command."""

from __future__ import annotations

from collections import Counter

from django.db.models import QuerySet

from reports.models import Reconciliation
from targets import permissions
from targets.models import Organisation

UNASSIGNED = "未指定"


def reconciliations_visible(*, user) -> QuerySet[Reconciliation]:
    return Reconciliation.objects.filter(target__organisation__in=permissions.visible_organisations(user))


def reconciliations_for(
    *, organisation: Organisation | None = None, year: int | None = None, queryset: QuerySet | None = None
) -> QuerySet[Reconciliation]:
    """Rows of one organisation and year, with everything a ledger row shows, in one query."""
    rows = queryset if queryset is not None else Reconciliation.objects.all()
    if organisation is not None:
        rows = rows.filter(target__organisation=organisation)
    if year is not None:
        rows = rows.filter(year=year)
    return (
        rows.select_related(
            "target__organisation",
            "target__lead_department",
            "target__commitment",
            "achievement",
            "confirmed_by",
            "report",
        )
        .prefetch_related("target__co_departments")
        .order_by("year", "target__id", "id")
    )


def department_name(row: Reconciliation) -> str:
    department = row.target.lead_department
    return department.name if department else UNASSIGNED


def verdict_counts(rows) -> dict[str, int]:
    counts = Counter(row.verdict for row in rows)
    return {value: counts.get(value, 0) for value in Reconciliation.Verdict.values}


def verdicts_by_department(rows) -> list[dict]:
    """[{department, met, partly_met, …, total}] sorted by department name (the chart and the summary sheet)."""
    table: dict[str, Counter] = {}
    for row in rows:
        table.setdefault(department_name(row), Counter())[row.verdict] += 1
    out = []
    for name in sorted(table):
        counts = table[name]
        entry = {"department": name, **{v: counts.get(v, 0) for v in Reconciliation.Verdict.values}}
        entry["total"] = sum(counts.values())
        out.append(entry)
    return out


def pending_by_department(rows) -> list[dict]:
    """[{department_id, department, pending, total}] for the 确认本单位全部建议 buttons, by department name."""
    table: dict[tuple, Counter] = {}
    for row in rows:
        key = (row.target.lead_department_id, department_name(row))
        table.setdefault(key, Counter())["total"] += 1
        if not row.is_confirmed:
            table[key]["pending"] += 1
    return [
        {"department_id": key[0], "department": key[1], "pending": c["pending"], "total": c["total"]}
        for key, c in sorted(table.items(), key=lambda item: item[0][1])
    ]
