"""Reconciliation services on imported real reports: run, re-run, confirm, override, history, permissions, export."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied

from reports.models import Reconciliation
from reports.reconciliation import export, selectors
from reports.reconciliation.services import ReconciliationError, reconciliation_confirm, reconciliation_run
from targets.models import TargetEvent
from tests.reports.reconciliation_fixtures import import_pair

pytestmark = pytest.mark.django_db

PLAN, REVIEW = "hailaer_2017_review2016_targets2017.txt", "hailaer_2018_review2017_targets2018.txt"


@pytest.fixture
def pair(org):
    return import_pair(org, PLAN, REVIEW)


def row_for(rows, metric: str, relation: str) -> Reconciliation:
    return next(r for r in rows if r.target.metric == metric and r.target.relation == relation)


def test_run_stores_one_proposal_per_target_with_evidence(org, sam, pair):
    _plan, review = pair
    rows = reconciliation_run(organisation=org, year=2017, acting_user=sam)
    assert len(rows) == org.targets.filter(plan_year=2017).count() > 50
    assert {r.report_id for r in rows} == {review.pk}
    retail = row_for(rows, "社会消费品零售总额", "absolute")
    assert (retail.proposed_verdict, retail.verdict) == ("partly_met", "partly_met")
    assert retail.achievement.report_id == review.pk
    assert "159.5亿元" in retail.evidence_quote
    assert retail.details["similarity"] == 1.0
    gdp = row_for(rows, "地区生产总值增速", "growth")
    assert gdp.verdict == "no_evidence" and gdp.achievement is None
    # the review states the income growth rate itself (7.8 %), which agrees with the levels
    income = row_for(rows, "城镇常住居民人均可支配收入增速", "growth")
    assert income.details["basis"] == "value" and income.achieved_value == pytest.approx(7.8)


def test_rerun_refreshes_proposals_but_keeps_confirmed_verdicts(org, sam, pair):
    rows = reconciliation_run(organisation=org, year=2017, acting_user=sam)
    retail = row_for(rows, "社会消费品零售总额", "absolute")
    reconciliation_confirm(reconciliation=retail, acting_user=sam, verdict="met", reason="统计局年报口径已达标")
    again = reconciliation_run(organisation=org, year=2017, acting_user=sam)
    assert len(again) == len(rows)
    assert Reconciliation.objects.filter(target__organisation=org).count() == len(rows)
    retail = row_for(again, "社会消费品零售总额", "absolute")
    assert (retail.verdict, retail.proposed_verdict, retail.override_reason) == (
        "met",
        "partly_met",
        "统计局年报口径已达标",
    )


def test_confirm_and_override_write_verdict_history(org, sam, pair):
    rows = reconciliation_run(organisation=org, year=2017, acting_user=sam)
    growth = row_for(rows, "社会消费品零售总额增速", "growth")
    confirmed = reconciliation_confirm(reconciliation=growth, acting_user=sam)
    assert (confirmed.verdict, confirmed.confirmed_by, confirmed.is_overridden) == ("missed", sam, False)
    event = TargetEvent.objects.get(target=growth.target, kind=TargetEvent.Kind.VERDICT)
    assert event.actor == sam and event.after["verdict"] == "missed" and "确认" in event.message

    level = row_for(rows, "社会消费品零售总额", "absolute")
    with pytest.raises(ReconciliationError, match="理由"):
        reconciliation_confirm(reconciliation=level, acting_user=sam, verdict="missed")
    overridden = reconciliation_confirm(reconciliation=level, acting_user=sam, verdict="missed", reason="未达 164.1 亿")
    assert overridden.is_overridden and overridden.override_reason == "未达 164.1 亿"
    event = TargetEvent.objects.filter(target=level.target, kind=TargetEvent.Kind.VERDICT).get()
    assert event.before == {"verdict": "partly_met", "confirmed": False}
    assert event.after["proposed_verdict"] == "partly_met" and "改判" in event.message


def test_only_supervisors_run_and_confirm(org, alice, olga, sam, pair):
    with pytest.raises(PermissionDenied):
        reconciliation_run(organisation=org, year=2017, acting_user=alice)
    with pytest.raises(PermissionDenied):
        reconciliation_run(organisation=org, year=2017, acting_user=olga)
    row = reconciliation_run(organisation=org, year=2017, acting_user=sam)[0]
    with pytest.raises(PermissionDenied):
        reconciliation_confirm(reconciliation=row, acting_user=alice)
    assert not TargetEvent.objects.filter(kind=TargetEvent.Kind.VERDICT).exists()


def test_missing_review_or_targets_is_a_chinese_error(org, sam, pair):
    with pytest.raises(ReconciliationError, match="尚未导入"):
        reconciliation_run(organisation=org, year=2019, acting_user=sam)
    with pytest.raises(ReconciliationError, match="没有 2016 年的目标任务"):
        reconciliation_run(organisation=org, year=2016, acting_user=sam)


def test_staff_report_against_the_review_is_contradicted(org, sam, ada, pair):
    from targets.services import progress_record

    target = org.targets.get(plan_year=2017, metric="新增就业人数")
    # staff said 8000 people found jobs; the review says 新增就业6435人 (20 % fewer)
    progress_record(target=target, acting_user=ada, value=8000, expected_version=target.version)
    rows = reconciliation_run(organisation=org, year=2017, acting_user=sam)
    row = next(r for r in rows if r.target_id == target.pk)
    assert row.verdict == "contradicted" and row.details["staff_value"] == 8000
    assert "6435" in row.evidence_quote


def test_partly_met_share_setting(org, sam, pair, settings):
    settings.RECONCILIATION_PARTLY_MET_SHARE = 0.99
    rows = reconciliation_run(organisation=org, year=2017, acting_user=sam)
    assert row_for(rows, "社会消费品零售总额", "absolute").verdict == "missed"  # 97.2 % < 99 %


def test_ledger_workbook_has_the_ledger_and_summary(org, sam, pair, django_assert_max_num_queries):
    import openpyxl

    reconciliation_run(organisation=org, year=2017, acting_user=sam)
    with django_assert_max_num_queries(3):
        rows = list(selectors.reconciliations_for(organisation=org, year=2017))
        data = export.ledger_workbook(rows, title="测试镇 2017 年")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["任务台账", "汇总"]
    ledger = book["任务台账"]
    assert "年终核对任务台账" in ledger["A1"].value and ledger.freeze_panes == "C3"
    header = [c.value for c in ledger[2]]  # row 1: the title
    for column in ("序号", "任务内容", "牵头单位", "责任单位", "时间节点", "目标值", "完成情况/核对结果", "证据原文"):
        assert column in header
    assert ledger.max_row == len(rows) + 2
    results = [
        ledger.cell(row=i, column=header.index("完成情况/核对结果") + 1).value for i in range(3, ledger.max_row + 1)
    ]
    assert set(results) <= set(Reconciliation.Verdict.labels)
    summary = [[c.value for c in r] for r in book["汇总"].iter_rows()]
    total = next(r for r in summary if r[0] == "合计")
    assert total[1] == len(rows)
    assert any(r[0] == "按牵头单位统计" for r in summary)
