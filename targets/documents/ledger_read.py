"""Reading a 任务台账 file into a table (pandas), and guessing what each column holds from its header.

A careful clerk's reading: the header is the row with the most known column names (title rows above it are
skipped); a cell merged down several rows (one 牵头单位 for a group of tasks) counts for each of them; blank rows
are skipped; sub-header rows repeating the header are skipped.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

import pandas as pd

from targets.documents.ledger_dates import normalise

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50000  # a district's whole ledger (30,000 tasks) fits
HEADER_SCAN_ROWS = 20
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")

# field -> header names, most specific first. An exact match wins over a header that merely contains the name.
FIELDS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序"),
    "title": (
        "工作任务",
        "任务内容",
        "目标任务",
        "重点工作",
        "工作内容",
        "任务名称",
        "项目名称",
        "具体任务",
        "工作事项",
        "主要任务",
    ),
    "lead": ("牵头单位", "牵头部门", "主责单位", "责任主体", "牵头科室"),
    "co": ("责任单位", "配合单位", "协办单位", "协同单位", "参与单位", "责任部门", "配合部门"),
    "leader": ("分管领导", "责任领导", "牵头领导", "包联领导", "挂帅领导"),
    "due": ("完成时限", "完成时间", "时限要求", "截止时间", "完成期限", "办结时限"),
    "milestones": ("时间节点", "进度安排", "推进计划", "节点安排", "节点要求", "序时进度", "时间安排"),
    "target_value": ("目标值", "年度目标", "目标任务数", "指标值", "预期目标", "年度目标值"),
    "current_value": ("当前值", "完成值", "累计完成", "实际完成", "累计完成值"),
    "note": ("进展情况", "推进情况", "完成情况", "进度情况", "工作进展"),
}
FIELD_LABELS = {
    "seq": "序号",
    "title": "工作任务",
    "lead": "牵头单位",
    "co": "责任单位（配合）",
    "leader": "分管领导",
    "due": "完成时限",
    "milestones": "时间节点",
    "target_value": "目标值",
    "current_value": "当前值",
    "note": "进展情况",
}
REQUIRED = ("title", "lead")


class LedgerFileError(ValueError):
    """The file cannot be read as a ledger (message in Chinese); nothing was changed."""


@dataclass
class LedgerTable:
    name: str
    header_row: int  # 1-based row number in the sheet
    headers: list[str]
    rows: list[tuple[int, list]]  # (1-based sheet row number, cell values), blank rows left out
    preamble: list[str] = field(default_factory=list)  # text above the header (the sheet's title)


def read_ledger(content: bytes, name: str) -> LedgerTable:
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise LedgerFileError("只能导入 .xlsx、.xls 或 .csv 格式的任务台账。")
    if not content:
        raise LedgerFileError("文件为空。")
    if len(content) > MAX_BYTES:
        raise LedgerFileError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后导入。")
    try:
        grid = {".csv": _csv, ".xls": _xls}.get(suffix, _xlsx)(content)
    except LedgerFileError:
        raise
    except Exception as error:  # every reader's own failure (zip, XML, BIFF, codec) means one thing to a user
        raise LedgerFileError(f"无法读取文件，请确认它是完好的 {suffix} 表格（{type(error).__name__}）。") from error
    if len(grid) > MAX_ROWS:
        raise LedgerFileError(f"表格超过 {MAX_ROWS} 行，请拆分后导入。")
    return _table(grid, PurePath(name).name)


def _xlsx(content: bytes) -> list[list]:
    """Values and merged ranges from one openpyxl load (merges are not in pandas' reading), into a DataFrame."""
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise LedgerFileError("文件不是有效的 .xlsx 表格（可能是改了扩展名的其他文件）。")
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=False, data_only=True).worksheets[0]
    grid = _grid(pd.DataFrame(list(sheet.iter_rows(values_only=True)), dtype=object))
    merges = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in sheet.merged_cells.ranges]
    return _fill_merged(grid, merges)


def _xls(content: bytes) -> list[list]:
    """Legacy .xls through xlrd (pandas' own xlrd engine is deprecated): cell values, dates, merged ranges."""
    import xlrd

    book = xlrd.open_workbook(file_contents=content, formatting_info=True)
    sheet = book.sheet_by_index(0)
    rows = []
    for r in range(sheet.nrows):
        row = []
        for cell in sheet.row(r):
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                row.append(None)
            else:
                row.append(cell.value)
        rows.append(row)
    grid = _grid(pd.DataFrame(rows, dtype=object))
    merges = [(r0 + 1, r1, c0 + 1, c1) for r0, r1, c0, c1 in sheet.merged_cells]
    return _fill_merged(grid, merges)


def _csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LedgerFileError("无法识别 .csv 文件的编码，请另存为 UTF-8 或 GBK。")
    if "\x00" in text:
        raise LedgerFileError("文件不是文本格式的 .csv 表格。")
    frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, skip_blank_lines=False)
    return _grid(frame)


def _grid(frame: pd.DataFrame) -> list[list]:
    grid = []
    for values in frame.itertuples(index=False, name=None):
        grid.append([_cell(v) for v in values])
    return grid


def _cell(value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        value = value.replace("\u3000", " ").strip()  # the text stays as written (full-width commas and all)
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fill_merged(grid: list[list], merges: list[tuple[int, int, int, int]]) -> list[list]:
    """A cell merged down several rows holds its value for each row (only the range's first column: a title or
    section row merged across the sheet stays one cell)."""
    for min_row, max_row, min_col, _max_col in merges:
        if max_row <= min_row or min_row > len(grid):
            continue
        value = grid[min_row - 1][min_col - 1] if min_col - 1 < len(grid[min_row - 1]) else None
        for row in range(min_row, min(max_row, len(grid))):
            if min_col - 1 < len(grid[row]) and grid[row][min_col - 1] is None:
                grid[row][min_col - 1] = value
    return grid


def header_key(text) -> str:
    """A header cell without spaces, line breaks and bracketed notes: 「完成时限\n（年月）」 -> 完成时限."""
    text = normalise(str(text or ""))
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", text)
    return re.sub(r"\s+", "", text)


def field_of(header: str) -> str | None:
    key = header_key(header)
    if not key:
        return None
    for name, words in FIELDS.items():
        if key in words:
            return name
    for name, words in FIELDS.items():
        if any(len(word) > 1 and word in key for word in words):
            return name
    return None


def _table(grid: list[list], name: str) -> LedgerTable:
    scan = grid[:HEADER_SCAN_ROWS]
    scores = [sum(1 for cell in row if field_of(cell) and isinstance(cell, str)) for row in scan]
    if not scores or max(scores) < 2:
        raise LedgerFileError("没有找到表头：前 20 行中应有一行包含「工作任务」「牵头单位」「完成时限」等列名。")
    index = scores.index(max(scores))
    headers = [header_key(cell) if cell is not None else "" for cell in grid[index]]
    preamble = [str(c) for row in grid[:index] for c in row if c is not None]
    rows = []
    for number, values in enumerate(grid[index + 1 :], start=index + 2):
        values = (values + [None] * len(headers))[: len(headers)]
        if all(v is None for v in values):
            continue  # a blank line
        texts = [header_key(v) for v in values if v is not None]
        if texts and sum(t in headers for t in texts) * 2 >= len(texts):
            continue  # a second header row (merged headers, a repeated header on a printed page)
        rows.append((number, values))
    return LedgerTable(name=name, header_row=index + 1, headers=headers, rows=rows, preamble=preamble)


def guess_mapping(headers: list[str]) -> dict[int, str]:
    """Column index -> field, each field at most once (the first column that names it). A lone 责任单位 column
    (no 牵头单位) is the lead department, as ledgers that have one unit column mean it."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for exact in (True, False):
        for index, header in enumerate(headers):
            if index in mapping:
                continue
            key = header_key(header)
            name = next((n for n, words in FIELDS.items() if key in words), None) if exact else field_of(header)
            if name and name not in taken:
                mapping[index] = name
                taken.add(name)
    if "lead" not in taken and "co" in taken:
        column = next(i for i, n in mapping.items() if n == "co")
        mapping[column] = "lead"
    return mapping


def guess_plan_year(table: LedgerTable, default: int) -> int:
    """The year the sheet's title names (2026年重点工作任务台账), else the most common year among the dates."""
    for text in table.preamble:
        match = re.search(r"(20\d{2})\s*年", normalise(text))
        if match:
            return int(match.group(1))
    years: dict[int, int] = {}
    for _number, values in table.rows:
        for value in values:
            year = value.year if isinstance(value, (date, datetime)) else None
            if year is None and isinstance(value, str):
                match = re.search(r"(20\d{2})\s*[年\-/.]", value)
                year = int(match.group(1)) if match else None
            if year:
                years[year] = years.get(year, 0) + 1
    return max(years, key=lambda y: (years[y], -y)) if years else default
