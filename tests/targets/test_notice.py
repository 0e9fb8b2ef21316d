"""督办通知单 / 催办单: issued from an escalated target, numbered per organisation and year without gaps or
repeats (also under concurrency on PostgreSQL), kept in the target's history, opened as a one-page .docx."""

from __future__ import annotations

import io
import threading
from datetime import date

import docx
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from documents_world import at, make

from targets import services
from targets.documents.notice import notice_docx, notice_issue, pdf_converter
from targets.models import SupervisionNotice, Target, TargetEvent
from targets.services import TargetServiceError

TODAY = "2026-12-02 10:00 +0800"


def escalated(org, department, title="建成产业园区标准厂房", *, sam, co=()):
    target = make(org, department, title, date(2026, 6, 30), leader="王副镇长")
    target.co_departments.set(co)
    services.target_escalate(
        target=target, acting_user=sam, expected_version=target.version, note="连续两月滞后", at=at(2026, 11, 20)
    )
    return Target.objects.get(pk=target.pk)


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_numbers_run_per_organisation_and_year(org, other_org, dept_econ, dept_housing, sam, olga):
    first = escalated(org, dept_econ, sam=sam)
    second = escalated(org, dept_econ, "新建保障性住房", sam=sam)
    numbers = [
        notice_issue(target=t, acting_user=sam, reply_by=date(2026, 12, 10), kind=kind).number_text
        for t, kind in ((first, "supervise"), (second, "urge"), (first, "urge"))
    ]
    assert numbers == ["督办〔2026〕1 号", "催办〔2026〕2 号", "催办〔2026〕3 号"]
    neighbour = make(other_org, other_org.departments.create(name="经济办"), "邻镇任务", date(2026, 6, 30))
    services.target_escalate(target=neighbour, acting_user=olga, expected_version=neighbour.version, note="滞后")
    assert (
        notice_issue(target=Target.objects.get(pk=neighbour.pk), acting_user=olga, reply_by=date(2026, 12, 9)).number
        == 1
    )
    with time_machine.travel("2027-01-04 09:00 +0800", tick=False):
        assert notice_issue(target=first, acting_user=sam, reply_by=date(2027, 1, 15)).number_text == "督办〔2027〕1 号"
    events = TargetEvent.objects.filter(target=first, kind="notice").order_by("id")
    assert [e.after["number"] for e in events] == ["督办〔2026〕1 号", "催办〔2026〕3 号", "督办〔2027〕1 号"]
    assert "反馈时限 2026-12-10" in events[0].message


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_rules(org, dept_econ, sam, alice):
    plain = make(org, dept_econ, "未升级的任务", date(2026, 6, 30))
    with pytest.raises(TargetServiceError, match="请先对该任务督办升级"):
        notice_issue(target=plain, acting_user=sam, reply_by=date(2026, 12, 10))
    target = escalated(org, dept_econ, sam=sam)
    with pytest.raises(PermissionDenied):
        notice_issue(target=target, acting_user=alice, reply_by=date(2026, 12, 10))
    for bad in (date(2026, 12, 2), date(2026, 11, 1), date(2028, 1, 1)):
        with pytest.raises(TargetServiceError, match="反馈时限"):
            notice_issue(target=target, acting_user=sam, reply_by=bad)
    assert SupervisionNotice.objects.count() == 0


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_document(org, dept_econ, dept_housing, sam):
    target = escalated(org, dept_econ, sam=sam, co=[dept_housing])
    target.milestones.create(title="完成主体结构", due_date=date(2026, 5, 31), expected_percent=50)
    notice = notice_issue(
        target=target, acting_user=sam, reply_by=date(2026, 12, 10), requirement="请于 12 月 10 日前说明原因。"
    )
    document = docx.Document(io.BytesIO(notice_docx(notice)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "督 办 通 知 单" and texts[1] == "督办〔2026〕1 号"
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert rows["任务名称"] == "建成产业园区标准厂房" and rows["牵头单位"] == "经济发展办"
    assert rows["责任单位"] == "房管办" and rows["分管领导"] == "王副镇长" and rows["完成时限"] == "2026年6月30日"
    assert "时间节点「完成主体结构」应于 2026年5月31日前完成，至今未完成" in rows["滞后情况"]
    assert "督办升级原因：连续两月滞后" in rows["滞后情况"] and "至今未填报进展" in rows["滞后情况"]
    assert rows["督办要求"] == "请于 12 月 10 日前说明原因。" and rows["反馈时限"] == "请于 2026年12月10日前书面反馈"
    assert texts[-2:] == ["签发单位：测试镇督查室", "2026年12月2日"]
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert len(document.tables) == 1 and len(document.tables[0].rows) == 9


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_page_and_api(client, org, dept_econ, sam, alice, olga):
    target = escalated(org, dept_econ, sam=sam)
    client.force_login(sam)
    page = client.get(reverse("target-detail", args=[target.pk])).content.decode()
    assert 'id="notice-issue"' in page
    response = client.post(reverse("notice-issue", args=[target.pk]), {"kind": "supervise", "reply_by": "2026-12-10"})
    assert response.status_code == 302
    notice = SupervisionNotice.objects.get()
    page = client.get(reverse("target-detail", args=[target.pk])).content.decode()
    assert "督办〔2026〕1 号" in page and "签发督办通知单（督办〔2026〕1 号）" in page
    download = client.get(reverse("notice-download", args=[notice.pk, "docx"]))
    assert (
        download.status_code == 200
        and docx.Document(io.BytesIO(download.content)).paragraphs[1].text == "督办〔2026〕1 号"
    )
    pdf = client.get(reverse("notice-download", args=[notice.pk, "pdf"]))
    if pdf_converter() is None:
        assert pdf.status_code == 404 and "LibreOffice" in pdf.content.decode()
    else:
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    api = client.post(
        f"/api/targets/{target.pk}/notices/",
        {"kind": "urge", "reply_by": "2026-12-11"},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["number_text"] == "催办〔2026〕2 号"
    assert [n["number"] for n in client.get(f"/api/targets/{target.pk}/notices/").json()] == [1, 2]
    assert client.get(api.json()["docx_url"]).status_code == 200
    client.force_login(alice)  # staff of the lead department: may read the notice, not issue one
    assert client.get(reverse("notice-download", args=[notice.pk, "docx"])).status_code == 200
    refused = client.post(
        f"/api/targets/{target.pk}/notices/", {"reply_by": "2026-12-11"}, content_type="application/json"
    )
    assert refused.status_code == 403
    client.force_login(olga)  # another town: as if it did not exist
    assert client.get(reverse("notice-download", args=[notice.pk, "docx"])).status_code == 404
    assert client.get(f"/api/notices/{notice.pk}/docx/").status_code == 404
    assert SupervisionNotice.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_share_a_number(require_postgres, org, dept_econ, sam):
    """Eight threads issue at once on PostgreSQL: numbers 1..8, each once."""
    target = escalated(org, dept_econ, sam=sam)
    barrier = threading.Barrier(8)
    errors = []

    def issue():
        try:
            barrier.wait()
            notice_issue(
                target=Target.objects.get(pk=target.pk), acting_user=sam, reply_by=date(date.today().year + 1, 1, 31)
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(SupervisionNotice.objects.values_list("number", flat=True)) == list(range(1, 9))
