"""The full 任务台账 workbook (pandas + openpyxl): the ledger a supervisor hands upward.

Columns: 序号 · 工作任务 · 牵头单位 · 责任单位 · 分管领导 · 完成时限 · 目标值 · 当前值 · 完成率 (a number, shown
as %) · 进展情况 (the latest note) · 状态 · 时间节点 (dates with years). Reads only what `selectors.board_rows` and
`selectors.prefetch_for_rows` loaded: a fixed number of queries for any number of targets.
"""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pandas as pd
from django.utils import timezone

from targets.display import display_target, format_figure
from targets.documents.xlsx_layout import lay_out_ledger
from targets.export import formulas_as_text
from targets.health import HEALTH_LABELS
from targets.models import Target

SHEET = "任务台账"
COLUMNS = [
    "序号",
    "工作任务",
    "牵头单位",
    "责任单位",
    "分管领导",
    "完成时限",
    "目标值",
    "当前值",
    "完成率",
    "进展情况",
    "状态",
    "时间节点",
]
WIDTHS = {"序号": 6, "工作任务": 46, "进展情况": 40, "时间节点": 40, "完成时限": 12, "完成率": 9}
WRAP = {"工作任务", "责任单位", "进展情况", "时间节点", "目标值"}
FORMATS = {"完成率": "0.0%", "完成时限": "yyyy-mm-dd"}


def ledger_rows(targets: list[Target]) -> list[dict]:
    rows = []
    for number, target in enumerate(targets, start=1):
        latest = _latest(target)
        progress = getattr(target, "progress", None)
        rows.append(
            {
                "序号": number,
                "工作任务": target.title,
                "牵头单位": target.lead_department.name if target.lead_department_id else "未分配",
                "责任单位": "、".join(d.name for d in target.co_departments.all()),
                "分管领导": target.leader,
                "完成时限": target.due_date,
                "目标值": display_target(target) or "—",
                "当前值": _current_value(target, latest),
                "完成率": round(min(progress, 999.0) / 100, 4) if progress is not None else None,
                "进展情况": _progress_note(latest),
                "状态": _status_text(target),
                "时间节点": milestones_text(target),
            }
        )
    return rows


def ledger_workbook(targets: list[Target], *, title: str = "任务台账", now: datetime | None = None) -> bytes:
    frame = pd.DataFrame(ledger_rows(targets), columns=COLUMNS)
    buffer = BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format="YYYY-MM-DD") as writer:
        frame.to_excel(writer, sheet_name=SHEET, index=False, startrow=1)
        sheet = writer.sheets[SHEET]
        lay_out_ledger(sheet, title=title, header_row=2, now=now, widths=WIDTHS, wrap=WRAP, formats=FORMATS)
        formulas_as_text(writer.book)
    return buffer.getvalue()


def ledger_title(organisation_names: list[str]) -> str:
    names = "、".join(organisation_names[:3]) + ("等" if len(organisation_names) > 3 else "")
    return f"{names}重点工作任务台账"


def milestones_text(target: Target) -> str:
    return "；".join(f"{_cn(m.due_date)} {m.title}{'（已完成）' if m.done_on else ''}" for m in target.milestones.all())


def _latest(target: Target):
    updates = list(target.updates.all())
    return max(updates, key=lambda u: (u.created_at, u.pk)) if updates else None


def _current_value(target: Target, latest) -> str:
    if latest is None:
        return ""
    if latest.value is not None:
        return format_figure(target, latest.value)  # in the target's display unit, like the pages
    return f"{latest.percent:g}%" if latest.percent is not None else ""


def _progress_note(latest) -> str:
    if latest is None:
        return "暂无填报"
    day = timezone.localtime(latest.created_at).date()
    return f"{day:%Y-%m-%d}：{latest.note or '（未填写说明）'}"


def _status_text(target: Target) -> str:
    label = target.get_lifecycle_display()
    health = getattr(target, "health", None)
    return f"{label}（{HEALTH_LABELS[health]}）" if health else label


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
