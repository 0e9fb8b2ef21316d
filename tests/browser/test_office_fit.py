"""Fit the office, in a real Chromium at desk (1366 px) and phone (390 px) width:

- figures typed in the target's own unit (亿元), the conversion echoed, an implausible figure asked back;
- the approval box shows the applicant's reason and evidence beside the buttons; an approved extension
  clears the overdue banner;
- people by name with department, no internal version, menu entries that match page titles, the API docs
  link for administrators only, staff 我的任务 with their own department first and the town one click away.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from browser_pages import log_in, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.fixture
def named(alice, bob, sam, ada):
    for user, (family, given) in {alice: ("王", "芳"), bob: ("李", "强"), sam: ("陈", "静"), ada: ("刘", "洋")}.items():
        user.last_name, user.first_name = family, given
        user.save()


def make_target(org, department, admin, *, quote: str, value: float, value_text: str, unit: str, metric: str):
    from reports.models import Commitment, Report
    from targets.services import target_create_from_commitment

    year = date.today().year
    text = f"{year}年目标：{quote}。"
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
        quote=quote,
        start=0,
        end=len(quote),
        kind="quantitative",
        metric=metric,
        value=value,
        value_text=value_text,
        unit=unit,
        comparator="=",
        relation="absolute",
        plan_year=year,
    )
    return target_create_from_commitment(commitment=commitment, acting_user=admin, lead_department=department)


@pytest.mark.parametrize("width", WIDTHS)
def test_figures_in_the_targets_unit_with_echo_and_confirmation(
    live_server, open_browser, org, dept_econ, alice, ada, named, width
):
    from targets.models import ProgressUpdate

    target = make_target(
        org,
        dept_econ,
        ada,
        quote="财政预算收入达到9.1亿元",
        value=910000000,
        value_text="9.1亿元",
        unit="元",
        metric="财政预算收入",
    )
    page = open_browser(width=width).new_page()
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/targets/{target.pk}/")
    form = page.locator(".progress-form")
    assert "截至目前的累计完成值（亿元）" in form.inner_text()
    assert form.locator(".unit-field .unit").inner_text() == "亿元"  # the unit beside the field

    page.fill("input[name=value]", "8.2")
    assert form.locator("output.echo").inner_text() == "= 820,000,000 元"  # the conversion, as typed
    page.click("text=提交进展")
    page.wait_for_load_state()
    assert "进展已填报" in page.locator(".messages").inner_text()
    assert ProgressUpdate.objects.get(target=target).value == 820000000  # stored in base units
    assert "累计 8.2亿元" in page.locator(".updates").inner_text()
    assert page.locator(".progress-value").inner_text() == "90.1%"

    # Typed in 元 by habit: a hundred million times the target. Asked back, not saved.
    page.fill("input[name=value]", "820000000")
    page.click("text=提交进展")
    page.wait_for_load_state()
    doubts = page.locator(".doubts")
    assert "是目标值 9.1亿元 的" in doubts.inner_text() and "请核对单位" in doubts.inner_text()
    assert ProgressUpdate.objects.filter(target=target).count() == 1
    assert page.locator("input[name=value]").input_value() == "820000000"  # what was typed is kept
    assert no_sideways_scroll(page)

    # A cumulative figure going down is asked back too; the person who knows better confirms.
    page.fill("input[name=value]", "7.9")
    page.click("text=提交进展")
    page.wait_for_load_state()
    assert "比上次填报的 8.2亿元 少" in page.locator(".doubts").inner_text()
    page.check("input[name=confirm]")
    page.click("text=提交进展")
    page.wait_for_load_state()
    assert "进展已填报" in page.locator(".messages").inner_text()
    assert ProgressUpdate.objects.filter(target=target).latest("id").value == 790000000


@pytest.mark.parametrize("width", WIDTHS)
def test_approval_box_shows_reason_and_evidence_and_approval_clears_overdue(
    live_server, open_browser, org, dept_econ, alice, sam, ada, named, width, settings, tmp_path
):
    from targets.models import Target

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    target = make_target(
        org,
        dept_econ,
        ada,
        quote="完成精品小区建设42万平方米",
        value=420000,
        value_text="42万平方米",
        unit="平方米",
        metric="精品小区建设面积",
    )
    # The first quarter's node passed with nothing reported: overdue (unless it is still January-March).
    Target.objects.filter(pk=target.pk).update(due_date=date.today().replace(month=1, day=20))
    target.milestones.all().delete()
    target.refresh_from_db()
    from targets.services import refresh_health_basis

    refresh_health_basis([target.pk])
    evidence = tmp_path / "征收进度说明.png"
    evidence.write_bytes(PNG)

    staff = open_browser(width=width).new_page()
    log_in(staff, live_server.url, "alice")
    staff.goto(f"{live_server.url}/targets/{target.pk}/")
    assert "已逾期" in staff.locator(".overdue-banner").inner_text()
    assert "按自然日计" in staff.locator(".overdue-banner").inner_text()  # how "overdue by" is counted
    staff.click("summary:has-text('申请延期')")
    new_due = date(date.today().year + 1, 3, 31)
    staff.fill(".extension-request input[name=new_due_date]", new_due.isoformat())
    staff.fill(".extension-request input[name=note]", "受征收进度影响，申请延期至明年一季度")
    staff.click("text=提交延期申请")
    staff.wait_for_load_state()
    assert "延期申请已提交" in staff.locator(".messages").inner_text()

    supervisor = open_browser(width=width).new_page()
    log_in(supervisor, live_server.url, "sam")
    supervisor.goto(f"{live_server.url}/targets/{target.pk}/")
    box = supervisor.locator("#pending")
    assert "王芳（经济发展办）" in box.locator(".applicant-name").inner_text()
    assert box.locator(".applicant-reason").inner_text() == "受征收进度影响，申请延期至明年一季度"
    assert box.locator("button:has-text('批准延期')").is_visible()
    # Reason and buttons in the same box, the reason above the buttons.
    reason_box = box.locator(".applicant-reason").bounding_box()
    button_box = box.locator("button:has-text('批准延期')").bounding_box()
    assert reason_box["y"] < button_box["y"]
    assert no_sideways_scroll(supervisor)
    box.locator("button:has-text('批准延期')").click()
    supervisor.wait_for_load_state()
    assert "已处理延期申请" in supervisor.locator(".messages").inner_text()
    assert supervisor.locator(".overdue-banner").count() == 0  # the extension cleared the overdue banner
    assert supervisor.locator(".badge").first.inner_text() != "已逾期"


def test_approval_box_shows_signoff_evidence(live_server, open_browser, org, dept_econ, alice, sam, ada, named):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from targets.services import target_request_signoff

    target = make_target(
        org,
        dept_econ,
        ada,
        quote="完成精品小区建设42万平方米",
        value=420000,
        value_text="42万平方米",
        unit="平方米",
        metric="精品小区建设面积",
    )
    target_request_signoff(
        target=target,
        acting_user=alice,
        expected_version=target.version,
        note="12 个小区全部竣工验收",
        files=[SimpleUploadedFile("竣工验收单.png", PNG)],
    )
    for width in WIDTHS:
        page = open_browser(width=width).new_page()
        log_in(page, live_server.url, "sam")
        page.goto(f"{live_server.url}/targets/{target.pk}/")
        box = page.locator("#pending")
        assert box.locator(".applicant-reason").inner_text() == "12 个小区全部竣工验收"
        assert "竣工验收单.png" in box.locator(".applicant-files").inner_text()
        assert box.locator("button:has-text('批准销号')").is_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_words_names_menus_and_own_department_first(
    live_server, open_browser, org, dept_econ, dept_housing, alice, bob, sam, ada, named, width
):
    from targets.services import progress_record

    mine = make_target(
        org, dept_econ, ada, quote="打造1个镇级孵化基地", value=1, value_text="1个", unit="个", metric="孵化基地数"
    )
    theirs = make_target(
        org,
        dept_housing,
        ada,
        quote="完成精品小区建设42万平方米",
        value=420000,
        value_text="42万平方米",
        unit="平方米",
        metric="精品小区建设面积",
    )
    progress_record(target=mine, acting_user=alice, value=1, note="已挂牌", expected_version=mine.version)

    staff = open_browser(width=width).new_page()
    log_in(staff, live_server.url, "alice")
    nav = staff.locator("nav.nav")
    assert "接口文档" not in nav.inner_text() and "王芳" in nav.inner_text()  # no API docs; a name, not a login
    assert "alice" not in nav.inner_text()
    # 我的任务: own department's targets; the rest of the town one click away.
    assert staff.locator("h1").inner_text() == "我的任务"
    titles = staff.locator(".target-list .row-title").all_inner_texts()
    assert mine.title in titles and theirs.title not in titles
    staff.click("#scope-all")
    staff.wait_for_url("**scope=all**")
    staff.locator(f".target-list .row-title:text-is('{theirs.title}')").wait_for()
    titles = staff.locator(".target-list .row-title").all_inner_texts()
    assert titles.index(mine.title) < titles.index(theirs.title)
    # The target page: names with department, no internal version number.
    staff.goto(f"{live_server.url}/targets/{mine.pk}/")
    assert "王芳（经济发展办）" in staff.locator(".updates").inner_text()
    assert "版本" not in staff.locator("main").inner_text()
    assert "alice" not in staff.locator("main").inner_text()

    for username, board in (("sam", "督查看板"), ("ada", "督查看板"), ("alice", "我的任务")):
        page = open_browser(width=width).new_page()
        log_in(page, live_server.url, username)
        links = page.locator("nav.nav a")
        labels = links.all_inner_texts()
        assert labels[0] == board
        assert ("接口文档" in labels) == (username == "ada")  # the API docs are for administrators
        for label in labels:
            if label in {"管理后台", "接口文档"}:
                continue
            page.click(f"nav.nav a:text-is('{label}')")
            page.wait_for_load_state()
            # The page a menu entry opens is titled as the entry.
            assert page.locator("h1").first.inner_text() == label, (username, label)
            assert page.title().startswith(label)
            assert no_sideways_scroll(page)
