"""The board as a 任务台账 workbook (pandas + openpyxl), in the columns a 督查室 keeps by hand."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pandas as pd
from openpyxl.styles import Alignment, Font

from targets.display import display_target, format_quantity
from targets.health import HEALTH_LABELS
from targets.models import Target

LEDGER_COLUMNS = ["序号", "任务内容", "牵头单位", "责任单位", "时间节点", "目标值", "当前进展", "状态"]
WIDTHS = {"A": 6, "B": 48, "C": 14, "D": 20, "E": 34, "F": 22, "G": 40, "H": 16}


def ledger_rows(targets: list[Target]) -> list[dict]:
    """One ledger row per target; reads only prefetched milestones, updates and co-departments."""
    rows = []
    for number, target in enumerate(targets, start=1):
        rows.append(
            {
                "序号": number,
                "任务内容": target.title,
                "牵头单位": target.lead_department.name if target.lead_department_id else "未分配",
                "责任单位": "、".join(d.name for d in target.co_departments.all()),
                "时间节点": _milestones_text(target),
                "目标值": display_target(target) or "—",
                "当前进展": _progress_text(target),
                "状态": _status_text(target),
            }
        )
    return rows


def ledger_workbook(targets: list[Target], *, title: str = "任务台账") -> bytes:
    frame = pd.DataFrame(ledger_rows(targets), columns=LEDGER_COLUMNS)
    buffer = BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=title[:31], index=False)
        sheet = writer.sheets[title[:31]]
        for column, width in WIDTHS.items():
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        formulas_as_text(writer.book)
    return buffer.getvalue()


def formulas_as_text(book) -> None:
    """Write back as text every cell pandas made a formula (a string starting with "="): a ledger holds user
    text and no formula, and `=HYPERLINK(...)` in a title would run in the reader's Excel (CWE-1236)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _milestones_text(target: Target) -> str:
    nodes = [f"{_md(m.due_date)}{m.title}{'（已完成）' if m.done_on else ''}" for m in target.milestones.all()]
    nodes.append(f"{target.due_date.year}年{_md(target.due_date)}前完成")
    return "；".join(nodes)


def _progress_text(target: Target) -> str:
    updates = list(target.updates.all())
    if not updates:
        return "暂无填报"
    latest = max(updates, key=lambda u: (u.created_at, u.pk))
    figures = []
    if latest.value is not None:
        figures.append(f"累计{format_quantity(latest.value, target.unit)}")
    if latest.percent is not None:
        figures.append(f"完成{latest.percent:g}%")
    text = f"{latest.created_at:%Y-%m-%d}：" + "，".join(figures)
    if latest.note:
        text += ("。" if figures else "") + latest.note
    return text


def _status_text(target: Target) -> str:
    label = target.get_lifecycle_display()
    health = getattr(target, "health", None)
    if health:
        label += f"（{HEALTH_LABELS[health]}）"
    return label


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"
