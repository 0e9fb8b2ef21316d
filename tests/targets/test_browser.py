"""In a real Chromium on a phone-sized screen: the board, a target's page, a progress report, a stale form."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(open_browser):
    return open_browser().new_page()


def test_staff_reports_progress_and_a_stale_form_is_refused(live_server, phone, make_target, dept_housing, bob, ada):
    from targets.models import ProgressUpdate
    from targets.services import progress_record

    target = make_target(lead_department=dept_housing)
    phone.goto(f"{live_server.url}/")
    assert "/login/" in phone.url  # anonymous: sent to log in
    phone.fill("input[name=username]", "bob")
    phone.fill("input[name=password]", "pw-bob")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "我的任务"

    phone.click(f"text={target.title}")
    phone.wait_for_load_state()
    assert target.commitment.quote in phone.locator("blockquote").inner_text()
    phone.fill("input[name=value]", "12")  # the form asks in 万平方米, the target's own unit
    phone.fill("textarea[name=note]", "三个小区已开工")
    phone.click("text=提交进展")
    phone.wait_for_load_state()
    assert "进展已填报" in phone.locator(".messages").inner_text()
    assert "三个小区已开工" in phone.locator(".updates").inner_text()
    assert "12万平方米" in phone.locator(".updates").inner_text()

    # Someone else reports while this page is open: the form's version is now stale.
    target.refresh_from_db()
    progress_record(target=target, acting_user=ada, value=150000, expected_version=target.version)
    phone.fill("input[name=value]", "16")
    phone.click("text=提交进展")
    phone.wait_for_load_state()
    assert "已被他人更新" in phone.locator(".messages").inner_text()
    assert not ProgressUpdate.objects.filter(value=160000).exists()
    assert ProgressUpdate.objects.filter(target=target).count() == 2
