"""Shared by every Excel export: user text stays text. The 任务台账 itself is `targets.documents.ledger_export`."""

from __future__ import annotations


def formulas_as_text(book) -> None:
    """Write back as text every cell pandas made a formula (a string starting with "="): a ledger holds user
    text and no formula, and `=HYPERLINK(...)` in a title would run in the reader's Excel (CWE-1236)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
