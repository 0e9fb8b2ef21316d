"""The full 任务台账 export, opened with openpyxl: title row, the listed columns, numbers as numbers, and the layout
(frozen header, autofilter, widths, landscape fit-to-width print with the header repeated, Shanghai time)."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
import time_machine
from documents_world import build

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def world(org, dept_econ, dept_housing, dept_finance, alice, bob, carol, sam, ada):
    world = build(
        org,
        econ=dept_econ,
        housing=dept_housing,
        finance=dept_finance,
        alice=alice,
        bob=bob,
        carol=carol,
        sam=sam,
        ada=ada,
    )
    world["B"].co_departments.set([dept_finance, dept_housing])
    world["B"].milestones.create(
        title="签约 5 家", due_date=date(2026, 6, 30), expected_percent=50, done_on=date(2026, 6, 20)
    )
    return world


def assert_ledger_layout(sheet, *, header_row: int, rows: int) -> None:
    last = openpyxl.utils.get_column_letter(sheet.max_column)
    assert f"A1:{last}1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes.endswith(str(header_row + 1))
    assert sheet.auto_filter.ref == f"A{header_row}:{last}{header_row + rows}"
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0) and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert all(cell.font.bold for cell in sheet[header_row])
    widths = [
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, sheet.max_column + 1)
    ]
    assert all(6 <= w <= 60 for w in widths)


# 23:30 UTC on 30 Nov is 07:30 on 1 Dec in Shanghai: the title says the local time.
@time_machine.travel("2026-11-30 23:30 +0000", tick=False)
def test_board_ledger(client, world, org, sam):
    client.force_login(sam)
    response = client.get("/targets/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "测试镇重点工作任务台账（导出时间：2026-12-01 07:30）"
    assert [c.value for c in sheet[2]] == COLUMNS
    assert_ledger_layout(sheet, header_row=2, rows=7)
    rows = {r[1]: dict(zip(COLUMNS, r, strict=True)) for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert len(rows) == 7
    assert [r["序号"] for r in rows.values()] == list(range(1, 8))
    b = rows["引进优质企业 10 家"]
    assert b["牵头单位"] == "经济发展办" and b["责任单位"] == "房管办、财政所"
    assert b["完成时限"] == datetime(2026, 12, 31) and b["当前值"] == "80%" and b["完成率"] == 0.8
    assert b["进展情况"] == "2026-11-20：已签约 8 家" and b["时间节点"] == "2026年6月30日 签约 5 家（已完成）"
    rate = sheet.cell(row=3 + list(rows).index("引进优质企业 10 家"), column=COLUMNS.index("完成率") + 1)
    assert rate.data_type == "n" and rate.number_format == "0.0%"
    last = sheet.max_row  # every body row carries its column's style, not only the first
    assert (
        sheet.cell(row=last, column=2).alignment.wrap_text
        and sheet.cell(row=last, column=2).alignment.vertical == "top"
    )
    assert not sheet.cell(row=last, column=1).alignment.wrap_text
    assert sheet.cell(row=last, column=COLUMNS.index("完成时限") + 1).number_format == "yyyy-mm-dd"
    a = rows["建成产业园区标准厂房"]
    assert a["分管领导"] == "王副镇长" and a["状态"] == "推进中（已逾期）" and a["进展情况"] == "暂无填报"
    assert rows["完成营商环境评估"]["状态"] == "已销号" and rows["拆除违章建筑"]["状态"] == "已取消"


def test_reconciliation_ledger_has_the_same_layout():
    """A small reconciliation ledger from real rows (reports/reconciliation) gets the title row and print setup."""
    from reports.reconciliation.export import LEDGER_COLUMNS, ledger_workbook

    book = openpyxl.load_workbook(io.BytesIO(ledger_workbook([], title="测试镇 2026 年")))
    sheet = book["任务台账"]
    assert sheet["A1"].value.startswith("测试镇 2026 年 年终核对任务台账（导出时间：")
    assert [c.value for c in sheet[2]] == LEDGER_COLUMNS
    assert_ledger_layout(sheet, header_row=2, rows=0)
