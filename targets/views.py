"""Pages: the "我的任务" board and a target's page. Thin: forms validate, services write."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from targets import permissions, selectors, services
from targets.forms import ExtensionForm, LifecycleForm, ProgressForm, ReassignForm, TargetFilterForm
from targets.health import HEALTH_LABELS, HEALTH_ORDER, progress_percent, target_health
from targets.models import Milestone, Target


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    base = selectors.targets_for_user(user=request.user)
    years = sorted({y for y in base.values_list("plan_year", flat=True)}, reverse=True)
    form = TargetFilterForm(
        request.GET or None, departments=selectors.departments_for_user(user=request.user), years=years
    )
    queryset = base
    health = None
    if form.is_valid():
        queryset = selectors.filter_targets(
            base,
            department=form.cleaned_data["department"],
            lifecycle=form.cleaned_data["lifecycle"] or None,
            plan_year=form.cleaned_data["plan_year"],
        )
        health = form.cleaned_data["health"] or None
    rows = selectors.with_health(queryset, on=today)
    counts = selectors.health_counts(rows)
    board = None
    if permissions.organisations_with_role(request.user, permissions.ADMIN, permissions.SUPERVISOR).exists():
        board = _department_board(request, rows)
    if health:
        rows = [t for t in rows if t.health == health]
    # Own department first, then the worst health, then the nearest due date.
    rows.sort(key=lambda t: (getattr(t, "mine", 0), HEALTH_ORDER[t.health], t.due_date, t.pk))
    my_departments = permissions.user_department_ids(request.user)
    for target in rows:
        target.progress = progress_percent(target)
        updates = list(target.updates.all())
        target.last_update = updates[-1] if updates else None
        target.is_mine = target.lead_department_id in my_departments
    return render(
        request,
        "targets/home.html",
        {
            "targets": rows,
            "form": form,
            "today": today,
            "counts": [
                (key, HEALTH_LABELS[key], counts.get(key, 0), _query(request, health=key, lifecycle=""))
                for key in HEALTH_LABELS
            ],
            "closed_query": _query(request, health="", lifecycle="signed_off"),
            "board": board,
            "health_labels": list(HEALTH_LABELS.values()),
            "total": sum(counts.values()),
            "closed": counts.get(None, 0),
        },
    )


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    return _render_detail(request, target)


@login_required
@require_POST
def target_progress(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, target, progress_form=form, status=400)
    data = form.cleaned_data
    try:
        services.progress_record(
            target=target,
            acting_user=request.user,
            value=data["value"],
            percent=data["percent"],
            note=data["note"],
            expected_version=data["version"],
        )
    except services.StaleVersionError as error:
        messages.error(request, str(error))
        return redirect("target-detail", pk=pk)
    except (PermissionDenied, ValidationError) as error:
        form.add_error(None, _message(error))
        return _render_detail(
            request, target, progress_form=form, status=403 if isinstance(error, PermissionDenied) else 400
        )
    messages.success(request, "进展已填报。")
    return redirect("target-detail", pk=pk)


@login_required
@require_POST
def target_lifecycle(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    form = LifecycleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求无效，请刷新页面后重试。")
        return redirect("target-detail", pk=pk)
    action = form.cleaned_data["action"]
    service = {
        "request_signoff": services.target_request_signoff,
        "sign_off": services.target_sign_off,
        "request_extension": services.target_request_extension,
    }[action]
    return _run(
        request,
        target,
        "操作成功。",
        service,
        target=target,
        acting_user=request.user,
        expected_version=form.cleaned_data["version"],
        note=form.cleaned_data["note"],
    )


@login_required
@require_POST
def target_extend(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写有效的延期日期。")
        return redirect("target-detail", pk=pk)
    return _run(
        request,
        target,
        "已批准延期。",
        services.target_extend,
        target=target,
        acting_user=request.user,
        new_due_date=form.cleaned_data["new_due_date"],
        expected_version=form.cleaned_data["version"],
        note=form.cleaned_data["note"],
    )


@login_required
@require_POST
def target_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    form = ReassignForm(request.POST, target=target)
    if not form.is_valid():
        messages.error(request, "请选择本组织的牵头单位。")
        return redirect("target-detail", pk=pk)
    data = form.cleaned_data
    return _run(
        request,
        target,
        "责任单位已调整。",
        services.target_reassign,
        target=target,
        acting_user=request.user,
        lead_department=data["lead_department"],
        co_departments=list(data["co_departments"]),
        expected_version=data["version"],
        note=data["note"],
    )


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("target__organisation"), pk=pk)
    if not permissions.can_view_target(request.user, milestone.target):
        raise Http404
    return _run(
        request,
        milestone.target,
        "时间节点已完成。",
        services.milestone_mark_done,
        milestone=milestone,
        acting_user=request.user,
    )


# --- helpers ---------------------------------------------------------------------


def _department_board(request: HttpRequest, rows: list[Target]) -> list[dict]:
    """Supervisors' overview: per lead department, how many targets are in each health, worst first."""
    groups: dict[tuple, dict] = {}
    for target in rows:
        department = target.lead_department
        key = (target.organisation.name, department.name if department else "未分配")
        group = groups.setdefault(
            key,
            {
                "organisation": key[0],
                "department": key[1],
                "pk": department.pk if department else None,
                "counts": dict.fromkeys(HEALTH_LABELS, 0),
                "closed": 0,
            },
        )
        if target.health is None:
            group["closed"] += 1
        else:
            group["counts"][target.health] += 1
    board = sorted(groups.values(), key=lambda g: (-g["counts"]["overdue"], -g["counts"]["at_risk"], g["department"]))
    for group in board:
        group["cells"] = [
            (key, group["counts"][key], _query(request, department=str(group["pk"] or ""), health=key, lifecycle=""))
            for key in HEALTH_LABELS
        ]
    return board


def _query(request: HttpRequest, **changes: str) -> str:
    """The current filter query string with `changes` applied (empty values dropped)."""
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value:
            params[key] = value
    return "?" + params.urlencode()


def _visible_target(request: HttpRequest, pk: int) -> Target:
    try:
        target = selectors.target_detail(pk=pk)
    except Target.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_target(request.user, target):
        raise Http404  # do not reveal that another organisation's target exists
    return target


def _run(request, redirect_to: Target, success: str, service, **kwargs) -> HttpResponse:
    try:
        service(**kwargs)
    except (services.StaleVersionError, PermissionDenied, ValidationError) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, success)
    return redirect("target-detail", pk=redirect_to.pk)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or "您没有权限执行该操作。"


def _render_detail(request, target: Target, *, progress_form: ProgressForm | None = None, status: int = 200):
    today = timezone.localdate()
    user = request.user
    target.health = target_health(target, on=today)
    target.progress = progress_percent(target)
    can_report = permissions.can_report_progress(user, target)
    can_sign = permissions.can_sign_off(user, target)
    can_manage = permissions.can_manage_target(user, target) and target.lifecycle not in services.CLOSED
    open_ = target.lifecycle not in services.CLOSED
    target.display_target = _display_target(target)
    updates = list(reversed(list(target.updates.all())))
    for update in updates:
        update.display_value = format_quantity(update.value, target.unit)
    milestones = list(target.milestones.all())
    for milestone in milestones:
        milestone.display_expected = format_quantity(milestone.expected_value, target.unit)
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
            "events": list(reversed(list(target.events.all()))),
            "progress_form": _progress_form(target, progress_form),
            "extension_form": ExtensionForm(initial={"version": target.version}),
            "reassign_form": ReassignForm(target=target) if can_manage else None,
            "can_report": can_report and open_,
            "can_sign": can_sign and open_,
            "report_url": report_url,
            "chart": _progress_chart(target, today),
        },
        status=status,
    )


COUNTABLE_UNITS = {
    "元",
    "平方米",
    "人",
    "人次",
    "户",
    "个",
    "平方公里",
    "吨",
    "台",
    "辆",
    "套",
    "亩",
    "米",
    "公里",
    "次",
}
COMPARATOR_LABELS = {"=": "", ">=": "不低于 ", "<=": "不高于 ", "~": "约 ", "range": ""}
RELATION_LABELS = {"growth": "增长 ", "share": "", "ratio": "", "rank": "排名 "}


def format_quantity(value: float | None, unit: str) -> str:
    """420000 平方米 -> 42万平方米; 2320000000 元 -> 23.2亿元 (display only; stored values stay in base units)."""
    if value is None:
        return ""
    if unit in COUNTABLE_UNITS:
        for scale, word in ((1e8, "亿"), (1e4, "万")):
            if abs(value) >= scale:
                return f"{round(value / scale, 2):g}{word}{unit}"
    return f"{round(value, 2):g}{unit}"


def _display_target(target: Target) -> str:
    if target.target_value is None:
        return ""
    text = format_quantity(target.target_value, target.unit)
    if target.comparator == "range" and target.target_value_max is not None:
        low = text[: -len(target.unit)] if target.unit else text
        text = f"{low}–{format_quantity(target.target_value_max, target.unit)}"
    text = RELATION_LABELS.get(target.relation, "") + COMPARATOR_LABELS.get(target.comparator, "") + text
    if target.stretch_value is not None:
        text += f"（力争 {format_quantity(target.stretch_value, target.unit)}）"
    return text


def _progress_form(target: Target, form: ProgressForm | None) -> ProgressForm:
    form = form or ProgressForm(initial={"version": target.version})
    if target.relation in services.RATE_RELATIONS:
        form.fields["value"].label = "当前值"  # a rate is reported as it stands, not accumulated
    return form


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

    plan = [xy(start, 0)] + [xy(m.due_date, m.expected_percent or 0) for m in milestones]
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
