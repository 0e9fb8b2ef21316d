"""Pages: the board ("我的任务" / 督查看板), a target's page and its actions, evidence downloads, the ledger export.

Thin: forms validate, services write, `targets.permissions` decides who may do what. A write that
arrives with a stale version gets the page back with HTTP 409 and a clear message; nothing is changed.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.utils import flatatt
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from config.parsing import MAX_ID, BadInteger, parse_optional_int, parse_version
from targets import permissions, plausibility, rankings, selectors, services
from targets.display import (
    OVERDUE_RULE,
    conversion_echo,
    display_target,
    display_unit,
    format_figure,
    milestone_heading,
    milestone_plan,
)
from targets.documents.ledger_export import ledger_title, ledger_workbook
from targets.documents.notice import pdf_converter
from targets.evidence import is_inline
from targets.forms import (
    CancelForm,
    CommentForm,
    DecisionForm,
    EscalateForm,
    ExtensionForm,
    LifecycleForm,
    MilestoneForm,
    ProgressForm,
    ReassignForm,
    RequestExtensionForm,
    RequestSignoffForm,
    TargetFilterForm,
)
from targets.health import HEALTH_LABELS, days_overdue, target_health
from targets.health import OVERDUE as HEALTH_OVERDUE
from targets.models import Evidence, ProgressUpdate, Target
from targets.people import person_labels

PAGE_SIZE = 50
STALE_STATUS = 409


# --- the board ---------------------------------------------------------------------


def _board(request: HttpRequest) -> dict:
    """The filtered board shared by the page and the Excel export: an ordered queryset and its counts."""
    today = timezone.localdate()
    base = selectors.targets_for_user(user=request.user)
    years = sorted(set(base.order_by().values_list("plan_year", flat=True).distinct()), reverse=True)
    # Staff see their own department's targets (lead or co-department) first; the rest of the town is one
    # click away (?scope=all). Supervisors and administrators always see everything they supervise.
    scope = {"own": None, "all_count": None}
    mine = permissions.user_department_ids(request.user)
    supervised = list(permissions.organisations_with_role(request.user, permissions.ADMIN, permissions.SUPERVISOR))
    supervisor = bool(supervised)
    if mine and not supervisor and request.GET.get("scope") != "all":
        scope = {"own": True, "all_count": base.count()}
        base = base.filter(
            Q(lead_department_id__in=mine)
            | Q(pk__in=Target.co_departments.through.objects.filter(department_id__in=mine).values("target_id"))
        )
    elif mine and not supervisor:
        scope = {"own": False, "all_count": None}
    # Plain rows, not a thousand Department and Organisation instances: the form's choices and the table's names.
    departments = list(
        selectors.departments_for_user(user=request.user).values_list(
            "pk", "name", "organisation_id", "organisation__name"
        )
    )
    form = TargetFilterForm(request.GET or None, years=years)
    form.fields["department"].choices += [(pk, f"{org_name} · {name}") for pk, name, _org, org_name in departments]
    queryset, health, group = base, None, ""
    if form.is_valid():
        data = form.cleaned_data
        queryset = selectors.filter_targets(
            base, department=data["department"], lifecycle=data["lifecycle"] or None, plan_year=data["plan_year"]
        )
        health, group = data["health"] or None, data["group"] or ""
    summary = selectors.board_counts(
        queryset,
        on=today,
        organisations={org: org_name for _pk, _name, org, org_name in departments},
        departments={pk: name for pk, name, _org, _org_name in departments},
    )
    rows = selectors.board(queryset, on=today, health=health, by_department=group == "department")
    counts = summary["counts"]
    ranking_year = (form.cleaned_data.get("plan_year") if form.is_valid() else None) or today.year
    ranking_counts = (
        rankings.unit_counts(base.filter(plan_year=ranking_year), on=today) if supervisor else []
    )  # one GROUP BY query: departments and towns are ranked from it in Python
    return {
        "today": today,
        "form": form,
        "rows": rows,
        "queryset": queryset,
        "health": health,
        "shown": counts[health] if health else sum(counts.values()),
        "counts": counts,
        "departments": summary["departments"],
        "pending": summary["pending"],
        "group": group,
        "scope": scope,
        "mine": mine,
        "supervised": supervised,
        "supervisor": supervisor,
        "ranking_year": ranking_year,
        "ranking_counts": ranking_counts,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    board = _board(request)
    counts = board["counts"]
    supervised, supervisor = board["supervised"], board["supervisor"]
    paginator = Paginator(board["rows"], PAGE_SIZE)
    paginator.count = board["shown"]  # known from the counts: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    if board["group"] != "department" and "mine" not in board["rows"].query.annotations:
        # Worst first is the counts' order: each health's rows come from its own indexed query, not a full sort.
        start = (page.number - 1) * PAGE_SIZE
        page.object_list = selectors.board_slice(
            board["queryset"], on=board["today"], counts=board["counts"], start=start, stop=start + PAGE_SIZE,
            health=board["health"],
        )  # fmt: skip
    selectors.board_page(page.object_list, on=board["today"])
    departments_ranked = rankings.rank_units(board["ranking_counts"], by_organisation=False)
    towns = rankings.rank_units(board["ranking_counts"], by_organisation=True)
    my_departments = board["mine"]
    for target in page:
        target.is_mine = target.lead_department_id in my_departments
    if len(board["form"].fields["department"].choices) > 1:
        board["form"].fields["department"].widget = PlainSelect()  # a district lists a thousand departments
    return render(
        request,
        "targets/home.html",
        {
            "targets": page,
            "page": page,
            "page_links": _page_links(request, page),
            "form": board["form"],
            "group": board["group"],
            "today": board["today"],
            "counts": [
                (key, HEALTH_LABELS[key], counts.get(key, 0), _query(request, health=key, lifecycle=""))
                for key in HEALTH_LABELS
            ],
            "closed_query": _query(request, health="", lifecycle="signed_off"),
            "pending": [
                (f"待审批{key.label}", count, _query(request, health="", lifecycle=key))
                for key, count in board["pending"].items()
                if count
            ],
            "export_query": _query(request, page=""),
            "board": supervisor and bool(board["departments"]),
            "board_rows": _department_rows(request, board["departments"], departments_ranked) if supervisor else "",
            "town_rankings": towns if len(towns) > 1 else [],
            "ranking_year": board["ranking_year"],
            "ranking_rule": rankings.RULE,
            "compare_on": rankings.compare_date(board["today"]),
            "supervisor": supervisor,
            "bulletin_organisations": supervised,
            "last_month": (board["today"].replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
            "can_import": supervisor and permissions.administers_any(request.user),
            "health_labels": list(HEALTH_LABELS.values()),
            "total": sum(counts.values()),
            "shown": board["shown"],
            "closed": counts.get(None, 0),
            "scope": board["scope"],
            "all_query": _query(request, scope="all"),
            "own_query": _query(request, scope=""),
            "overdue_rule": OVERDUE_RULE,
        },
    )


@login_required
@require_GET
def target_export(request: HttpRequest) -> HttpResponse:
    """The current (filtered) board as a 任务台账 .xlsx."""
    board = _board(request)
    rows = selectors.board_page(list(board["rows"]), on=board["today"])
    names = sorted({t.organisation.name for t in rows}) or [
        o.name for o in permissions.visible_organisations(request.user)
    ]
    content = ledger_workbook(rows, title=ledger_title(names))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"任务台账-{board['today']:%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledger-{board['today']:%Y%m%d}.xlsx\"; filename*=UTF-8''{_quote(filename)}"
    )
    return response


# --- a target's page ----------------------------------------------------------------------


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_visible_to(user=request.user, pk=pk)
    return _render_detail(request, target)


@login_required
@require_POST
def target_progress(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_visible_to(user=request.user, pk=pk)
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, target, progress_form=form, status=400)
    data = form.cleaned_data
    corrects = None
    if data.get("corrects"):
        corrects = ProgressUpdate.objects.filter(pk=data["corrects"], target=target).first()
    # The form is typed in the target's display unit (8.2 亿元); the service stores base units (820000000 元).
    value = display_unit(target).to_base(data["value"])
    doubts = plausibility.progress_doubts_for(
        request.user,
        target,
        value=value,
        percent=data["percent"],
        corrects=corrects,
        expected_version=data["version"],
    )
    if doubts and not data.get("confirm"):
        return _render_detail(request, target, progress_form=form, doubts=doubts, status=400)
    try:
        services.progress_record(
            target=target,
            acting_user=request.user,
            value=value,
            percent=data["percent"],
            note=data["note"],
            files=data["files"],
            expected_version=data["version"],
            corrects=corrects,
        )
    except services.StaleVersionError as error:
        # Keep what the person typed, with the current version, so they can check the new figures and resend.
        target = selectors.target_visible_to(user=request.user, pk=pk)
        messages.error(request, f"{error}（您填写的内容未保存，已保留在表单中，请核对最新进展后再提交。）")
        fresh = request.POST.copy()
        fresh["version"] = str(target.version)
        return _render_detail(request, target, progress_form=ProgressForm(fresh), status=STALE_STATUS)
    except PermissionDenied as error:
        messages.error(request, _message(error))
        return _render_detail(request, target, status=403)
    except ValidationError as error:
        form.add_error(None, _message(error))
        return _render_detail(request, target, progress_form=form, status=400)
    messages.success(request, "进展已填报。")
    return redirect("target-detail", pk=pk)


@login_required
@require_POST
def target_lifecycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Older single-button form (request sign-off, sign off, request extension without a date)."""
    target = selectors.target_visible_to(user=request.user, pk=pk)
    form = LifecycleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求无效，请刷新页面后重试。")
        return redirect("target-detail", pk=pk)
    service = {
        "request_signoff": services.target_request_signoff,
        "sign_off": services.target_sign_off,
        "request_extension": services.target_request_extension,
    }[form.cleaned_data["action"]]
    return _run(
        request,
        target,
        "操作成功。",
        lambda: service(
            target=target,
            acting_user=request.user,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        ),
    )


def _action_view(form_class, success: str, call, *, files: bool = False):
    """A POST view: load the visible target, validate `form_class`, run `call(request, target, data)`."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        form = form_class(request.POST, request.FILES) if files else form_class(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return _render_detail(request, target, status=400)
        return _run(request, target, success, lambda: call(request, target, form.cleaned_data))

    return view


target_request_extension = _action_view(
    RequestExtensionForm,
    "延期申请已提交，等待督查人员审批。",
    lambda request, target, data: services.target_request_extension(
        target=target,
        acting_user=request.user,
        expected_version=data["version"],
        note=data["note"],
        new_due_date=data["new_due_date"],
    ),
)
target_request_signoff = _action_view(
    RequestSignoffForm,
    "销号申请已提交，等待督查人员核实。",
    lambda request, target, data: services.target_request_signoff(
        target=target,
        acting_user=request.user,
        expected_version=data["version"],
        note=data["note"],
        files=data["files"],
    ),
    files=True,
)
target_decide_extension = _action_view(
    DecisionForm,
    "已处理延期申请。",
    lambda request, target, data: services.target_decide_extension(
        target=target,
        acting_user=request.user,
        approve=data["decision"] == "approve",
        expected_version=data["version"],
        note=data["note"],
        new_due_date=data["new_due_date"],
    ),
)
target_decide_signoff = _action_view(
    DecisionForm,
    "已处理销号申请。",
    lambda request, target, data: services.target_decide_signoff(
        target=target,
        acting_user=request.user,
        approve=data["decision"] == "approve",
        expected_version=data["version"],
        note=data["note"],
    ),
)
target_comment = _action_view(
    CommentForm,
    "评论已发表。",
    lambda request, target, data: services.target_comment(
        target=target, acting_user=request.user, text=data["text"], files=data["files"]
    ),
    files=True,
)
target_escalate = _action_view(
    EscalateForm,
    "已更新督办升级状态。",
    lambda request, target, data: services.target_escalate(
        target=target,
        acting_user=request.user,
        expected_version=data["version"],
        note=data["note"],
        escalate=data["escalate"],
    ),
)
target_cancel = _action_view(
    CancelForm,
    "任务已取消（记录保留）。",
    lambda request, target, data: services.target_cancel(
        target=target, acting_user=request.user, expected_version=data["version"], note=data["note"]
    ),
)
target_extend = _action_view(
    ExtensionForm,
    "已批准延期。",
    lambda request, target, data: services.target_extend(
        target=target,
        acting_user=request.user,
        new_due_date=data["new_due_date"],
        expected_version=data["version"],
        note=data["note"],
    ),
)
milestone_add = _action_view(
    MilestoneForm,
    "已新增时间节点。",
    lambda request, target, data: services.milestone_create(
        target=target,
        acting_user=request.user,
        expected_version=data["version"],
        title=data["title"],
        due_date=data["due_date"],
        expected_percent=data["expected_percent"],
        expected_value=data["expected_value"],
    ),
)


@login_required
@require_POST
def target_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_visible_to(user=request.user, pk=pk)
    form = ReassignForm(request.POST, target=target)
    if not form.is_valid():
        messages.error(request, "请选择本组织的牵头单位。")
        return redirect("target-detail", pk=pk)
    data = form.cleaned_data
    return _run(
        request,
        target,
        "责任单位已调整。",
        lambda: services.target_reassign(
            target=target,
            acting_user=request.user,
            lead_department=data["lead_department"],
            co_departments=list(data["co_departments"]),
            expected_version=data["version"],
            note=data["note"],
        ),
    )


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone, target = selectors.milestone_visible_to(user=request.user, pk=pk)
    version = request.POST.get("version")
    return _run(
        request,
        target,
        "时间节点已完成。",
        lambda: services.milestone_mark_done(
            milestone=milestone,
            acting_user=request.user,
            expected_version=parse_optional_int(version, label="版本号", maximum=MAX_ID),
        ),
    )


@login_required
@require_POST
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone, target = selectors.milestone_visible_to(user=request.user, pk=pk)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _render_detail(request, target, status=400)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    return _run(
        request,
        target,
        "时间节点已修改。",
        lambda: services.milestone_update(
            milestone=milestone, acting_user=request.user, expected_version=version, **data
        ),
    )


@login_required
@require_POST
def milestone_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    milestone, target = selectors.milestone_visible_to(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    try:
        version = parse_version(request.POST.get("version") or "")
    except BadInteger:
        messages.error(request, "请求无效，请刷新页面后重试。")
        return redirect("target-detail", pk=target.pk)
    note = form.data.get("note", "")
    return _run(
        request,
        target,
        "时间节点已取消（记录保留）。",
        lambda: services.milestone_cancel(
            milestone=milestone, acting_user=request.user, expected_version=version, note=note
        ),
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is served here, never from a public URL: only to people who can see the target."""
    evidence = get_object_or_404(Evidence.objects.select_related("target__organisation"), pk=pk)
    if not permissions.can_view_target(request.user, evidence.target):
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response = FileResponse(
        handle,
        as_attachment=not is_inline(evidence.content_type),
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- helpers ---------------------------------------------------------------------


def _run(request: HttpRequest, target: Target, success: str, call) -> HttpResponse:
    try:
        call()
    except (services.StaleVersionError, PermissionDenied, ValidationError) as error:
        messages.error(request, str(error) if isinstance(error, services.StaleVersionError) else _message(error))
        code = (
            STALE_STATUS
            if isinstance(error, services.StaleVersionError)
            else 403
            if isinstance(error, PermissionDenied)
            else 400
        )
        # Re-read: the page shows the target as it is now, next to the message.
        return _render_detail(request, selectors.target_visible_to(user=request.user, pk=target.pk), status=code)
    messages.success(request, success)
    return redirect("target-detail", pk=target.pk)


class PlainSelect(forms.Select):
    """A <select> rendered in Python: Django renders each option through a template, which a district's thousand
    departments make the slowest part of its board. Every value and label is escaped."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{_e(v)}"{" selected" if str(v) == chosen else ""}>{_e(label)}</option>'
            for v, label in self.choices
        )
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")  # noqa: S308 (escaped above)


def _e(value) -> str:
    """HTML-escape (stdlib: Django's lazy-aware escape costs a wrapper per call, thousands per board)."""
    return html.escape(str(value), quote=True)


def _department_rows(request: HttpRequest, groups: list[dict], ranked: list[rankings.Ranking]):
    """The board's table by lead department (a district has a thousand rows; every name escaped): each count
    links to the board filtered to that department and health (the filters kept, the page and state dropped);
    then the department's 按期完成率, rank and change (`targets.rankings`)."""
    by_key = {unit.key: unit for unit in ranked}
    base = request.GET.copy()
    for key in ("page", "department", "health", "lifecycle"):
        base.pop(key, None)
    prefix = base.urlencode()

    def link(department, health: str) -> str:
        params = ([f"department={department}"] if department else []) + [f"health={health}"]
        return _e("?" + "&".join([prefix, *params] if prefix else params))

    def cell(group: dict, key: str, label: str) -> str:
        count = group["counts"][key]
        if not count:
            return f'<td class="num" data-label="{label}"><span class="muted">0</span></td>'
        href = link(group["pk"], key)
        return f'<td class="num" data-label="{label}"><a class="count count-{key}" href="{href}">{count}</a></td>'

    def ranking_cells(unit: rankings.Ranking | None) -> str:
        if unit is None:  # only cancelled targets, or none of the ranked year
            labels = ("按期完成率", "排名", "变化")
            return "".join(f'<td class="num muted" data-label="{label}">—</td>' for label in labels)
        return (
            f'<td class="num rank-rate" data-label="按期完成率">{unit.now.rate:.1f}%</td>'
            f'<td class="num rank-place" data-label="排名">{unit.now.rank}/{unit.of}</td>'
            f'<td class="rank-change small" data-label="变化">{_e(unit.change_label)}</td>'
        )

    rows = (
        f'<tr><td class="dept-name"><strong>{_e(g["department"])}</strong> '
        f'<span class="muted small">{_e(g["organisation"])}</span></td>'
        + "".join(cell(g, key, label) for key, label in HEALTH_LABELS.items())
        + f'<td class="num muted" data-label="已销号/取消">{g["closed"]}</td>'
        f'<td class="num" data-label="合计">{g["total"]}</td>'
        + ranking_cells(by_key.get((g["organisation_id"], g["pk"])))
        + "</tr>"
        for g in groups
    )
    return mark_safe("\n".join(rows))  # noqa: S308 (every name and link escaped above)


def _query(request: HttpRequest, **changes: str) -> str:
    """The current filter query string with `changes` applied (empty values dropped)."""
    params = request.GET.copy()
    if "page" not in changes:
        params.pop("page", None)  # a new filter starts at the first page
    for key, value in changes.items():
        params.pop(key, None)
        if value:
            params[key] = value
    return "?" + params.urlencode()


def _page_links(request: HttpRequest, page) -> list[tuple[int, str, bool]]:
    if page.paginator.num_pages <= 1:
        return []
    return [(n, _query(request, page=str(n)), n == page.number) for n in page.paginator.page_range]


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or "您没有权限执行该操作。"


def _form_errors(form) -> str:
    labels = {name: field.label for name, field in form.fields.items()}
    parts = []
    for name, errors in form.errors.items():
        prefix = f"{labels.get(name)}：" if name != "__all__" and labels.get(name) else ""
        parts.extend(prefix + str(e) for e in errors)
    return "；".join(parts) or "请求无效，请刷新页面后重试。"


def _render_detail(
    request,
    target: Target,
    *,
    progress_form: ProgressForm | None = None,
    doubts: list | None = None,
    status: int = 200,
):
    today = timezone.localdate()
    user = request.user
    actions = permissions.allowed_actions(user, target)
    moves = permissions.transitions_allowed(user, target)  # the lifecycle table: role and state together
    target.health = target_health(target, on=today)
    open_ = target.lifecycle not in services.CLOSED
    pending = target.lifecycle in services.PENDING
    target.display_target = display_target(target)
    files_by_update: dict[int, list] = {}
    files_by_event: dict[int, list] = {}
    for evidence in target.evidence.all():
        if evidence.update_id:
            files_by_update.setdefault(evidence.update_id, []).append(evidence)
        elif evidence.event_id:
            files_by_event.setdefault(evidence.event_id, []).append(evidence)
    updates = list(reversed(list(target.updates.all())))
    unit = display_unit(target)
    for update in updates:
        update.display_value = format_figure(target, update.value, unit=unit)
        update.files = files_by_update.get(update.pk, [])
    events = list(reversed(list(target.events.all())))
    for event in events:
        event.files = files_by_event.get(event.pk, [])
    people = person_labels(
        [u.author for u in updates] + [e.actor for e in events] + [target.owner],
        organisation_id=target.organisation_id,
    )
    for update in updates:
        update.author_label = people.get(update.author_id, "")
    for event in events:
        event.actor_label = people.get(event.actor_id, "系统")
    target.owner_label = people.get(target.owner_id, "")
    target.days_overdue = days_overdue(target, on=today) if target.health == HEALTH_OVERDUE else None
    request_event = _request_event(target, events) if pending else None
    milestones = list(target.milestones.all())
    for milestone in milestones:
        milestone.heading = milestone_heading(target, milestone)
        milestone.plan = milestone_plan(target, milestone)
    correcting = None
    corrects = None if progress_form is not None else parse_optional_int(request.GET.get("corrects"), label="更正记录")
    if corrects:
        correcting = next((u for u in updates if u.pk == corrects), None)
    if progress_form is None:
        progress_form = ProgressForm(
            initial={"version": target.version, "corrects": correcting.pk if correcting else None}
        )
    elif corrected := getattr(progress_form, "cleaned_data", {}).get("corrects"):
        correcting = next((u for u in updates if u.pk == corrected), None)
    report_url = None
    if target.commitment_id:
        try:
            report_url = reverse("reports:detail", kwargs={"pk": target.commitment.report_id})
        except NoReverseMatch:
            report_url = f"/reports/{target.commitment.report_id}/"
    return render(
        request,
        "targets/detail.html",
        {
            "target": target,
            "today": today,
            "milestones": milestones,
            "updates": updates,
            "events": events,
            "progress_form": _progress_form(target, progress_form),
            "unit": unit,
            "echo": conversion_echo(target, _typed_value(progress_form)),
            "doubts": doubts or [],
            "correcting": correcting,
            "request_event": request_event,
            "latest_update": updates[0] if updates else None,
            "overdue_rule": OVERDUE_RULE,
            # Distinct id prefixes: several forms on one page share field names (note, files, version).
            "extension_form": ExtensionForm(initial={"version": target.version}, auto_id="extend_%s"),
            "request_extension_form": RequestExtensionForm(initial={"version": target.version}, auto_id="askext_%s"),
            "request_signoff_form": RequestSignoffForm(initial={"version": target.version}, auto_id="signoff_%s"),
            "comment_form": CommentForm(auto_id="comment_%s"),
            "milestone_form": MilestoneForm(initial={"version": target.version}, auto_id="milestone_%s"),
            "reassign_form": ReassignForm(target=target, auto_id="reassign_%s")
            if "reassign" in moves and open_
            else None,
            "can_report": "report_progress" in moves,
            "can_request": "request_signoff" in moves,
            "can_decide_extension": "approve_extension" in moves,
            "can_decide_signoff": "approve_signoff" in moves,
            "can_sign": "sign_off" in moves,
            "can_escalate": "escalate" in moves,
            "pdf_available": pdf_converter() is not None,
            "can_cancel": "cancel" in moves,
            "can_edit_milestones": "edit_milestones" in moves,
            "can_comment": "comment" in moves,
            "is_co_department": permissions.REPORT_PROGRESS not in actions
            and permissions.is_co_department_staff(user, target),
            "report_url": report_url,
            "chart": _progress_chart(target, today),
        },
        status=status,
    )


def _progress_form(target: Target, form: ProgressForm | None) -> ProgressForm:
    form = form or ProgressForm(initial={"version": target.version})
    unit = display_unit(target)
    field = form.fields["value"]
    if unit.rate:
        # A rate is reported as it stands (year-to-date), not accumulated.
        field.label = {"growth": "截至目前的累计增速", "share": "截至目前的占比"}.get(target.relation, "当前值")
    else:
        field.label = "截至目前的累计完成值"
    field.widget.attrs.update({"data-factor": f"{unit.factor:g}", "data-base": unit.base, "step": "any"})
    return form


def _request_event(target: Target, events: list):
    """The event that put the target in its pending state (newest first in `events`), with the applicant's
    reason (the note they typed) and files, for the approval box."""
    for event in events:
        if event.kind == "lifecycle" and (event.after or {}).get("lifecycle") == target.lifecycle:
            event.reason = (event.after or {}).get("note", "")
            return event
    return None


def _typed_value(form: ProgressForm | None) -> float | None:
    """The figure the person typed (display unit), for the conversion echo next to the field."""
    if form is None or not form.is_bound:
        return None
    try:
        return float(form.data.get("value") or "")
    except ValueError:
        return None


def _progress_chart(target: Target, today: date) -> dict | None:
    """Inline-SVG geometry of the milestone plan against the reported progress (percent over time)."""
    milestones = list(target.milestones.all())
    if target.kind == Target.Kind.CONDITION or not milestones:
        return None
    start = date(target.plan_year, 1, 1)
    points = []
    for update in target.updates.all():
        percent = update.percent
        if percent is None and update.value is not None and target.target_value:
            percent = update.value / target.target_value * 100
        if percent is not None:
            points.append((timezone.localdate(update.created_at), percent))
    for milestone in milestones:
        if target.kind == Target.Kind.DELIVERABLE and milestone.done_on:
            points.append((milestone.done_on, milestone.expected_percent or 0))
    points.sort()
    end = max([target.due_date, *(d for d, _ in points), *(m.due_date for m in milestones)])
    top = max([100.0, *(p for _, p in points)])
    width, height, pad = 320, 160, 24
    span = max((end - start).days, 1)

    def xy(d, p):
        x = pad + (width - 2 * pad) * max(0, (d - start).days) / span
        y = height - pad - (height - 2 * pad) * min(p, top) / top
        return round(x, 1), round(y, 1)

    plan, planned = [xy(start, 0)], 0.0
    for milestone in milestones:  # a node without a planned share keeps the share before it
        planned = milestone.expected_percent if milestone.expected_percent is not None else planned
        plan.append(xy(milestone.due_date, planned))
    actual = [xy(d, p) for d, p in points]
    today_x = xy(min(max(today, start), end), 0)[0]
    return {
        "width": width,
        "height": height,
        "plan": " ".join(f"{x},{y}" for x, y in plan),
        "actual": " ".join(f"{x},{y}" for x, y in actual),
        "actual_points": actual,
        "plan_points": plan[1:],
        "today_x": today_x,
        "top_y": xy(start, 100)[1],
        "base_y": height - pad,
        "left": pad,
        "right": width - pad,
        "start": start,
        "end": end,
    }
