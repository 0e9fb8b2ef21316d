"""Pages for the office's documents: the 督查通报 download, the 任务台账 import (upload, preview, confirm), the
督办通知单 issue and download. Thin: the work is in `targets.documents`."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from config.parsing import BadInteger, parse_id, parse_int
from targets import permissions, selectors
from targets.documents import uploads
from targets.documents.bulletin import bulletin_document
from targets.documents.ledger_import import LedgerMappingError, LedgerRowsError, ledger_check, ledger_import
from targets.documents.ledger_read import (
    EXTENSIONS,
    FIELD_LABELS,
    MAX_BYTES,
    LedgerFileError,
    guess_mapping,
    guess_plan_year,
    read_ledger,
)
from targets.documents.notice import docx_to_pdf, notice_docx, notice_filename, notice_issue
from targets.documents.periods import PeriodError, parse_period
from targets.models import Organisation, SupervisionNotice

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PREVIEW_ROWS = 15


def attachment(content: bytes, content_type: str, filename: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response


# --- 督查通报 ------------------------------------------------------------------------------


@login_required
@require_GET
def bulletin_download(request: HttpRequest) -> HttpResponse:
    """?organisation=ID&period=2026-11 (or 2026-Q3): the bulletin as .docx, for the organisation's supervisors."""
    supervised = permissions.organisations_with_role(request.user, permissions.ADMIN, permissions.SUPERVISOR)
    raw = request.GET.get("organisation", "")
    organisation = supervised.filter(pk=parse_id(raw, label="组织 id")).first()  # not a whole number: 400
    if organisation is None:
        raise Http404("找不到该组织，或您不是该组织的督查人员。")
    try:
        name, content = bulletin_document(organisation=organisation, period=parse_period(request.GET.get("period", "")))
    except PeriodError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return attachment(content, DOCX, name, "bulletin.docx")


# --- 任务台账导入 ----------------------------------------------------------------------------


class LedgerUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(label="导入到", queryset=Organisation.objects.none(), empty_label=None)
    file = forms.FileField(label="任务台账文件", help_text="支持 .xlsx、.xls、.csv，不超过 10 MB")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = permissions.organisations_with_role(user, permissions.ADMIN)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError("只能导入 .xlsx、.xls 或 .csv 格式的任务台账。")
        if file.size > MAX_BYTES:
            raise forms.ValidationError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后导入。")
        return file


@login_required
def ledger_upload(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST a file: keep it and show its preview. POST from the preview (`token`): check
    again with the administrator's mapping and skips, or import (`action=import`)."""
    if not permissions.organisations_with_role(request.user, permissions.ADMIN).exists():
        raise PermissionDenied("只有管理员可以导入任务台账。")
    if request.method == "POST" and "token" in request.POST:
        return _preview(request, request.POST["token"], confirm=True)
    form = LedgerUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        content = file.read()
        try:
            read_ledger(content, file.name)
        except LedgerFileError as error:
            form.add_error("file", str(error))
        else:
            token = uploads.keep_upload(
                request.session, content=content, name=file.name, organisation_id=form.cleaned_data["organisation"].pk
            )
            return redirect("ledger-preview", token=token)
    return render(request, "targets/ledger_upload.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def ledger_preview(request: HttpRequest, token: str) -> HttpResponse:
    """The table as read, the guessed mapping (changeable), every row's check."""
    return _preview(request, token, confirm=False)


def _preview(request: HttpRequest, token: str, *, confirm: bool) -> HttpResponse:
    kept = uploads.read_upload(request.session, str(token)[:100])
    if kept is None:
        raise Http404("该导入已失效，请重新上传。")
    content, name, organisation_id = kept
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not permissions.can_manage_organisation(request.user, organisation):
        raise PermissionDenied("只有本单位管理员可以导入任务台账。")
    table = read_ledger(content, name)
    mapping = guess_mapping(table.headers)
    plan_year = guess_plan_year(table, timezone.localdate().year)
    skip: set[int] = set()
    problem = ""
    if confirm:
        mapping = {
            i: request.POST[f"col{i}"] for i in range(len(table.headers)) if request.POST.get(f"col{i}") in FIELD_LABELS
        }
        plan_year = _int(request.POST.get("plan_year"), plan_year, 2000, 2100)
        skip = {n for n in (_int(v, 0, 1, 10**6) for v in request.POST.getlist("skip")) if n}
    check = None
    try:
        check = ledger_check(
            table=table, mapping=mapping, organisation=organisation, plan_year=plan_year, skip_rows=skip
        )
    except LedgerMappingError as error:
        problem = str(error)
    if confirm and request.POST.get("action") == "import" and check is not None:
        try:
            created = ledger_import(
                check=check, organisation=organisation, plan_year=plan_year, acting_user=request.user, source=name
            )
        except LedgerRowsError as error:
            problem = str(error)
        else:
            uploads.drop_upload(request.session, token)
            messages.success(
                request,
                f"已从「{name}」导入 {len(created)} 项任务"
                + (f"，{len(check.existing)} 项此前已导入" if check.existing else "")
                + (f"，跳过 {len(check.skipped)} 行" if check.skipped else "")
                + "。",
            )
            return redirect("home")
    context = {
        "token": token,
        "name": name,
        "organisation": organisation,
        "table": table,
        "columns": [(i, header, mapping.get(i, "")) for i, header in enumerate(table.headers)],
        "fields": list(FIELD_LABELS.items()),
        "preview": table.rows[:PREVIEW_ROWS],
        "plan_year": plan_year,
        "check": check,
        "skip": skip,
        "problem": problem,
    }
    return render(request, "targets/ledger_preview.html", context, status=400 if problem else 200)


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return parse_int(value, minimum=low, maximum=high)
    except BadInteger:
        return default


# --- 督办通知单 ------------------------------------------------------------------------------


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=SupervisionNotice.Kind.choices)
    reply_by = forms.DateField(label="反馈时限")
    requirement = forms.CharField(label="督办要求", required=False, max_length=2000)


@login_required
@require_POST
def notice_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_visible_to(user=request.user, pk=pk)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "签发失败：" + "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("target-detail", pk=target.pk)
    try:
        notice = notice_issue(target=target, acting_user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, "签发失败：" + "；".join(error.messages))
        return redirect("target-detail", pk=target.pk)
    messages.success(request, f"已签发{notice.get_kind_display()}（{notice.number_text}）。")
    return redirect("target-detail", pk=target.pk)


@login_required
@require_GET
def notice_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("docx", "pdf"):
        raise Http404("找不到该通知单。")
    notice = get_object_or_404(SupervisionNotice.objects.select_related("target"), pk=pk)
    if not permissions.can_view_target(request.user, notice.target):
        raise Http404("找不到该通知单。")
    target = selectors.target_detail(pk=notice.target_id)
    notice.target = target
    content = notice_docx(notice)
    if fmt == "pdf":
        pdf = docx_to_pdf(content)
        if pdf is None:
            return HttpResponse(
                "本机未安装 PDF 转换程序（LibreOffice），请下载 Word 版。",
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        return attachment(pdf, "application/pdf", notice_filename(notice, ".pdf"), "notice.pdf")
    return attachment(content, DOCX, notice_filename(notice, ".docx"), "notice.docx")
