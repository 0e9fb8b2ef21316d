"""The 督查通报: opened as a .docx, its counts, ranks, overdue days, sign-offs, chart and page setup checked
against the board's own selector; the command, the board's download, the API and the monthly mail."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from documents_world import build

from notifications import services as notification_services
from notifications.models import Notification
from targets import selectors
from targets.documents.bulletin import bulletin_document
from targets.documents.bulletin_data import bulletin_facts
from targets.documents.periods import PeriodError, parse_period
from targets.models import Organisation, Target

pytestmark = pytest.mark.django_db
TODAY = "2026-12-02 10:00 +0800"


@pytest.fixture
def world(org, dept_econ, dept_housing, dept_finance, alice, bob, carol, sam, ada):
    return build(
        org,
        econ=dept_econ,
        housing=dept_housing,
        finance=dept_finance,
        alice=alice,
        bob=bob,
        carol=carol,
        sam=sam,
        ada=ada,
    )


def open_docx(content: bytes) -> docx.Document:
    return docx.Document(io.BytesIO(content))


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@time_machine.travel(TODAY, tick=False)
def test_bulletin_content_matches_the_board(world, org):
    name, content = bulletin_document(organisation=org, period=parse_period("2026-11"))
    assert name == "测试镇督查通报-2026-11.docx"
    document = open_docx(content)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "关于 2026 年 1—11 月重点工作推进情况的通报"
    opening = paragraphs[2]
    assert opening.startswith("截至 11 月底，全镇 2026 年 6 项目标任务中，已完成（销号）2 项，")
    assert "滞后 2 项，按期完成率 66.7%" in opening and "本月共销号 1 项" in opening
    assert "另有 1 项任务已按程序取消" in opening

    units, overdue, signed = document.tables
    rows = table_rows(units)
    assert rows[0] == ["排名", "牵头单位", "任务数", "已完成", "序时推进", "进度预警", "滞后", "按期完成率"]
    assert [(r[0], r[1], r[2], r[3], r[6], r[7]) for r in rows[1:]] == [
        ("1", "财政所", "1", "0", "0", "100%"),
        ("2", "经济发展办", "3", "1", "1", "66.7%"),
        ("3", "房管办", "2", "1", "1", "50%"),
        ("", "合计", "6", "2", "2", "66.7%"),
    ]
    # Each unit's columns add up to its total.
    for row in rows[1:]:
        assert sum(int(x) for x in row[3:7]) == int(row[2])

    # Overdue: the board's own days overdue on the period's last day, longest first.
    board = selectors.board_rows(Target.objects.filter(organisation=org), on=date(2026, 11, 30))
    expected = sorted(
        ((t.title, t.lead_department.name, str(t.days_overdue)) for t in board if t.health == "overdue"),
        key=lambda r: -int(r[2]),
    )
    assert [(r[1], r[2], r[4]) for r in table_rows(overdue)[1:]] == expected
    assert [r[1] for r in table_rows(overdue)[1:]] == ["建成产业园区标准厂房", "新建保障性住房"]
    # Signed off in November only (not the October one).
    assert [(r[1], r[4]) for r in table_rows(signed)[1:]] == [("完成营商环境评估", "2026年11月15日")]

    # The chart: a PNG drawn by matplotlib, in the document.
    images = [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("word/media/")]
    assert len(images) == 1 and zipfile.ZipFile(io.BytesIO(content)).read(images[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(document.inline_shapes) == 1


@time_machine.travel(TODAY, tick=False)
def test_bulletin_layout_is_what_an_office_prints(world, org):
    document = open_docx(bulletin_document(organisation=org, period=parse_period("2026-11"))[1])
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)  # A4 portrait
    assert (round(section.left_margin.cm, 1), round(section.top_margin.cm, 1)) == (2.8, 3.7)
    normal = document.styles["Normal"]
    fonts = normal.element.rPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"
    title_run = document.paragraphs[0].runs[0]
    assert title_run.font.name == "宋体" and title_run.font.bold and title_run.font.size.pt == 22
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer  # a page number field on every page
    header_row = document.tables[0].rows[0]._tr.xml
    assert "w:tblHeader" in header_row  # the table's header repeats on each page


@time_machine.travel(TODAY, tick=False)
def test_district_bulletin_ranks_towns(world, org, district, other_org):
    other_org.parent = district
    other_org.save()
    Target.objects.create(
        organisation=other_org, title="邻镇任务", plan_year=2026, due_date=date(2026, 12, 31), lifecycle="in_progress"
    )
    document = open_docx(bulletin_document(organisation=district, period=parse_period("2026-Q4"))[1])
    assert document.paragraphs[0].text == "关于 2026 年 第四季度重点工作推进情况的通报"
    assert document.paragraphs[2].text.startswith("截至 12 月 2 日，全区 2026 年 7 项目标任务中")
    rows = table_rows(document.tables[0])
    assert rows[0][1] == "镇（街道）" and [r[1] for r in rows[1:]] == ["邻镇", "测试镇", "合计"]
    assert table_rows(document.tables[1])[1][2] == "测试镇经济发展办"


def test_periods():
    assert parse_period("2026-11").span_text == "1—11 月" and parse_period("2026-01").span_text == "1 月"
    assert parse_period("2026-Q3").last == date(2026, 9, 30) and parse_period("2026-q1").first == date(2026, 1, 1)
    for bad in ("2026-13", "2026-00", "26-11", "2026/11", "", "2026-Q5", "１２３４-11"):
        with pytest.raises(PeriodError):
            parse_period(bad)


@time_machine.travel(TODAY, tick=False)
def test_command(world, org, tmp_path, capsys):
    path = tmp_path / "通报.docx"
    call_command("bulletin", "--org", "测试镇", "--period", "2026-11", "--docx", str(path))
    assert open_docx(path.read_bytes()).paragraphs[0].text.startswith("关于 2026 年 1—11 月")
    for args, message in (
        (["--org", "不存在", "--period", "2026-11"], "找不到组织"),
        (["--org", "测试镇", "--period", "2026-13"], "月份 13 不存在"),
        (["--org", "测试镇", "--period", "2027-01"], "尚未开始"),
    ):
        with pytest.raises(SystemExit) as exit:
            call_command("bulletin", *args)
        assert exit.value.code == 2 and message in capsys.readouterr().err


@time_machine.travel(TODAY, tick=False)
def test_download_from_the_board_and_the_api(world, org, client, sam, alice, olga):
    client.force_login(sam)
    board = client.get("/").content.decode()
    assert 'id="bulletin-form"' in board and 'value="2026-11"' in board
    response = client.get(reverse("bulletin-download"), {"organisation": org.pk, "period": "2026-11"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert open_docx(response.content).paragraphs[0].text.startswith("关于 2026 年")
    assert client.get(reverse("bulletin-download"), {"organisation": org.pk, "period": "x"}).status_code == 400
    api = client.get(reverse("api-bulletin"), {"organisation": org.pk, "period": "2026-Q4"})
    assert api.status_code == 200 and open_docx(api.content).paragraphs[0].text.endswith(
        "第四季度重点工作推进情况的通报"
    )
    for user in (alice, olga):  # staff, another town's supervisor: as if the organisation did not exist
        client.force_login(user)
        page = client.get("/").content.decode()
        assert f'<option value="{org.pk}">测试镇</option>' not in page
        assert (
            client.get(reverse("bulletin-download"), {"organisation": org.pk, "period": "2026-11"}).status_code == 404
        )
        assert client.get(reverse("api-bulletin"), {"organisation": org.pk, "period": "2026-11"}).status_code == 404


@pytest.mark.parametrize("day", ["2026-12-01", "2026-10-08", "2026-02-02"])
def test_monthly_bulletin_goes_out_once_on_the_first_working_day(world, org, sam, olga, alice, day):
    """1 Dec 2026 is a Tuesday; 1–7 Oct 2026 is the National Day holiday (8 Oct the first working day); 1 Feb 2026
    is a Sunday. The days before, within the month, record nothing."""
    on = date.fromisoformat(day)
    for earlier in range(1, on.day):
        assert notification_services.bulletins_sweep(on=on.replace(day=earlier)).planned == []
    first = notification_services.bulletins_sweep(on=on)
    again = notification_services.bulletins_sweep(on=on)
    rows = Notification.objects.filter(kind="bulletin")
    # sam supervises 测试镇 (which has 2026 targets); olga's town has none; alice is staff.
    assert [(n.recipient, n.organisation) for n in rows] == [(sam, org)] and len(first.created_ids) == 1
    assert again.created_ids == [] and again.skipped == 1
    month = on.month - 1 or 12
    assert rows[0].period == f"{on.year if on.month > 1 else on.year - 1}-{month:02d}"


@time_machine.travel(TODAY, tick=False)
def test_monthly_bulletin_mail_carries_the_document(world, org, sam):
    result = notification_services.bulletins_sweep(on=date(2026, 12, 1))
    assert notification_services.notification_deliver(notification_id=result.created_ids[0]) == "sent"
    assert notification_services.notification_deliver(notification_id=result.created_ids[0]) == "skipped"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [sam.email] and message.subject == "测试镇 2026 年 1—11 月督查通报"
    ((name, content, mimetype),) = message.attachments
    assert name == "测试镇督查通报-2026-11.docx" and "wordprocessingml" in mimetype
    assert open_docx(content).paragraphs[0].text == "关于 2026 年 1—11 月重点工作推进情况的通报"
    assert bulletin_facts(organisation=org, period=parse_period("2026-11")).overall.overdue == 2


def test_bulletin_scope_word():
    from targets.documents.bulletin_data import scope_word

    assert [scope_word(Organisation(name=n)) for n in ("长征镇", "真如街道", "宝山区", "某某")] == [
        "全镇",
        "全街道",
        "全区",
        "全镇",
    ]
