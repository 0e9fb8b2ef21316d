"""Year-end reconciliation pages: choose and run, review side by side, confirm or override, download the ledger.

Thin: permission through `targets.permissions`, one service or selector, render; writes redirect back (PRG).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.parsing import BadInteger, parse_id, parse_int
from reports.models import Reconciliation, Report
from reports.reconciliation import chart, export, selectors, services
from reports.reconciliation.api import workbook_response
from targets import permissions
from targets.models import Organisation, Target


def _visible_organisation(request: HttpRequest, pk: int) -> Organisation:
    organisation = permissions.visible_organisations(request.user).filter(pk=pk).first()
    if organisation is None:
        raise Http404("组织不存在或您无权查看。")
    return organisation


@login_required
def reconciliation_index(request: HttpRequest) -> HttpResponse:
    organisations = permissions.visible_organisations(request.user)
    supervised = [o for o in organisations if permissions.can_supervise_organisation(request.user, o)]
    years = (
        Target.objects.filter(organisation__in=organisations)
        .values("organisation_id", "organisation__name", "plan_year")
        .annotate(targets=Count("id"))
        .order_by("organisation__name", "-plan_year")
    )
    done = {
        (r["target__organisation_id"], r["year"]): r["n"]
        for r in Reconciliation.objects.filter(target__organisation__in=organisations)
        .values("target__organisation_id", "year")
        .annotate(n=Count("id"))
    }
    rows = []
    for entry in years:
        key = (entry["organisation_id"], entry["plan_year"])
        review = (
            Report.objects.filter(organisation_id=key[0], review_year=key[1]).exists()
            or Report.objects.filter(organisation_id=key[0], plan_year=key[1] + 1).exists()
        )
        rows.append({**entry, "checked": done.get(key, 0), "has_review": review})
    return render(
        request,
        "reports/reconciliation_index.html",
        {"rows": rows, "supervised_ids": {o.pk for o in supervised}},
    )


@login_required
@require_POST
def reconciliation_run(request: HttpRequest) -> HttpResponse:
    try:
        organisation = _visible_organisation(request, parse_id(request.POST.get("organisation")))
        year = parse_int(request.POST.get("year"), label="年度", minimum=1949, maximum=2100)
    except BadInteger as error:
        messages.error(request, error.message)
        return redirect("reports:reconciliation-index")
    try:
        rows = services.reconciliation_run(organisation=organisation, year=year, acting_user=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("reports:reconciliation-index")
    except services.ReconciliationError as error:
        messages.error(request, error.messages[0])
        return redirect("reports:reconciliation-index")
    messages.success(request, f"已核对 {organisation.name} {year} 年目标任务 {len(rows)} 项，请逐项确认。")
    return redirect("reports:reconciliation-review", organisation=organisation.pk, year=year)


@login_required
def reconciliation_review(request: HttpRequest, organisation: int, year: int) -> HttpResponse:
    org = _visible_organisation(request, organisation)
    rows = list(selectors.reconciliations_for(organisation=org, year=year))
    verdict = request.GET.get("verdict", "")
    shown = [r for r in rows if r.verdict == verdict] if verdict in Reconciliation.Verdict.values else rows
    for row in rows:
        row.target_value_text = export.target_value_text(row)
        row.achieved_value_text = export.achieved_value_text(row) or "—"
        row.ratio_text = export.ratio_text(row) or "—"
        row.staff_value_text = export.staff_value_text(row) or "—"
    departments = selectors.verdicts_by_department(rows)
    pending = selectors.pending_by_department(rows)
    counts = selectors.verdict_counts(rows)
    report = rows[0].report if rows else services.review_report_for(organisation=org, year=year)
    return render(
        request,
        "reports/reconciliation_review.html",
        {
            "organisation": org,
            "year": year,
            "rows": shown,
            "total": len(rows),
            "report": report,
            "counts": [(v, label, counts[v]) for v, label in Reconciliation.Verdict.choices],
            "verdict_filter": verdict,
            "verdict_choices": Reconciliation.Verdict.choices,
            "chart": chart.verdict_chart(departments),
            "departments": departments,
            "pending_departments": pending,
            "can_supervise": permissions.can_supervise_organisation(request.user, org),
        },
    )


@login_required
@require_POST
def reconciliation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = (
        selectors.reconciliations_for(queryset=selectors.reconciliations_visible(user=request.user))
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404("核对结果不存在或您无权查看。")
    verdict = request.POST.get("verdict") or None
    reason = request.POST.get("reason", "")
    try:
        services.reconciliation_confirm(reconciliation=row, acting_user=request.user, verdict=verdict, reason=reason)
    except PermissionDenied as error:
        messages.error(request, str(error))
    except services.ReconciliationError as error:
        messages.error(request, error.messages[0])
    else:
        changed = verdict and verdict != row.proposed_verdict
        label = Reconciliation.Verdict(verdict or row.proposed_verdict).label
        messages.success(request, f"已{'改判' if changed else '确认'}：{row.target.title[:30]} → {label}")
    url = reverse(
        "reports:reconciliation-review", kwargs={"organisation": row.target.organisation_id, "year": row.year}
    )
    return redirect(f"{url}#r{row.pk}")


@login_required
@require_POST
def reconciliation_confirm_department(request: HttpRequest, organisation: int, year: int) -> HttpResponse:
    """确认本单位全部建议: every pending row of one lead department, each recorded on its target's history."""
    org = _visible_organisation(request, organisation)
    raw = request.POST.get("department", "")
    department_id = None if raw in ("", "none") else parse_id(raw, label="部门")  # BadInteger: 400
    try:
        count = services.reconciliation_confirm_department(
            organisation=org, year=year, department_id=department_id, acting_user=request.user
        )
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        department = org.departments.filter(pk=department_id).first() if department_id else None
        name = department.name if department else selectors.UNASSIGNED
        messages.success(request, f"已确认{name}的 {count} 项核对建议。" if count else f"{name}没有待确认的核对建议。")
    return redirect("reports:reconciliation-review", organisation=org.pk, year=year)


@login_required
def reconciliation_export(request: HttpRequest, organisation: int, year: int) -> HttpResponse:
    org = _visible_organisation(request, organisation)
    rows = list(selectors.reconciliations_for(organisation=org, year=year))
    return workbook_response(rows, organisation=org, year=year)
