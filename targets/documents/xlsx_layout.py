"""The layout an office hands upward, for any ledger sheet: a title row (organisation, export time in
Asia/Shanghai), a bold header row frozen under it with an autofilter, column widths that fit the text, and a print
setup (A4 landscape, fit to one page wide, the header row repeated on every page)."""

from __future__ import annotations

from copy import copy
from datetime import datetime

from django.utils import timezone
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

THIN = Side(style="thin", color="999999")
MAX_WIDTH = 60


def export_time_text(now: datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())  # TIME_ZONE = Asia/Shanghai
    return f"导出时间：{now:%Y-%m-%d %H:%M}"


def lay_out_ledger(
    sheet,
    *,
    title: str,
    header_row: int = 2,
    now: datetime | None = None,
    widths: dict[str, float] | None = None,
    wrap: set[str] = frozenset(),
    formats: dict[str, str] | None = None,
) -> None:
    """Lay out `sheet`, whose header is on `header_row` (row 1 left free for the title) and data below it.
    `widths`, `wrap` and `formats` (number formats) are by column name."""
    last_column = get_column_letter(sheet.max_column)
    sheet.merge_cells(f"A1:{last_column}1")
    sheet["A1"] = f"{title}（{export_time_text(now)}）"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    header = list(sheet[header_row])
    for cell in header:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{max(sheet.max_row, header_row)}"
    names = {get_column_letter(c.column): str(c.value or "") for c in header}
    fitted = fitted_widths(sheet, header_row=header_row)
    for letter, width in fitted.items():
        sheet.column_dimensions[letter].width = (widths or {}).get(names[letter], width)
    # One style per column, copied cell to cell: assigning an Alignment to each of a district's 360,000 cells
    # costs openpyxl a hash per cell (most of the export's time); a copied style array costs nothing.
    body = list(sheet.iter_rows(min_row=header_row + 1))
    if body:
        for index, letter in enumerate(names):
            first = body[0][index]
            first.alignment = Alignment(wrap_text=names[letter] in wrap, vertical="top")
            if names[letter] in (formats or {}):
                first.number_format = formats[names[letter]]
            for row in body[1:]:
                row[index]._style = copy(first._style)
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def fitted_widths(sheet, *, header_row: int, sample: int = 2000) -> dict[str, float]:
    """Per column, the width of its longest text (a CJK character counts two), capped; the first `sample` rows."""
    widths: dict[str, float] = {}
    for row in sheet.iter_rows(min_row=header_row, max_row=min(sheet.max_row, header_row + sample)):
        for cell in row:
            text = "" if cell.value is None else str(cell.value)
            size = max((_display_width(line) for line in text.splitlines()), default=0)
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 6), min(size + 2, MAX_WIDTH))
    return widths


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
