"""In a real Chromium on a phone screen: staff report progress with evidence and see the health change; a stale
second tab gets the conflict message; another department cannot edit; the supervisor sees the board and
approves the sign-off. Screenshots of the board and the target page are saved (SCREENSHOT_DIR, default
var/screenshots)."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import date
from pathlib import Path

import pytest
from browser_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.fixture
def phone(open_browser):
    return open_browser()  # a phone-sized window


@pytest.fixture
def target(org, dept_econ, ada, settings, tmp_path):
    from reports.models import Commitment, Report
    from targets.services import target_create_from_commitment

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    year = date.today().year
    text = f"{year}年目标：完成精品小区建设42万平方米。"
    report = Report.objects.create(
        organisation=org,
        title=f"{year}年政府工作报告",
        original_name="r.txt",
        file_type="txt",
        size=len(text.encode()),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        plan_year=year,
    )
    commitment = Commitment.objects.create(
        report=report,
        quote="完成精品小区建设42万平方米",
        start=0,
        end=10,
        kind="quantitative",
        metric="精品小区建设面积",
        value=420000,
        value_text="42万平方米",
        unit="平方米",
        comparator="=",
        relation="absolute",
        plan_year=year,
    )
    return target_create_from_commitment(commitment=commitment, acting_user=ada, lead_department=dept_econ)


def log_out(page) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_load_state()


def test_report_conflict_permissions_and_signoff(live_server, phone, target, alice, bob, sam, tmp_path):
    from targets.models import Evidence, ProgressUpdate, Target

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    evidence = tmp_path / "现场照片.png"
    evidence.write_bytes(PNG)
    page = phone.new_page()
    log_in(page, live_server.url, "alice")
    assert page.locator("h1").inner_text() == "我的任务"
    started = time.monotonic()
    page.click(f"text={target.title}")
    page.wait_for_load_state()
    assert page.locator(".badge").first.inner_text() == "已逾期"  # three quarterly nodes passed, nothing reported

    # A second tab opened now will hold a stale version.
    stale = phone.new_page()
    stale.goto(page.url)

    page.fill("input[name=value]", "42")  # in 万平方米, the target's own unit
    page.fill("textarea[name=note]", "全部 12 个小区完工")
    page.set_input_files("input[name=files]", str(evidence))
    page.click("text=提交进展")
    page.wait_for_load_state()
    elapsed = time.monotonic() - started
    assert "进展已填报" in page.locator(".messages").inner_text()
    assert page.locator(".badge").first.inner_text() == "正常推进"  # the health changed
    assert "现场照片.png" in page.locator(".updates").inner_text()
    assert elapsed < 60  # a report in under a minute, on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scroll
    page.screenshot(path=str(SCREENSHOTS / "target-page-phone.png"), full_page=True)

    stale.fill("input[name=value]", "99.9999")
    stale.click("text=提交进展")
    stale.wait_for_load_state()
    assert "已被他人更新" in stale.locator(".messages").inner_text()
    assert stale.locator("input[name=value]").input_value() == "99.9999"  # what was typed is kept
    assert not ProgressUpdate.objects.filter(value=999999).exists()
    stale.close()

    # Ask for sign-off with evidence.
    page.click("summary:has-text('申请销号')")
    page.fill(".signoff-request input[name=note]", "已全部完工验收")
    page.set_input_files(".signoff-request input[name=files]", str(evidence))
    page.click("text=提交销号申请")
    page.wait_for_load_state()
    assert "等待督查人员核实" in page.locator(".messages").inner_text()
    assert Evidence.objects.filter(target=target).count() == 2

    # Another department's staff sees the target but cannot edit it.
    log_out(page)
    log_in(page, live_server.url, "bob")
    page.goto(f"{live_server.url}/targets/{target.pk}/")
    assert page.locator("input[name=value]").count() == 0
    assert "仅牵头单位工作人员可以填报进展" in page.content()
    log_out(page)

    # The supervisor sees it on the board and approves the sign-off.
    log_in(page, live_server.url, "sam")
    assert page.locator("h1").inner_text() == "督查看板"
    assert page.locator(".target-row", has_text=target.title).locator(".tag").first.inner_text() == "申请销号"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "board-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    # Filters apply on change (htmx swaps the board, the URL follows); no reload needed.
    page.select_option("select[name=health]", "overdue")
    page.wait_for_url("**health=overdue**")
    page.wait_for_selector("text=没有符合条件的任务")
    page.select_option("select[name=health]", "on_track")
    page.wait_for_url("**health=on_track**")
    page.wait_for_selector(f".target-row >> text={target.title}")
    page.click(f"text={target.title}")
    page.wait_for_load_state()
    assert "待审批" in page.locator("#pending").inner_text()
    page.click("button:has-text('批准销号')")
    page.wait_for_load_state()
    assert "已处理销号申请" in page.locator(".messages").inner_text()
    assert page.locator(".tag.lifecycle").inner_text() == "已销号"
    assert Target.objects.get(pk=target.pk).lifecycle == "signed_off"
    assert (SCREENSHOTS / "board-desktop.png").stat().st_size > 0
