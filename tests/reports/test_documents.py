"""Reading uploaded documents: encodings, Word, PDF and every kind of bad input."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from reports.documents import DEFAULT_MAX_BYTES, DocumentError, read_document

DOCS = Path(__file__).resolve().parent.parent / "data" / "docs"
MINI = (DOCS / "mini_report.txt").read_text(encoding="utf-8")


def test_mini_fixture_is_plain_utf8_with_unix_newlines():
    raw = (DOCS / "mini_report.txt").read_bytes()
    assert b"\r" not in raw
    assert not raw.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16-le"),  # Python writes a little-endian BOM
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
    ],
)
def test_text_encodings_are_detected(codec, expected):
    doc = read_document("报告.txt", MINI.encode(codec))
    assert doc.text == MINI
    assert doc.encoding == expected
    assert doc.file_type == "txt"
    assert "\ufeff" not in doc.text


def test_gbk_sample_report_round_trips(sample_path):
    text = sample_path("002").read_text(encoding="utf-8")
    doc = read_document("002.TXT", text.encode("gbk"))
    assert doc.text == text
    assert doc.encoding == "gb18030"


def test_gb18030_only_characters_are_accepted():
    # 𠀀 (U+20000) exists in GB18030 (four bytes) but not in GBK.
    text = MINI + "\n附：𠀀字测试。\n"
    assert read_document("a.txt", text.encode("gb18030")).text == text


def test_windows_and_old_mac_line_endings_become_newlines():
    doc = read_document("a.txt", MINI.replace("\n", "\r\n").encode("gbk"))
    assert doc.text == MINI
    doc = read_document("a.txt", MINI.replace("\n", "\r").encode("utf-8"))
    assert doc.text == MINI


def test_utf8_with_a_damaged_byte_or_a_cut_last_character_is_kept():
    data = MINI.encode("utf-8")
    damaged = data[:100] + b"\xff" + data[100:]
    doc = read_document("a.txt", damaged)
    assert doc.encoding == "utf-8" and doc.text.count("\ufffd") == 1
    cut = (MINI + "完").encode("utf-8")[:-1]
    assert read_document("a.txt", cut).text == MINI + "\ufffd"


def test_short_ascii_text_is_utf8():
    assert read_document("a.txt", b"hello\n").text == "hello\n"


def _error(filename: str, data: bytes, **kwargs) -> str:
    with pytest.raises(DocumentError) as info:
        read_document(filename, data, **kwargs)
    message = info.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    return message


KOREAN = "대한민국 정부는 올해 경제 성장률을 이 퍼센트로 예상합니다. 지방 정부는 주민의 생활을 개선합니다.\n" * 10
JAPANESE = "日本政府は、本年度の経済成長率を二パーセントと見込んでいます。地方自治体は住民の生活を改善します。\n" * 10
TRADITIONAL = "政府工作報告\n各位代表：現在，我代表人民政府，向大會報告政府工作，請予審議。全年稅收增長。\n" * 10


@pytest.mark.parametrize(
    ("text", "codec", "named"),
    [
        (TRADITIONAL, "big5", "Big5"),
        (JAPANESE, "shift_jis", "Shift-JIS"),
        (JAPANESE, "euc_jp", "EUC-JP"),
        (KOREAN, "euc_kr", "EUC-KR"),
    ],
)
def test_other_east_asian_encodings_are_refused(text, codec, named):
    message = _error("report.txt", text.encode(codec))
    assert "无法识别文件编码" in message
    assert "UTF-8" in message and "GBK" in message
    assert named in message  # the message names what it looks like


def test_empty_and_blank_files_are_refused():
    assert "文件为空" in _error("a.txt", b"")
    assert "文件为空" in _error("a.txt", b" \r\n\t \n")
    assert "文件为空" in _error("a.docx", b"")


def test_binary_junk_renamed_txt_is_refused():
    message = _error("report.txt", os.urandom(20000))
    assert "不是文本" in message or "无法识别文件编码" in message
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000)
    assert "不是文本" in _error("report.txt", png)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("a.bin", os.urandom(3000))
    _error("report.txt", zipped.getvalue())


def test_extension_not_allowed():
    message = _error("report.doc", MINI.encode())
    assert "不支持的文件类型" in message and ".doc" in message
    assert "无扩展名" in _error("report", MINI.encode())
    assert "不支持" in _error("report.pdf", MINI.encode(), extensions=[".txt"])


def test_file_over_the_size_limit_is_refused_before_reading():
    thirty_mb = b"a" * (30 * 1024 * 1024)
    assert len(thirty_mb) > DEFAULT_MAX_BYTES
    message = _error("big.txt", thirty_mb)
    assert "文件过大" in message and "20.0 MB" in message
    assert "文件过大" in _error("small.txt", MINI.encode(), max_bytes=100)


# --- Word ------------------------------------------------------------------


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("示范镇政府工作报告", level=1)
    document.add_paragraph("一、2023 年主要目标任务")
    document.add_paragraph("区级税收增长 15%；社会消费品零售总额达到 73 亿元。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(0, 1).text = "目标"
    table.cell(1, 0).text = "新增就业岗位"
    table.cell(1, 1).text = "不少于 1000 个"
    document.add_paragraph("确保全年无重大安全事故。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_and_tables_in_document_order():
    doc = read_document("报告.docx", _docx_bytes())
    assert doc.file_type == "docx"
    lines = doc.text.split("\n")
    assert lines == [
        "示范镇政府工作报告",
        "一、2023 年主要目标任务",
        "区级税收增长 15%；社会消费品零售总额达到 73 亿元。",
        "项目\t目标",
        "新增就业岗位\t不少于 1000 个",
        "确保全年无重大安全事故。",
    ]


def test_docx_merged_cells_appear_once():
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    merged = table.cell(0, 0).merge(table.cell(1, 0))
    merged.text = "合并单元格"
    table.cell(0, 1).text = "甲"
    table.cell(1, 1).text = "乙"
    out = io.BytesIO()
    document.save(out)
    text = read_document("t.docx", out.getvalue()).text
    assert text.count("合并单元格") == 1
    assert "甲" in text and "乙" in text


def test_docx_content_controls_are_read_in_order():
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("第一段")
    sdt = parse_xml(
        '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:sdtContent>'
        "<w:p><w:r><w:t>控件中的目标：新增就业 1000 人</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    document.element.body.insert(1, sdt)
    document.add_paragraph("最后一段")
    out = io.BytesIO()
    document.save(out)
    assert read_document("c.docx", out.getvalue()).text == "第一段\n控件中的目标：新增就业 1000 人\n最后一段"


def test_docx_that_is_not_a_zip_is_refused():
    assert "不是有效的 Word" in _error("report.docx", MINI.encode("utf-8"))
    # An old binary .doc renamed .docx (OLE2 signature).
    assert "不是有效的 Word" in _error("report.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000))


def test_zip_that_is_not_word_is_refused():
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "你好")
    assert "无法打开该 Word" in _error("report.docx", zipped.getvalue())


def test_docx_with_no_text_is_refused():
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    assert "没有可读取的文字" in _error("empty.docx", out.getvalue())


# --- PDF -------------------------------------------------------------------


def test_pdf_text_layer_is_read():
    doc = read_document("mini_report.pdf", (DOCS / "mini_report.pdf").read_bytes())
    assert doc.file_type == "pdf"
    assert doc.text.startswith("示范镇人民政府工作报告\n")
    assert "社会消费品零售总额达到 73 亿元" in doc.text
    assert "确保全年无重大安全事故。" in doc.text
    assert "\r" not in doc.text


def test_pdf_without_text_layer_is_refused():
    assert "没有文字层" in _error("scan.pdf", (DOCS / "image_only.pdf").read_bytes())


def test_damaged_pdf_is_refused():
    assert "不是有效的 PDF" in _error("report.pdf", MINI.encode())
    truncated = (DOCS / "mini_report.pdf").read_bytes()[:400]
    assert "无法读取该 PDF" in _error("report.pdf", truncated)


def test_pdf_text_of_unmapped_fonts_counts_as_garbled():
    from reports.documents import pdf_text_is_garbled

    assert pdf_text_is_garbled("(cid:1234)(cid:88)(cid:9)\n(cid:77)(cid:5)")
    assert not pdf_text_is_garbled("区级税收增长 15%（cid:1 出现在正文中也无妨）" * 5)
    assert not pdf_text_is_garbled("区级税收增长 15%，社会消费品零售总额达到 73 亿元。" * 3 + "(cid:12)")
