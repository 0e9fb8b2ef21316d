"""The year-end 任务台账 as an Excel workbook (pandas + openpyxl): one ledger sheet and one summary sheet."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill

from reports.models import Reconciliation
from reports.reconciliation import selectors
from reports.reconciliation.engine import _fmt
from targets.documents.xlsx_layout import lay_out_ledger
from targets.export import formulas_as_text

LEDGER_SHEET = "任务台账"
SUMMARY_SHEET = "汇总"
LEDGER_COLUMNS = [
    "序号",
    "任务内容",
    "牵头单位",
    "责任单位",
    "时间节点",
    "指标",
    "口径",
    "目标值",
    "单位",
    "实际值",
    "完成比例",
    "完成情况/核对结果",
    "建议结论",
    "确认人",
    "确认时间",
    "改判理由",
    "科室最后填报",
    "承诺原文",
    "证据原文",
    "核对说明",
    "提示",
    "核对理由",
]
COMPARATOR_TEXT = {">=": "不低于", "<=": "不高于", "~": "左右", "range": "区间", "=": "达到"}
RELATION_TEXT = {"absolute": "总量", "growth": "增速", "share": "比率", "ratio": "比例", "rank": "排名"}
FILLS = {
    "met": "C6EFCE",
    "partly_met": "FFEB9C",
    "missed": "FFC7CE",
    "no_evidence": "D9D9D9",
    "contradicted": "F4B084",
}


def target_value_text(row: Reconciliation) -> str:
    target = row.target
    if target.target_value is None:
        return "—"
    text = _value(target.target_value, target.unit)
    if target.comparator == "range" and target.target_value_max is not None:
        text = f"{text}–{_value(target.target_value_max, target.unit)}"
    prefix = COMPARATOR_TEXT.get(target.comparator or "=", "")
    return f"{prefix} {text}".strip() if prefix and prefix != "达到" else text


def achieved_value_text(row: Reconciliation) -> str:
    if row.achieved_value is None:
        return ""
    computed_rate = (row.details or {}).get("basis") == "computed_growth"
    return _value(row.achieved_value, "%" if computed_rate else row.target.unit)


def staff_value_text(row: Reconciliation) -> str:
    staff = (row.details or {}).get("staff_value")
    return "" if staff is None else _value(staff, row.target.unit)


def ratio_text(row: Reconciliation) -> str:
    return "" if row.ratio is None else f"{row.ratio * 100:.1f}%"


def _value(value: float | None, unit: str | None) -> str:
    if value is None:
        return "—"
    return f"{_fmt(value)}{unit or ''}"


def ledger_rows(rows) -> list[dict]:
    out = []
    for number, row in enumerate(rows, start=1):
        target = row.target
        details = row.details or {}
        notes = [details.get("why") or "", details.get("arithmetic") or ""]
        out.append(
            {
                "序号": number,
                "任务内容": target.title,
                "牵头单位": selectors.department_name(row),
                "责任单位": "、".join(d.name for d in target.co_departments.all()),
                "时间节点": target.due_date.isoformat() if target.due_date else "",
                "指标": target.metric,
                "口径": RELATION_TEXT.get(target.relation, target.relation or ""),
                "目标值": target_value_text(row),
                "单位": target.unit,
                "实际值": achieved_value_text(row),
                "完成比例": round(row.ratio * 100, 1) if row.ratio is not None else None,
                "完成情况/核对结果": row.get_verdict_display(),
                "建议结论": row.get_proposed_verdict_display(),
                "确认人": row.confirmed_by.get_username() if row.confirmed_by else "",
                "确认时间": row.confirmed_at.strftime("%Y-%m-%d %H:%M") if row.confirmed_at else "",
                "改判理由": row.override_reason,
                "科室最后填报": staff_value_text(row),
                "承诺原文": target.commitment.quote if target.commitment else target.title,
                "证据原文": row.evidence_quote,
                "核对说明": "；".join(n for n in notes if n),
                "提示": "；".join((details.get("marks") or []) + (details.get("warnings") or [])),
                "核对理由": row.reason,
            }
        )
    return out


def summary_frames(rows) -> tuple[pd.DataFrame, pd.DataFrame]:
    labels = dict(Reconciliation.Verdict.choices)
    counts = selectors.verdict_counts(rows)
    total = sum(counts.values())
    by_verdict = pd.DataFrame(
        [
            {"核对结果": labels[v], "数量": n, "占比(%)": round(n * 100 / total, 1) if total else 0}
            for v, n in counts.items()
        ]
        + [{"核对结果": "合计", "数量": total, "占比(%)": 100.0 if total else 0}]
    )
    departments = selectors.verdicts_by_department(rows)
    by_department = pd.DataFrame(
        [
            {
                "牵头单位": d["department"],
                **{labels[v]: d[v] for v in Reconciliation.Verdict.values},
                "合计": d["total"],
            }
            for d in departments
        ],
        columns=["牵头单位", *labels.values(), "合计"],
    )
    return by_verdict, by_department


def ledger_workbook(rows, *, title: str = "") -> bytes:
    """The workbook as bytes: sheet 任务台账 (one row per target figure) and sheet 汇总 (by verdict, by department)."""
    rows = list(rows)
    ledger = pd.DataFrame(ledger_rows(rows), columns=LEDGER_COLUMNS)
    by_verdict, by_department = summary_frames(rows)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        ledger.to_excel(writer, sheet_name=LEDGER_SHEET, index=False, startrow=1)  # row 1: the title
        by_verdict.to_excel(writer, sheet_name=SUMMARY_SHEET, index=False, startrow=1)
        by_department.to_excel(writer, sheet_name=SUMMARY_SHEET, index=False, startrow=len(by_verdict) + 4)
        _style(writer, rows, title=title, department_row=len(by_verdict) + 4)
        formulas_as_text(writer.book)
    return buffer.getvalue()


def _style(writer, rows, *, title: str, department_row: int) -> None:
    sheet = writer.sheets[LEDGER_SHEET]
    widths = {"A": 6, "B": 40, "C": 14, "D": 16, "E": 12, "F": 18, "H": 16, "L": 14, "R": 50, "S": 50, "T": 40, "U": 40}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    lay_out_ledger(sheet, title=f"{title} 年终核对任务台账".strip(), widths={}, wrap=set())
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C3"
    verdict_column = LEDGER_COLUMNS.index("完成情况/核对结果") + 1
    for index, row in enumerate(rows, start=3):
        sheet.cell(row=index, column=verdict_column).fill = PatternFill("solid", fgColor=FILLS[row.verdict])
        for column in ("B", "R", "S", "T", "U"):
            sheet[f"{column}{index}"].alignment = Alignment(wrap_text=True, vertical="top")
    summary = writer.sheets[SUMMARY_SHEET]
    summary["A1"] = f"{title} 核对结果统计".strip()
    summary["A1"].font = Font(bold=True)
    summary.cell(row=department_row, column=1, value="按牵头单位统计").font = Font(bold=True)
    summary.column_dimensions["A"].width = 18
