"""`reconcile --org NAME --year Y [--json] [--xlsx FILE]` on real report pairs imported with `import_report`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from reports.models import Reconciliation
from tests.reports.reconciliation_fixtures import corpus_file

pytestmark = pytest.mark.django_db

JSON_FIELDS = {
    "target_id",
    "metric",
    "relation",
    "unit",
    "target_value",
    "achieved_value",
    "verdict",
    "commitment_quote",
    "achievement_quote",
}


def run(*args) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return out.getvalue(), err.getvalue(), exit_.code
    return out.getvalue(), err.getvalue(), 0


def import_national(org="国务院"):
    plan = corpus_file("china_national_2024_review2023_targets2024.txt")
    review = corpus_file("china_national_2025_review2024_targets2025.txt")
    assert run("import_report", str(plan), "--org", org, "--accept-all")[2] == 0
    assert run("import_report", str(review), "--org", org)[2] == 0


def test_json_has_one_row_per_target_figure():
    import_national()
    out, err, code = run("reconcile", "--org", "国务院", "--year", "2024", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == Reconciliation.objects.count() > 10
    assert all(set(r) >= JSON_FIELDS for r in rows)
    by_metric = {r["metric"]: r for r in rows}
    gdp = by_metric["国内生产总值增速"]
    assert (gdp["verdict"], gdp["target_value"], gdp["achieved_value"], gdp["unit"]) == ("met", 5.0, 5.0, "%")
    assert "5%左右" in gdp["commitment_quote"] and gdp["achievement_quote"] == "增长5%"
    assert by_metric["居民消费价格涨幅"]["verdict"] == "met"
    no_figure = [r for r in rows if r["verdict"] == "no_evidence" and r["target_value"] is not None]
    assert no_figure and all(r["achieved_value"] is None for r in no_figure)


def test_xlsx_and_summary_line(tmp_path):
    import openpyxl

    import_national()
    path = tmp_path / "台账.xlsx"
    out, err, code = run("reconcile", "--org", "国务院", "--year", "2024", "--xlsx", str(path))
    assert code == 0, err
    assert "国务院 2024 年核对" in out and "完成" in out and str(path) in out
    book = openpyxl.load_workbook(path)
    assert book["任务台账"].max_row == Reconciliation.objects.count() + 2  # title and header rows


def test_bad_input_exits_with_2():
    assert run("reconcile", "--org", "不存在", "--year", "2024")[2] == 2
    import_national()
    _out, err, code = run("reconcile", "--org", "国务院", "--year", "2030")
    assert code == 2 and "尚未导入" in err
