"""The supervisor board: order, days overdue and since the last update, counts, paging, grouping, the Excel
ledger, and query counts that do not grow with the number of targets."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient
from targets_testdata import at

from targets import selectors, services
from targets.models import Milestone, ProgressUpdate, Target, TargetEvent
from targets.services import default_milestones

TODAY = "2023-07-05 10:00 +0800"


def make_targets(org, departments, author, count: int, *, prefix: str = "任务") -> list[Target]:
    """`count` targets with milestones, two updates, an event and a co-department each (what the board reads)."""
    targets = []
    for index in range(count):
        lead = departments[index % len(departments)]
        target = Target.objects.create(
            organisation=org,
            title=f"{prefix}{index:03d}",
            lead_department=lead,
            plan_year=2023,
            due_date=date(2023, 12, 31) if index % 3 else date(2023, 6, 30),
            target_value=1000,
            unit="个",
            comparator="=",
            relation="absolute",
        )
        target.co_departments.set([departments[(index + 1) % len(departments)]])
        Milestone.objects.bulk_create(default_milestones(target))
        for month, value in ((2, 100 + index), (4, 200 + index)):
            ProgressUpdate.objects.create(target=target, author=author, created_at=at(2023, month, 1), value=value)
        TargetEvent.objects.create(
            target=target, actor=author, kind="comment", message="说明", created_at=at(2023, 5, 1)
        )
        targets.append(target)
    services.refresh_health_basis([t.pk for t in targets])  # written around the services: dates explicitly
    return targets


def queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


@pytest.fixture
def departments(dept_econ, dept_housing, dept_finance):
    return [dept_econ, dept_housing, dept_finance]


@time_machine.travel(TODAY, tick=False)
def test_board_rows_worst_first_with_days(org, departments, ada):
    late, _fine = make_targets(org, departments, ada, 2)
    fresh = make_targets(org, departments, ada, 1, prefix="新")[0]
    ProgressUpdate.objects.create(target=fresh, author=ada, created_at=at(2023, 7, 1), value=600)
    services.refresh_health_basis([fresh.pk])
    on = date(2023, 7, 5)
    rows = selectors.board_page(list(selectors.board(selectors.targets_visible(user=ada), on=on)), on=on)
    assert rows[0].title == late.title
    first = rows[0]
    # Due 30 June with nodes at 31 March (50 %) and 30 June; 20 % reported: late since the March node.
    # 逾期 N 天 counts the first day after the missed date as day 1.
    assert first.health == "overdue" and first.days_overdue == (date(2023, 7, 5) - date(2023, 3, 31)).days
    assert first.days_since_update == (date(2023, 7, 5) - date(2023, 4, 1)).days
    by_title = {t.title: t for t in rows}
    # 60 % reported on 1 July met the March node; the due date (30 June) is what is missed.
    assert by_title["新000"].days_since_update == 4 and by_title["新000"].days_overdue == 5
    assert all(t.days_overdue is None for t in rows if t.health != "overdue")


@time_machine.travel(TODAY, tick=False)
def test_board_page_shows_counts_days_and_pages(client, org, departments, ada, sam):
    make_targets(org, departments, ada, 55)
    client.force_login(sam)
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200 and "督查看板" in html and "按牵头单位统计" in html
    assert "逾期 96 天" in html and "天未更新" in html
    assert html.count('class="target-row') == 50 and 'aria-label="分页"' in html
    second = client.get("/?page=2").content.decode()
    assert second.count('class="target-row') == 5
    overdue = client.get("/?health=overdue").content.decode()
    assert "正常推进</span>" not in overdue.split('class="target-list"')[1]
    grouped = client.get(f"/?group=department&department={departments[1].pk}").content.decode()
    assert 'class="group-head">房管办' in grouped


@time_machine.travel(TODAY, tick=False)
def test_export_is_the_filtered_board_as_a_ledger(client, org, departments, ada, sam):
    make_targets(org, departments, ada, 6)
    client.force_login(sam)
    response = client.get(f"/targets/export.xlsx?department={departments[0].pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith(f"{org.name}重点工作任务台账（导出时间：")
    header = list(rows[1])
    assert header == [
        "序号", "工作任务", "牵头单位", "责任单位", "分管领导", "完成时限",
        "目标值", "当前值", "完成率", "进展情况", "状态", "时间节点",
    ]  # fmt: skip
    body = [dict(zip(header, r, strict=True)) for r in rows[2:]]
    # Led by 经济发展办 (3 of 6: #0, #3) or co-department (#2, #5): four rows, numbered 1..n.
    assert [r["序号"] for r in body] == list(range(1, len(body) + 1)) and len(body) == 4
    first = body[0]
    assert first["牵头单位"] in {"经济发展办", "财政所"} and first["目标值"] == "1000个"
    assert "2023年" in first["时间节点"] and first["完成时限"].year == 2023
    assert first["进展情况"].startswith("2023-04-01：") and isinstance(first["完成率"], float)
    assert "推进中" in first["状态"] or "（" in first["状态"]
    assert "ledger-" in response["Content-Disposition"]


@time_machine.travel(TODAY, tick=False)
def test_export_button_keeps_the_filter(client, org, departments, ada, sam):
    make_targets(org, departments, ada, 1)
    client.force_login(sam)
    html = client.get("/?health=overdue&page=1").content.decode()
    assert 'href="/targets/export.xlsx?health=overdue"' in html


# --- query counts do not grow with the number of targets ---------------------------------------------


@pytest.mark.parametrize("viewer", ["sam", "alice"])
@time_machine.travel(TODAY, tick=False)
def test_board_queries_are_constant(client, org, departments, ada, sam, alice, viewer, django_assert_max_num_queries):
    client.force_login({"sam": sam, "alice": alice}[viewer])
    make_targets(org, departments, ada, 5)
    small = queries(lambda: client.get("/"))
    make_targets(org, departments, ada, 45, prefix="批")
    large = queries(lambda: client.get("/"))
    assert small == large
    with django_assert_max_num_queries(20):
        assert client.get("/?group=department").status_code == 200
    assert queries(lambda: client.get("/targets/export.xlsx")) <= large


@time_machine.travel(TODAY, tick=False)
def test_api_list_queries_are_constant(org, departments, ada, sam, django_assert_max_num_queries):
    api = APIClient()
    api.force_authenticate(sam)
    make_targets(org, departments, ada, 5)
    api.get("/api/targets/")  # per process or per user object, read once: the calendar, sam's memberships
    small = [queries(lambda u=url: api.get(u)) for url in ("/api/targets/", "/api/targets/overdue/")]
    make_targets(org, departments, ada, 45, prefix="批")
    large = [queries(lambda u=url: api.get(u)) for url in ("/api/targets/", "/api/targets/overdue/")]
    assert small == large
    with django_assert_max_num_queries(15):
        response = api.get("/api/targets/?health=overdue&plan_year=2023")
    assert response.status_code == 200 and response.json()["count"] > 0


@time_machine.travel(TODAY, tick=False)
def test_target_page_queries_do_not_grow_with_history(client, org, departments, ada, alice, upload, dept_econ):
    (target,) = make_targets(org, [dept_econ], ada, 1)
    client.force_login(alice)
    url = f"/targets/{target.pk}/"

    def add_history(count: int) -> None:
        for _ in range(count):
            target.refresh_from_db()
            services.progress_record(target=target, acting_user=alice, value=300, expected_version=target.version)
            services.target_comment(target=target, acting_user=alice, text="现场照片", files=[upload()])

    add_history(5)
    small = queries(lambda: client.get(url))
    add_history(45)
    large = queries(lambda: client.get(url))
    assert small == large <= 30
    api = APIClient()
    api.force_authenticate(alice)
    assert queries(lambda: api.get(f"/api/targets/{target.pk}/")) <= 20
    add_history(10)
    assert queries(lambda: api.get(f"/api/targets/{target.pk}/")) <= 20
