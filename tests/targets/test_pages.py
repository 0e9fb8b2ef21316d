from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets.models import ProgressUpdate


@pytest.fixture
def target(make_target, dept_housing):
    return make_target(lead_department=dept_housing)


def test_anonymous_is_sent_to_login(client, target):
    for url in (reverse("home"), reverse("target-detail", args=[target.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_login_page_renders(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200 and "登录督办" in response.content.decode()


@time_machine.travel("2023-07-05 10:00 +0800", tick=False)
def test_home_lists_targets_with_health_and_filters(client, bob, target, make_target, dept_econ):
    other = make_target(
        lead_department=dept_econ,
        quote="区级税收增长15%",
        metric="区级税收",
        value=15,
        value_text="15%",
        unit="%",
        relation="growth",
    )
    client.force_login(bob)
    # Staff see their own department's targets; the rest of the town is one click away.
    page = client.get(reverse("home")).content.decode()
    assert "我的任务" in page and target.title in page and other.title not in page
    assert "已逾期" in page  # nothing reported and Q1/Q2 passed
    assert "查看全镇全部任务（2 项）" in page
    page = client.get(reverse("home"), {"scope": "all"}).content.decode()
    assert target.title in page and other.title in page
    assert page.index(target.title) < page.index(other.title)  # bob's own department first
    filtered = client.get(reverse("home"), {"department": dept_econ.pk, "scope": "all"}).content.decode()
    assert other.title in filtered and target.title not in filtered
    by_health = client.get(reverse("home"), {"health": "on_track"}).content.decode()
    assert target.title not in by_health


def test_home_query_count_does_not_grow(client, bob, make_target, dept_housing, django_assert_max_num_queries):
    client.force_login(bob)
    make_target(lead_department=dept_housing)
    _response, few = _board_queries(client)
    assert len(few) <= 20
    for _ in range(8):
        make_target(lead_department=dept_housing)
    response, more = _board_queries(client)
    assert len(more) <= len(few)
    assert response.content.decode().count('class="row-title"') == 9


def _board_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    # The admin calendar is re-read once a minute per process, by whichever request comes then: not the board's.
    return response, [q for q in captured.captured_queries if "calendarday" not in q["sql"]]


def test_outsider_gets_404_and_sees_nothing(client, olga, target):
    client.force_login(olga)
    assert client.get(reverse("target-detail", args=[target.pk])).status_code == 404
    assert target.title not in client.get(reverse("home")).content.decode()


def test_detail_shows_quote_report_link_milestones_and_history(client, bob, target):
    client.force_login(bob)
    page = client.get(reverse("target-detail", args=[target.pk])).content.decode()
    assert target.commitment.quote in page
    assert reverse("reports:detail", kwargs={"pk": target.commitment.report_id}) in page
    assert "完成25%" in page and "10.5万平方米" in page  # milestone plan in readable units
    assert "采纳承诺事项" in page  # creation event
    assert 'name="version" value="1"' in page and "csrfmiddlewaretoken" in page


def test_progress_form_records_and_stale_form_changes_nothing(client, bob, target):
    client.force_login(bob)
    url = reverse("target-progress", args=[target.pk])
    # Typed in the target's display unit (万平方米), stored in base units.
    response = client.post(url, {"value": "12", "note": "开工", "version": "1"})
    assert response.status_code == 302
    assert list(ProgressUpdate.objects.filter(target=target).values_list("value", flat=True)) == [120000]
    response = client.post(url, {"value": "13", "note": "旧页面", "version": "1"}, follow=True)
    assert "已被他人更新" in response.content.decode()
    assert ProgressUpdate.objects.filter(target=target).count() == 1


def test_progress_form_refuses_other_department(client, alice, target):
    client.force_login(alice)
    page = client.get(reverse("target-detail", args=[target.pk])).content.decode()
    assert "仅牵头单位工作人员可以填报进展" in page
    response = client.post(reverse("target-progress", args=[target.pk]), {"value": "1", "version": "1"})
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_note_is_escaped(client, bob, target):
    client.force_login(bob)
    client.post(reverse("target-progress", args=[target.pk]), {"note": "<script>alert(1)</script>", "version": "1"})
    page = client.get(reverse("target-detail", args=[target.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_signoff_and_milestone_buttons(client, bob, sam, target):
    client.force_login(bob)
    milestone = target.milestones.first()
    client.post(reverse("milestone-done", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.done_on is not None
    target.refresh_from_db()
    client.post(reverse("target-lifecycle", args=[target.pk]), {"action": "request_signoff", "version": target.version})
    target.refresh_from_db()
    assert target.lifecycle == "signoff_requested"
    client.force_login(sam)
    client.post(reverse("target-extend", args=[target.pk]), {"new_due_date": "2024-03-31", "version": target.version})
    target.refresh_from_db()
    assert target.due_date == date(2024, 3, 31)
    client.post(reverse("target-lifecycle", args=[target.pk]), {"action": "sign_off", "version": target.version})
    target.refresh_from_db()
    assert target.lifecycle == "signed_off"


@time_machine.travel("2023-07-05 10:00 +0800", tick=False)
def test_supervisor_board_by_department(client, sam, bob, target, make_target, dept_econ):
    make_target(
        lead_department=dept_econ,
        quote="区级税收增长15%",
        metric="区级税收",
        value=15,
        value_text="15%",
        unit="%",
        relation="growth",
    )
    client.force_login(sam)
    page = client.get(reverse("home")).content.decode()
    assert "按牵头单位统计" in page
    link = f"?department={target.lead_department_id}&amp;health=overdue"
    assert link in page  # the overdue count links to the department's overdue targets
    client.force_login(bob)
    assert "按牵头单位统计" not in client.get(reverse("home")).content.decode()


def test_admin_reassigns_from_the_page(client, ada, bob, target, dept_econ, dept_housing):
    client.force_login(bob)
    assert "调整责任单位" not in client.get(reverse("target-detail", args=[target.pk])).content.decode()
    client.force_login(ada)
    page = client.get(reverse("target-detail", args=[target.pk])).content.decode()
    assert "调整责任单位" in page
    response = client.post(
        reverse("target-reassign", args=[target.pk]),
        {"lead_department": dept_econ.pk, "co_departments": [dept_housing.pk], "version": 1},
        follow=True,
    )
    assert "责任单位已调整" in response.content.decode()
    target.refresh_from_db()
    assert target.lead_department == dept_econ and list(target.co_departments.all()) == [dept_housing]
