"""In a real Chromium: upload a report, see highlighted quotes, reject, accept, accept all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parent.parent / "data" / "docs"


@pytest.fixture
def browser_page(open_browser):
    return open_browser().new_page()  # a phone


def test_upload_review_reject_accept_and_accept_all(live_server, browser_page, ada, dept_econ, tmp_path):
    from reports.models import Commitment, Report
    from targets.models import Target

    page = browser_page
    log_in(page, live_server.url, "ada", "pw-ada")
    page.goto(f"{live_server.url}/reports/")
    upload = tmp_path / "示范镇政府工作报告.txt"
    shutil.copy(DOCS / "mini_report.txt", upload)

    # An empty file first: the error shows on the page, nothing is saved.
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    page.set_input_files("input[name=file]", str(empty))
    page.click("text=上传并提取")
    page.wait_for_selector(".field-error")
    assert "文件为空" in page.inner_text(".field-error")
    assert not Report.objects.exists()

    page.set_input_files("input[name=file]", str(upload))
    page.click("text=上传并提取")
    page.wait_for_selector("article.commitment")
    report = Report.objects.get()
    assert page.url.rstrip("/").endswith(f"/reports/{report.pk}")
    assert "示范镇政府工作报告" in page.inner_text("h1")
    total = report.commitments.count()
    assert page.locator("article.commitment").count() == total
    assert page.locator(".doc-text mark.quote").count() >= total
    # The page fits a phone screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Jump from a commitment to its quote in the text.
    retail = report.commitments.get(quote__contains="73 亿元")
    page.click(f"#c-{retail.pk} a.jump")
    assert page.url.endswith(f"#q-{retail.pk}")
    focused = page.locator("mark.quote.focus")
    assert focused.count() >= 1
    assert "73 亿元" in "".join(focused.all_inner_texts())

    # Correct a field on the edit page, then come back to the commitment.
    page.click(f"#c-{retail.pk} a.edit-link")
    page.fill("input[name=metric]", "社会消费品零售总额（修订）")
    page.click("text=保存修改")
    page.wait_for_selector(f"#c-{retail.pk} >> text=社会消费品零售总额（修订）")
    assert page.url.endswith(f"#c-{retail.pk}")
    assert Commitment.objects.get(pk=retail.pk).metric == "社会消费品零售总额（修订）"

    # Reject one, with a reason.
    first, second = report.commitments.order_by("start")[:2]
    card = page.locator(f"#c-{first.pk}")
    card.locator(".reject-form input[name$=reason]").fill("与上级下达指标重复")
    card.locator(".reject-form button").click()
    page.wait_for_selector(f"#c-{first.pk} .reject-reason")
    assert "与上级下达指标重复" in page.inner_text(f"#c-{first.pk} .reject-reason")
    assert Commitment.objects.get(pk=first.pk).status == "rejected"

    # Accept one, with the lead department chosen in the select.
    card = page.locator(f"#c-{second.pk}")
    card.locator(".accept-form select").select_option(label="经济发展办")
    card.locator(".accept-form button").click()
    page.wait_for_selector(f"#c-{second.pk} >> text=已采纳为目标任务")
    target = Target.objects.get(commitment=second)
    assert target.lead_department == dept_econ

    # Accept all the rest (confirm the dialog).
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#accept-all-form button")
    page.wait_for_selector(".messages >> text=全部采纳")
    assert page.locator("#accept-all-form").count() == 0
    statuses = list(report.commitments.values_list("status", flat=True))
    assert statuses.count("rejected") == 1 and statuses.count("accepted") == total - 1
    assert Target.objects.filter(organisation=report.organisation).count() == total - 1
    assert page.locator("mark.st-accepted").count() >= 1
