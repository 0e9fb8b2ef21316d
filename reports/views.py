"""Report pages: the list with an upload form, and the review page of one report.

Views stay thin: they check permission through `targets.permissions`, call one
service or selector, and render. Write actions redirect back to the commitment
they acted on (post/redirect/get) with a message.
"""

from __future__ import annotations

import html
from collections import defaultdict
from itertools import pairwise

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from reports import selectors, services
from reports.documents import DocumentError, check_size
from reports.forms import CommitmentAcceptForm, CommitmentEditForm, CommitmentRejectForm, ReportUploadForm
from reports.models import Commitment, Report
from targets import permissions

STATUS_FILTERS = [("", "全部"), *Commitment.Status.choices]


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    managed = selectors.organisations_managed(user=request.user)
    form = None
    if request.method == "POST":
        form = ReportUploadForm(request.POST, request.FILES, organisations=managed)
        if form.is_valid():
            report = _import_from_form(request, form)
            if report is not None:
                messages.success(request, f"已导入《{report.title}》，请审核提取出的承诺事项。")
                return redirect("reports:detail", pk=report.pk)
    elif managed.exists():
        form = ReportUploadForm(organisations=managed, initial={"organisation": managed.first()})
    reports = selectors.reports_visible(user=request.user)
    # A POST that reaches here was refused (success redirects): 400, so clients and tests see the refusal.
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/report_list.html", {"reports": reports, "form": form}, status=status)


def _import_from_form(request: HttpRequest, form: ReportUploadForm) -> Report | None:
    upload = form.cleaned_data["file"]
    try:
        try:  # refuse an oversized file before reading it into memory
            check_size(upload.size, max_bytes=settings.REPORT_UPLOAD_MAX_BYTES)
        except DocumentError as error:
            raise services.ReportImportError(error.message) from None
        return services.report_import(
            organisation=form.cleaned_data["organisation"],
            filename=upload.name,
            data=upload.read(),
            acting_user=request.user,
            year=form.cleaned_data.get("year"),
        )
    except services.ReportImportError as error:
        form.add_error("file", error.message)
    except PermissionDenied as error:
        form.add_error("organisation", str(error))
    return None


@login_required
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Commitments beside the highlighted text.

    The accept/reject controls are plain HTML in the template: 150 rows of Django
    form widgets take over a second to render, plain HTML a few milliseconds.
    """
    report = selectors.report_get_visible(user=request.user, pk=pk)
    if report is None:
        raise Http404("报告不存在或您无权查看。")
    can_manage = permissions.can_manage_organisation(request.user, report.organisation)
    status = request.GET.get("status", "")
    if status not in Commitment.Status.values:
        status = ""
    commitments = list(selectors.report_commitments(report=report))
    departments, suggestions = selectors.lead_department_suggestions(
        organisation=report.organisation, commitments=commitments
    )
    shown = [c for c in commitments if not status or c.status == status]
    for number, commitment in enumerate(commitments, start=1):
        commitment.number = number
        commitment.target_url = _target_url(commitment)
        commitment.value_display = format_amount(commitment.value, commitment.unit, commitment.value_max)
        commitment.stretch_display = format_amount(commitment.stretch_value, commitment.unit)
        # "25%" needs no "(25 %)" after it; "73 亿元" does get "(7,300,000,000 元)".
        compact = (commitment.value_text or "").replace(" ", "")
        commitment.show_base_value = compact != commitment.value_display.replace(" ", "")
        commitment.suggestion = suggestions[commitment.pk]
    context = {
        "report": report,
        "commitments": shown,
        "total": len(commitments),
        "status": status,
        "status_filters": STATUS_FILTERS,
        "can_manage": can_manage,
        "departments": departments,
        "highlighted_text": highlight_quotes(report.text, commitments),
        "achievements": selectors.report_achievements(report=report),
    }
    return render(request, "reports/report_review.html", context)


def format_amount(value: float | None, unit: str, value_max: float | None = None) -> str:
    """7300000000, 元 -> "7,300,000,000 元"; a range shows both ends."""
    if value is None:
        return ""

    def number(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4f}".rstrip("0").rstrip(".")

    shown = number(value) if value_max is None else f"{number(value)}–{number(value_max)}"
    return f"{shown} {unit}".strip()


def _target_url(commitment: Commitment) -> str | None:
    if commitment.status != Commitment.Status.ACCEPTED:
        return None
    target = getattr(commitment, "target", None)
    if target is None:
        return None
    try:
        return reverse("target-detail", kwargs={"pk": target.pk})
    except NoReverseMatch:  # the targets pages may not define it (yet)
        return None


def highlight_quotes(text: str, commitments: list[Commitment]) -> SafeString:
    """The report text, escaped, with each commitment's quote wrapped in <mark>.

    Quotes may overlap (two figures in one clause): the text is cut at every
    quote boundary and each piece is marked with all the commitments covering
    it. Every piece of document text goes through html.escape; only our own
    tags are added around it.
    """
    starts: dict[int, list[Commitment]] = defaultdict(list)
    ends: dict[int, list[Commitment]] = defaultdict(list)
    length = len(text)
    for c in commitments:
        start, end = max(0, min(c.start, length)), max(0, min(c.end, length))
        if end > start:
            starts[start].append(c)
            ends[end].append(c)
    cuts = sorted({0, length, *starts, *ends})
    active: dict[int, Commitment] = {}
    out: list[str] = []
    for left, right in pairwise(cuts):
        for c in ends.get(left, ()):
            active.pop(c.pk, None)
        for c in starts.get(left, ()):
            active[c.pk] = c
            out.append(f'<span class="anchor" id="q-{c.pk}"></span>')
        piece = html.escape(text[left:right], quote=False)
        if active:
            ids = " ".join(str(pk) for pk in active)
            first = next(iter(active.values()))
            out.append(
                f'<a class="quote-link" href="#c-{first.pk}"><mark class="quote st-{first.status}" '
                f'data-ids="{ids}">{piece}</mark></a>'
            )
        else:
            out.append(piece)
    return mark_safe("".join(out))  # noqa: S308 - every document piece above is escaped  # nosec B308, B703


# --- actions ---------------------------------------------------------------


def _managed_commitment(request: HttpRequest, pk: int) -> Commitment:
    commitment = selectors.commitment_get_visible(user=request.user, pk=pk)
    if commitment is None:
        raise Http404("承诺事项不存在或您无权查看。")
    if not permissions.can_manage_organisation(request.user, commitment.report.organisation):
        raise PermissionDenied("您没有权限审核该组织的承诺事项。")
    return commitment


def _back(commitment: Commitment) -> HttpResponse:
    return redirect(reverse("reports:detail", kwargs={"pk": commitment.report_id}) + f"#c-{commitment.pk}")


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


@login_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of its own: correcting fields is rare, and one form per row would slow the review page."""
    commitment = _managed_commitment(request, pk)
    if commitment.status != Commitment.Status.PROPOSED:
        messages.error(request, f"该承诺事项{commitment.get_status_display()}，不能修改。")
        return _back(commitment)
    if request.method != "POST":
        form = CommitmentEditForm(instance=commitment)
        return render(request, "reports/commitment_edit.html", {"commitment": commitment, "form": form})
    # Validate against a blank instance: the service, not the form, writes the row.
    form = CommitmentEditForm(request.POST, instance=Commitment(report=commitment.report))
    if form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if value != getattr(commitment, name)}
        try:
            if changes:
                services.commitment_update(commitment=commitment, acting_user=request.user, **changes)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "已保存修改。" if changes else "没有需要保存的修改。")
            return _back(commitment)
    return render(request, "reports/commitment_edit.html", {"commitment": commitment, "form": form}, status=400)


@login_required
@require_POST
def commitment_accept(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _managed_commitment(request, pk)
    departments = list(commitment.report.organisation.departments.all())
    choices = [("", "自动"), *((d.pk, d.name) for d in departments)]
    form = CommitmentAcceptForm(request.POST, choices=choices, prefix=f"c{pk}")
    if not form.is_valid():
        messages.error(request, "请选择本组织的牵头单位。")
        return _back(commitment)
    chosen = form.cleaned_data["lead_department"]
    lead = next((d for d in departments if d.pk == chosen), None)
    try:
        target = services.commitment_accept(commitment=commitment, acting_user=request.user, lead_department=lead)
    except ValidationError as error:
        messages.error(request, f"未采纳：{_error_text(error)}")
    else:
        lead_name = target.lead_department.name if target.lead_department else "未指定"
        messages.success(request, f"已采纳为目标任务「{target.title}」，牵头单位：{lead_name}。")
    return _back(commitment)


@login_required
@require_POST
def commitment_reject(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _managed_commitment(request, pk)
    form = CommitmentRejectForm(request.POST, prefix=f"c{pk}")
    if not form.is_valid():
        messages.error(request, "驳回时必须填写理由（不超过 300 字）。")
        return _back(commitment)
    try:
        services.commitment_reject(commitment=commitment, acting_user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, f"未驳回：{_error_text(error)}")
    else:
        messages.success(request, "已驳回该承诺事项。")
    return _back(commitment)


@login_required
@require_POST
def commitment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _managed_commitment(request, pk)
    try:
        services.commitment_reopen(commitment=commitment, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "已恢复为待审核。")
    return _back(commitment)


@login_required
@require_POST
def report_accept_all(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_visible(user=request.user, pk=pk)
    if report is None:
        raise Http404("报告不存在或您无权查看。")
    if not permissions.can_manage_organisation(request.user, report.organisation):
        raise PermissionDenied("您没有权限审核该组织的承诺事项。")
    try:
        targets = services.commitments_accept_all(report=report, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, f"未能全部采纳：{_error_text(error)}")
    else:
        messages.success(request, f"已将其余 {len(targets)} 条待审核承诺事项全部采纳为目标任务。")
    return redirect("reports:detail", pk=report.pk)
