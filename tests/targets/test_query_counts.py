"""Query counts per request do not depend on how many targets there are (10 vs 1,000): the lists and the overdue
board paginate in SQL, the board page prefetches, and a progress report touches only its own target's rows. The
lists' lean serializer renders what the declared one does."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from targets_testdata import at

from notifications.workdays import is_working_day
from targets import selectors, services
from targets.models import Milestone, ProgressUpdate, Target
from targets.serializers import TargetListSerializer, TargetSerializer
from targets.services import default_milestones

TODAY = "2023-07-05 10:00 +0800"
# Upper bounds, so that a constant but bloated count fails too.
MAX_LIST_QUERIES = 12
MAX_PROGRESS_QUERIES = 12


@pytest.fixture
def departments(dept_econ, dept_housing):
    return [dept_econ, dept_housing]


def bulk_targets(org, departments, author, count: int, *, start: int = 0) -> list[Target]:
    """`count` targets the way a bulk loader writes them (bulk_create, then `refresh_health_basis`): a third due
    on 30 June and behind (overdue on TODAY), the rest due at year end; two updates each, a co-department."""
    targets = Target.objects.bulk_create(
        Target(
            organisation=org,
            title=f"任务{start + i:04d}",
            lead_department=departments[i % len(departments)],
            plan_year=2023,
            due_date=date(2023, 6, 30) if i % 3 == 0 else date(2023, 12, 31),
            target_value=1000,
            unit="个",
            comparator=">=",
            relation="absolute",
            lifecycle=Target.Lifecycle.IN_PROGRESS if i % 2 else Target.Lifecycle.NOT_STARTED,
        )
        for i in range(count)
    )
    Milestone.objects.bulk_create(m for t in targets for m in default_milestones(t))
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(target=t, author=author, created_at=at(2023, month, 1), value=value)
        for t in targets
        for month, value in ((2, 100), (4, 300))
    )
    through = Target.co_departments.through
    through.objects.bulk_create(
        through(target_id=t.pk, department_id=departments[(i + 1) % len(departments)].pk) for i, t in enumerate(targets)
    )
    services.refresh_health_basis([t.pk for t in targets])
    return targets


def count_queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        result = call()
    return len(context.captured_queries), result


LIST_URLS = (
    "/api/targets/",
    "/api/targets/?organisation={org}&status=in_progress",
    "/api/targets/overdue/",
    "/api/targets/?health=overdue",
)


@time_machine.travel(TODAY, tick=False)
def test_list_and_overdue_queries_do_not_grow_with_targets(org, departments, ada, sam):
    api = APIClient()
    api.force_authenticate(sam)
    counts = {}
    # Read once, not per request: the admin calendar (per process, a minute), sam's memberships (per user object).
    is_working_day(date(2023, 7, 5))
    api.get("/api/targets/")
    for size, start in ((10, 0), (1000, 10)):
        bulk_targets(org, departments, ada, size - start if start else size, start=start)
        for url in LIST_URLS:
            queries, response = count_queries(lambda u=url: api.get(u.format(org=org.pk)))
            assert response.status_code == 200, url
            body = response.json()
            assert body["count"] > 0 and len(body["results"]) == min(50, body["count"]), url
            counts.setdefault(url, []).append(queries)
    assert all(small == large <= MAX_LIST_QUERIES for small, large in counts.values()), counts


@time_machine.travel(TODAY, tick=False)
def test_board_page_queries_do_not_grow_with_targets(client, org, departments, ada, sam):
    client.force_login(sam)
    bulk_targets(org, departments, ada, 10)
    small, response = count_queries(lambda: client.get("/"))
    assert response.status_code == 200
    bulk_targets(org, departments, ada, 990, start=10)
    large, response = count_queries(lambda: client.get("/"))
    assert response.status_code == 200 and "任务0010" in response.content.decode()  # a later target, overdue
    assert small == large, (small, large)


@time_machine.travel(TODAY, tick=False)
def test_progress_post_queries_do_not_grow_with_targets_or_history(org, departments, ada, alice):
    api = APIClient()
    api.force_authenticate(alice)

    def post(target: Target, value: float):
        target.refresh_from_db()
        url = f"/api/targets/{target.pk}/progress/"
        return count_queries(lambda: api.post(url, {"value": value, "version": target.version}, format="json"))

    small_target = bulk_targets(org, departments, ada, 10)[0]
    api.get(f"/api/targets/{small_target.pk}/")  # alice's memberships: read once per user object
    small, response = post(small_target, 400)
    assert response.status_code == 201
    large_target = bulk_targets(org, departments, ada, 990, start=10)[0]
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(target=large_target, author=alice, created_at=at(2023, 5, day), value=300)
        for day in range(1, 29)
    )
    large, response = post(large_target, 400)
    assert response.status_code == 201
    assert small == large <= MAX_PROGRESS_QUERIES, (small, large)


@time_machine.travel(TODAY, tick=False)
def test_lean_list_serializer_renders_what_the_declared_one_does(org, departments, ada, sam, make_target):
    """The lists' hand-built rows equal TargetSerializer's (the schema's) for every kind of row."""
    rows = bulk_targets(org, departments, ada, 6)
    make_target(lead_department=departments[0])  # from a commitment: report_id set
    services.target_cancel(target=rows[1], acting_user=ada, expected_version=rows[1].version, note="调整")
    page = selectors.with_health(selectors.targets_for_user(user=sam), on=date(2023, 7, 5))
    context = {"today": date(2023, 7, 5)}
    lean = TargetListSerializer(page, many=True, context=context).data
    assert lean == TargetSerializer(page, many=True, context=context).data
    assert {row["health"] for row in lean} >= {"overdue", None} and any(row["report_id"] for row in lean)
