"""The reason of every proposal reaches the API, the CLI JSON and the Excel ledger, the same words everywhere."""

from __future__ import annotations

import io

import pytest
from rest_framework.test import APIClient

from reports.management.commands.reconcile import json_row
from reports.models import Reconciliation
from reports.reconciliation import export, selectors
from reports.reconciliation.services import reconciliation_confirm, reconciliation_run
from tests.reports.reconciliation_fixtures import import_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(org, sam):
    import_pair(org, "hailaer_2017_review2016_targets2017.txt", "hailaer_2018_review2017_targets2018.txt")
    reconciliation_run(organisation=org, year=2017, acting_user=sam)
    return list(selectors.reconciliations_for(organisation=org, year=2017))


def test_every_row_has_a_reason_that_starts_with_its_proposal(rows):
    assert len(rows) > 50
    for row in rows:
        assert row.reason.startswith(row.get_proposed_verdict_display() + "：")
        assert len(row.reason) > len(row.get_proposed_verdict_display()) + 4


def test_api_cli_and_ledger_carry_the_same_reason(rows, sam):
    import openpyxl

    api = APIClient()
    api.force_authenticate(sam)
    listed = api.get("/api/reconciliations/", {"year": 2017, "page_size": 500}).json()
    results = listed["results"] if isinstance(listed, dict) else listed
    by_id = {r["id"]: r for r in results}
    while isinstance(listed, dict) and listed.get("next"):
        listed = api.get(listed["next"]).json()
        by_id.update({r["id"]: r for r in listed["results"]})
    assert set(by_id) == {row.pk for row in rows}
    for row in rows:
        assert by_id[row.pk]["reason"] == row.reason
        assert json_row(row)["reason"] == row.reason

    book = openpyxl.load_workbook(io.BytesIO(export.ledger_workbook(rows, title="测试镇 2017 年")))
    ledger = book["任务台账"]
    header = [c.value for c in ledger[2]]
    column = header.index("核对理由") + 1
    reasons = [ledger.cell(row=i, column=column).value for i in range(3, ledger.max_row + 1)]
    assert reasons == [row.reason for row in rows]


def test_an_override_keeps_the_proposals_reason_beside_the_supervisors(rows, sam):
    row = next(r for r in rows if r.proposed_verdict == "no_evidence")
    reason = row.reason
    reconciliation_confirm(reconciliation=row, acting_user=sam, verdict="met", reason="统计公报显示已完成")
    row = Reconciliation.objects.get(pk=row.pk)
    assert row.reason == reason and row.override_reason == "统计公报显示已完成"
