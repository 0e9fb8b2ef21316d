"""Command line: import_report, extract_commitments --json, extract_achievements --json."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from reports.extraction import extract_achievements, extract_commitments
from reports.extraction.records import Achievement as AchievementRecord
from reports.extraction.records import Commitment as CommitmentRecord
from reports.models import Report
from targets.models import Organisation, Target

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "data" / "docs"
MINI = DOCS / "mini_report.txt"


def run(*args) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return out.getvalue(), err.getvalue(), exit_.code
    return out.getvalue(), err.getvalue(), 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# --- import_report -----------------------------------------------------------------


def test_import_creates_the_organisation_and_the_report(db):
    out, err, code = run("import_report", str(MINI), "--org", "示范镇")
    assert code == 0, err
    organisation = Organisation.objects.get(name="示范镇")
    report = Report.objects.get(organisation=organisation)
    assert report.commitments.count() == len(extract_commitments(MINI.read_text(encoding="utf-8")))
    assert f"承诺事项 {report.commitments.count()} 条" in out
    assert "\r" not in out  # no progress bar when output is not a terminal


def test_import_several_files_with_year_and_accept_all(db, tmp_path, sample_path):
    gbk = tmp_path / "gbk_report.txt"
    gbk.write_bytes(MINI.read_text(encoding="utf-8").encode("gbk") + "\n附件略。\n".encode("gbk"))
    out, err, code = run("import_report", str(MINI), str(gbk), "--org", "示范镇", "--year", "2024", "--accept-all")
    assert code == 0, err
    reports = Report.objects.filter(organisation__name="示范镇")
    assert reports.count() == 2
    assert set(reports.values_list("plan_year", flat=True)) == {2024}
    assert reports.get(original_name="gbk_report.txt").encoding == "gb18030"
    accepted = Target.objects.filter(organisation__name="示范镇")
    assert accepted.count() == sum(r.commitments.count() for r in reports)
    assert set(accepted.values_list("plan_year", flat=True)) == {2024}
    assert out.count("已采纳为目标任务") == 2


def test_progress_bar_only_on_a_terminal(db, tmp_path):
    second = tmp_path / "second.txt"
    second.write_bytes(MINI.read_bytes() + "\n附件略。\n".encode())
    terminal = Terminal()
    call_command("import_report", str(MINI), str(second), "--org", "示范镇", stdout=terminal, stderr=io.StringIO())
    assert "导入报告" in terminal.getvalue() and "2/2" in terminal.getvalue()


def test_a_bad_file_exits_2_and_saves_nothing(db, tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(os.urandom(20000))
    _, err, code = run("import_report", str(MINI), str(junk), "--org", "新镇")
    assert code == 2
    assert "junk.txt" in err and "未导入任何文件" in err
    assert not Report.objects.exists()
    assert not Organisation.objects.filter(name="新镇").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "文件为空"),
        ("report.pdf", (DOCS / "image_only.pdf").read_bytes(), "没有文字层"),
        ("fake.docx", b"not a zip", "不是有效的 Word"),
        ("notice.txt", "关于召开运动会的通知：请各部门做好准备。\n".encode(), "未在该文件中找到任何目标任务"),
    ],
)
def test_bad_input_messages(db, tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    _, err, code = run("import_report", str(path), "--org", "示范镇")
    assert code == 2 and message in err
    assert not Report.objects.exists()


def test_duplicate_import_exits_2(db):
    assert run("import_report", str(MINI), "--org", "示范镇")[2] == 0
    _, err, code = run("import_report", str(MINI), "--org", "示范镇")
    assert code == 2 and "已导入过同一文件" in err
    assert Report.objects.count() == 1


def test_missing_file_exits_2(db):
    _, err, code = run("import_report", "/nonexistent/report.txt", "--org", "示范镇")
    assert code == 2 and "找不到文件" in err


# --- extract_commitments / extract_achievements -------------------------------------


def test_extract_commitments_json_has_every_field_and_offsets_into_the_decoded_text(tmp_path):
    # No `db` fixture: pytest-django fails the test if the command touches the database.
    text = MINI.read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode("gbk"))
    out, err, code = run("extract_commitments", str(path), "--json")
    assert code == 0, err
    rows = json.loads(out)
    decoded = text.replace("\r\n", "\n")
    assert rows == [r.to_dict() for r in extract_commitments(decoded)]
    fields = {f.name for f in dataclasses.fields(CommitmentRecord)}
    for row in rows:
        assert set(row) == fields
        assert decoded[row["start"] : row["end"]].replace("\n", "") == row["quote"].replace("\n", "")
    retail = next(r for r in rows if "73 亿元" in r["quote"])
    assert (retail["value"], retail["unit"]) == (7.3e9, "元")


def test_extract_achievements_json(tmp_path, sample_path):
    out, err, code = run("extract_achievements", str(sample_path("003")), "--json")
    assert code == 0, err
    rows = json.loads(out)
    text = sample_path("003").read_text(encoding="utf-8")
    assert rows == [r.to_dict() for r in extract_achievements(text)]
    assert len(rows) >= 10
    assert all(set(row) == {f.name for f in dataclasses.fields(AchievementRecord)} for row in rows)


def test_extract_without_json_prints_a_summary(tmp_path):
    out, _, code = run("extract_commitments", str(MINI))
    assert code == 0
    assert out.strip().endswith(f"共 {len(extract_commitments(MINI.read_text(encoding='utf-8')))} 条承诺事项。")


@pytest.mark.parametrize("command", ["extract_commitments", "extract_achievements"])
def test_extract_bad_input_exits_2(tmp_path, command):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes((DOCS / "image_only.pdf").read_bytes())
    out, err, code = run(command, str(scan), "--json")
    assert code == 2 and "没有文字层" in err and out == ""
    _, err, code = run(command, str(tmp_path / "missing.txt"), "--json")
    assert code == 2 and "找不到文件" in err


def test_real_process_exit_status_and_stderr(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "manage.py", "extract_commitments", str(empty), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "文件为空" in result.stderr
    assert result.stdout == ""
