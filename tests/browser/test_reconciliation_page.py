"""In a real Chromium: run the year-end reconciliation, confirm one verdict, override another, download the ledger."""

from __future__ import annotations

import pytest

from tests.reports.reconciliation_fixtures import import_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(open_browser):
    return open_browser(width=1280, height=900, accept_downloads=True).new_page()


def test_run_confirm_override_and_download(live_server, browser_page, org, sam, tmp_path):
    import openpyxl

    from reports.models import Reconciliation
    from targets.models import TargetEvent

    import_pair(org, "hailaer_2017_review2016_targets2017.txt", "hailaer_2018_review2017_targets2018.txt")
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", "pw-sam")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    # Run the reconciliation of 2017 from the index page.
    page.goto(f"{live_server.url}/reports/reconciliations/")
    page.click("text=运行核对")
    page.wait_for_selector("article.rec-item")
    total = Reconciliation.objects.filter(year=2017).count()
    assert page.locator("article.rec-item").count() == total > 50
    assert page.locator("svg.verdict-chart rect.bar").count() >= 1  # the chart is drawn, locally

    rows = Reconciliation.objects.select_related("target")
    growth = rows.get(target__metric="社会消费品零售总额增速")
    level = rows.get(target__metric="社会消费品零售总额", target__relation="absolute")
    # Side by side: the commitment quote and the review's sentence.
    card = page.locator(f"#r{level.pk}")
    assert "164.1亿元" in card.inner_text() and "159.5亿元" in card.inner_text()

    # Confirm the proposed verdict of one.
    page.locator(f"#r{growth.pk} .confirm-form button").click()
    page.wait_for_selector(f"#r{growth.pk} .confirmed")
    growth.refresh_from_db()
    assert (growth.verdict, growth.confirmed_by_id) == ("missed", sam.pk)

    # Override another, with a reason.
    card = page.locator(f"#r{level.pk}")
    card.locator(".override-form select").select_option("missed")
    card.locator(".override-form input[name=reason]").fill("未达到 164.1 亿元的年度目标")
    card.locator(".override-form button").click()
    page.wait_for_selector(f"#r{level.pk} >> text=已改判")
    level.refresh_from_db()
    assert (level.verdict, level.proposed_verdict) == ("missed", "partly_met")
    assert level.override_reason == "未达到 164.1 亿元的年度目标"
    assert TargetEvent.objects.filter(kind=TargetEvent.Kind.VERDICT).count() == 2

    # Download the ledger and read it back.
    with page.expect_download() as download_info:
        page.click("#download-ledger")
    path = tmp_path / "ledger.xlsx"
    download_info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    ledger = book["任务台账"]
    header = [c.value for c in ledger[2]]  # row 1: the title
    assert ledger.max_row == total + 2
    by_task = {
        ledger.cell(row=i, column=header.index("指标") + 1).value: [c.value for c in ledger[i]]
        for i in range(3, ledger.max_row + 1)
    }
    overridden = by_task["社会消费品零售总额"]
    assert overridden[header.index("完成情况/核对结果")] == "未完成"
    assert overridden[header.index("改判理由")] == "未达到 164.1 亿元的年度目标"
    assert overridden[header.index("确认人")] == "sam"
    assert "159.5亿元" in overridden[header.index("证据原文")]
    summary = [[c.value for c in r] for r in book["汇总"].iter_rows()]
    assert next(r for r in summary if r[0] == "合计")[1] == total


@pytest.mark.parametrize("width", [1366, 390])
def test_reasons_shown_and_a_department_confirmed_at_once(live_server, open_browser, org, sam, width):
    from reports.models import Reconciliation
    from reports.reconciliation import selectors
    from reports.reconciliation.services import reconciliation_run

    import_pair(org, "hailaer_2017_review2016_targets2017.txt", "hailaer_2018_review2017_targets2018.txt")
    rows = reconciliation_run(organisation=org, year=2017, acting_user=sam)
    page = open_browser(width=width, height=900).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", "pw-sam")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/reports/reconciliations/{org.pk}/2017/")

    # Every proposal shows its reason, visibly, beginning with the verdict it explains.
    reasons = page.locator("[data-role=reason]")
    assert reasons.count() == len(rows)
    for row in rows[:: max(1, len(rows) // 12)]:
        shown = page.locator(f"#r{row.pk} [data-role=reason]")
        assert shown.is_visible() and row.get_proposed_verdict_display() in shown.inner_text()
    # Nothing wider than the window (a phone scrolls down, never sideways).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # One department's rows confirmed with one button.
    target = max(selectors.pending_by_department(rows), key=lambda d: d["pending"])
    item = page.locator(f"#dept-confirm li[data-department='{target['department']}']")
    item.locator("button").click()
    page.wait_for_selector(f"text=已确认{target['department']}的 {target['pending']} 项核对建议")
    mine = Reconciliation.objects.filter(target__lead_department_id=target["department_id"], year=2017)
    assert mine.count() == target["pending"] and all(r.is_confirmed and r.confirmed_by_id == sam.pk for r in mine)
    assert (
        not Reconciliation.objects.exclude(target__lead_department_id=target["department_id"])
        .filter(confirmed_at__isnull=False)
        .exists()
    )
    assert (
        page.locator(f"#dept-confirm li[data-department='{target['department']}'] button:disabled").inner_text()
        == "已全部确认"
    )
    assert page.locator(f"#r{mine.first().pk} >> text=已确认").count() >= 1
