"""Page and type as an office prints a document: A4, 2.54/2.8 cm margins, 仿宋 body, 宋体/黑体 headings, page
numbers in the footer (— 1 —). Fonts are named, not embedded: Word on an office PC has them; elsewhere the
reader's fallback CJK font is used."""

from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
BODY_SIZE = Pt(16)  # 三号, the size of an official document's body
TABLE_SIZE = Pt(10.5)  # 五号


def new_document() -> Document:
    """An empty A4 portrait document with the office's margins, body font and a centred page number."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing = Pt(28)
    _page_number_footer(section)
    return document


def set_font(holder, name: str, size=None, *, bold: bool | None = None) -> None:
    """Set Latin and East Asian font of a style or run (python-docx sets only the Latin one by itself)."""
    font = holder.font
    font.name = name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rpr = holder.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), name)


def title(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(12)
    set_font(paragraph.add_run(text), TITLE_FONT, Pt(22), bold=True)  # 二号


def centred(document, text: str, size=BODY_SIZE) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(paragraph.add_run(text), BODY_FONT, size)


def heading(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    set_font(paragraph.add_run(text), HEADING_FONT, BODY_SIZE)


def body(document, text: str, *, indent: bool = True):
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    set_font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)
    return paragraph


def right(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)


def table(document, header: list[str], rows: list[list], *, widths_cm: list[float] | None = None):
    """A bordered table with a bold, repeated header row, in 五号仿宋."""
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
    _repeat_header(grid.rows[0])
    for values in rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _cell_text(cell, "" if value is None else str(value))
    if widths_cm:
        for row in grid.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)
    return grid


def _cell_text(cell, text: str, *, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if bold or len(text) <= 8 else WD_ALIGN_PARAGRAPH.LEFT
    set_font(paragraph.add_run(text), BODY_FONT, TABLE_SIZE, bold=bold)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _page_number_footer(section) -> None:
    """— PAGE — centred in the footer, as a field Word fills in on every page."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(paragraph.add_run("— "), BODY_FONT, Pt(14))
    run = paragraph.add_run()
    set_font(run, BODY_FONT, Pt(14))
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    set_font(paragraph.add_run(" —"), BODY_FONT, Pt(14))
