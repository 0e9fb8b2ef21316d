"""Importing a report: decode, extract, store everything in one transaction, or nothing."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from reports.extraction import extract_achievements, extract_commitments
from reports.extraction.text import clean_quote
from reports.models import Achievement, Commitment, Report
from reports.services import ReportImportError, report_import

DOCS = Path(__file__).resolve().parent.parent / "data" / "docs"
MINI_BYTES = (DOCS / "mini_report.txt").read_bytes()
MINI = MINI_BYTES.decode("utf-8")


def nothing_saved() -> bool:
    return not (Report.objects.exists() or Commitment.objects.exists() or Achievement.objects.exists())


def assert_offsets_index_the_text(report: Report) -> None:
    rows = list(report.commitments.all()) + list(report.achievements.all())
    assert rows
    for row in rows:
        assert 0 <= row.start < row.end <= len(report.text)
        assert clean_quote(report.text[row.start : row.end]) == clean_quote(row.quote)


def test_import_stores_report_commitments_and_achievements(org, ada):
    report = report_import(organisation=org, filename="mini_report.txt", data=MINI_BYTES, acting_user=ada)
    report.refresh_from_db()
    assert report.text == MINI
    assert (report.file_type, report.encoding, report.size) == ("txt", "utf-8", len(MINI_BYTES))
    assert len(report.sha256) == 64
    assert report.uploaded_by == ada
    assert report.original_name == "mini_report.txt"
    assert report.title == "测试镇2023年政府工作报告"  # the file name says nothing: organisation, year, kind
    assert (report.doc_kind, report.plan_year, report.review_year) == ("work_report", 2023, 2022)
    assert report.sections and all("heading" in s and "start" in s for s in report.sections)
    assert report.commitments.count() == len(extract_commitments(MINI))
    assert report.achievements.count() == len(extract_achievements(MINI))
    assert set(report.commitments.values_list("status", flat=True)) == {"proposed"}
    assert set(report.commitments.values_list("plan_year", flat=True)) == {2023}
    retail = report.commitments.get(quote__contains="73 亿元")
    assert (retail.value, retail.unit, retail.relation) == (7.3e9, "元", "absolute")
    assert_offsets_index_the_text(report)


def test_chinese_file_name_becomes_the_title(org, ada):
    report = report_import(organisation=org, filename="示范镇2023年政府工作报告.txt", data=MINI_BYTES, acting_user=ada)
    assert report.title == "示范镇2023年政府工作报告"


@pytest.mark.parametrize("codec", ["gbk", "utf-8-sig", "utf-16"])
def test_import_other_encodings(org, codec):
    report = report_import(organisation=org, filename="report.txt", data=MINI.encode(codec))
    assert report.text == MINI
    assert report.commitments.count() == len(extract_commitments(MINI))


def test_import_docx(org):
    import docx

    document = docx.Document()
    for line in MINI.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    report = report_import(organisation=org, filename="report.docx", data=out.getvalue())
    assert report.file_type == "docx"
    assert report.commitments.filter(quote__contains="42 万平方米").exists()
    assert_offsets_index_the_text(report)


def test_import_pdf(org):
    report = report_import(organisation=org, filename="report.pdf", data=(DOCS / "mini_report.pdf").read_bytes())
    assert report.file_type == "pdf"
    assert report.commitments.filter(value=7.3e9, unit="元").exists()
    assert_offsets_index_the_text(report)


def test_import_sample_report(org, sample_path):
    path = sample_path("002")
    report = report_import(organisation=org, filename=path.name, data=path.read_bytes())
    assert report.commitments.count() >= 20
    assert report.achievements.count() >= 10
    assert report.plan_year == 2023
    assert_offsets_index_the_text(report)


def test_year_overrides_the_detected_plan_year(org):
    report = report_import(organisation=org, filename="report.txt", data=MINI_BYTES, year=2024)
    assert report.plan_year == 2024
    assert set(report.commitments.values_list("plan_year", flat=True)) == {2024}


def test_duplicate_upload_is_refused_per_organisation(org, other_org):
    report_import(organisation=org, filename="a.txt", data=MINI_BYTES)
    with pytest.raises(ReportImportError, match="已导入过同一文件"):
        report_import(organisation=org, filename="renamed.txt", data=MINI_BYTES)
    assert Report.objects.count() == 1
    report_import(organisation=other_org, filename="a.txt", data=MINI_BYTES)  # another town may
    assert Report.objects.count() == 2


def test_same_text_in_another_encoding_is_a_duplicate(org):
    report_import(organisation=org, filename="a.txt", data=MINI_BYTES)
    with pytest.raises(ReportImportError, match="已导入过同一文件"):
        report_import(organisation=org, filename="a-gbk.txt", data=MINI.encode("gbk"))
    assert Report.objects.count() == 1


NO_COMMITMENTS = "示范镇人民政府关于召开运动会的通知\n各村、各部门：定于下周举行职工运动会，请做好准备。\n".encode()


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("empty.txt", b"", "文件为空"),
        ("junk.txt", os.urandom(30000), "不是文本|无法识别文件编码"),
        ("big.txt", b"x" * (30 * 1024 * 1024), "文件过大"),
        ("report.doc", MINI_BYTES, "不支持的文件类型"),
        ("report.docx", MINI_BYTES, "不是有效的 Word"),
        ("scan.pdf", (DOCS / "image_only.pdf").read_bytes(), "没有文字层"),
        ("big5.txt", ("政府工作報告，全年稅收增長百分之十五。" * 30).encode("big5"), "无法识别文件编码"),
        ("notice.txt", NO_COMMITMENTS, "未在该文件中找到任何目标任务"),
    ],
)
def test_bad_input_gives_a_chinese_message_and_saves_nothing(org, filename, data, message):
    with pytest.raises(ReportImportError, match=message):
        report_import(organisation=org, filename=filename, data=data)
    assert nothing_saved()


def test_size_limit_is_a_setting(org, settings):
    settings.REPORT_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ReportImportError, match="文件过大"):
        report_import(organisation=org, filename="a.txt", data=MINI_BYTES)
    settings.REPORT_UPLOAD_EXTENSIONS = [".pdf"]
    settings.REPORT_UPLOAD_MAX_BYTES = 10**6
    with pytest.raises(ReportImportError, match="不支持的文件类型"):
        report_import(organisation=org, filename="a.txt", data=MINI_BYTES)


@pytest.mark.parametrize("persona", ["alice", "sam", "olga"])
def test_only_administrators_of_the_organisation_import(org, persona, request):
    with pytest.raises(PermissionDenied):
        report_import(organisation=org, filename="a.txt", data=MINI_BYTES, acting_user=request.getfixturevalue(persona))
    assert nothing_saved()
