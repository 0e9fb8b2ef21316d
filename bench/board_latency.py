"""Board page latency (`GET /`) for the district supervisor and a town supervisor, against a one-query floor.

    .venv/bin/python bench/board_latency.py [--requests 20] [--warmup 2]

Needs a database loaded by `manage.py seed_bench` (PostgreSQL `duban_bench` unless DATABASE_URL says otherwise).
Requests go through the whole Django stack in process (`django.test.Client`, the supervisor's session): the page
shows the first 50 rows (worst health first), the health chips and the per-department table. The floor is ONE
SQL statement returning the same 50 rows (by id, with the organisation, lead department and latest update with its
author, as the page shows them) and the per-lead-department target counts of every visible target, encoded
with `json.dumps`: it finds no rows and computes no health, so it is a floor, not a rival implementation.

Also this process's CPU per page (Python: the figure others' load changes least).
Goals (issue 11): district p50 <= 150 ms and <= 5x its floor; town <= 3x.
"""

from __future__ import annotations

import argparse
import json
import re
import time

from common import emit, figure, percentile, setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from targets import permissions  # noqa: E402
from targets.models import Target  # noqa: E402

DISTRICT_SUPERVISOR = "bench-district-sup"
TOWN_SUPERVISOR = "bench-t001-sup1"
GOALS = {"district": (150.0, 5.0), "town": (None, 3.0)}
ROW_LINK = re.compile(r'class="row-title" href="/targets/(\d+)/"')

FLOOR_SQL = """
SELECT
  (SELECT json_agg(r ORDER BY array_position(%(ids)s, r.id)) FROM (
     SELECT t.id, t.title, t.lifecycle, t.due_date, t.plan_year, t.escalated_at, t.lead_department_id,
            o.name AS organisation, d.name AS department,
            (SELECT json_build_object('created_at', u.created_at, 'value', u.value, 'percent', u.percent,
                                      'author', a.username)
             FROM targets_progressupdate u JOIN auth_user a ON a.id = u.author_id
             WHERE u.target_id = t.id ORDER BY u.created_at DESC, u.id DESC LIMIT 1) AS latest
     FROM targets_target t
     JOIN targets_organisation o ON o.id = t.organisation_id
     LEFT JOIN targets_department d ON d.id = t.lead_department_id
     WHERE t.id = ANY(%(ids)s)) r),
  (SELECT json_agg(c) FROM (
     SELECT t.organisation_id, t.lead_department_id, count(*) AS total
     FROM targets_target t WHERE t.organisation_id = ANY(%(orgs)s)
     GROUP BY t.organisation_id, t.lead_department_id) c)
"""


def floor(ids: list[int], organisations: list[int]) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"ids": ids, "orgs": organisations})
        rows, counts = cursor.fetchone()
    if isinstance(rows, str):  # psycopg returns json as text on some configurations
        rows, counts = json.loads(rows), json.loads(counts)
    return json.dumps({"rows": rows, "departments": counts}, default=str).encode()


def timed(call, requests: int, warmup: int, cpu: list | None = None) -> list[float]:
    """Wall milliseconds per call; `cpu` (when given) gets this process's CPU milliseconds per call, which the
    load others put on the machine changes far less than the wall time."""
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - started_cpu) * 1000)
    return timings


def measure(name: str, username: str, requests: int, warmup: int) -> tuple[list[dict], dict]:
    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200, (name, response.status_code)
    ids = [int(pk) for pk in ROW_LINK.findall(response.content.decode())]
    assert len(ids) == 50, f"{name}: the board showed {len(ids)} rows"
    organisations = list(permissions.visible_organisations(user).values_list("pk", flat=True))
    visible = Target.objects.filter(organisation__in=organisations).count()
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    queries = len(captured)

    def page():
        assert client.get("/").status_code == 200

    cpu_ms: list[float] = []
    page_ms = timed(page, requests, warmup, cpu_ms)
    floor_ms = timed(lambda: floor(ids, organisations), max(requests, 20), warmup)
    p50, p95, floor_p50 = percentile(page_ms, 50), percentile(page_ms, 95), percentile(floor_ms, 50)
    ratio = p50 / floor_p50
    goal_ms, goal_ratio = GOALS[name]
    figures = [
        figure(f"{name} board p50", round(p50, 1), "ms", goal_ms and f"<= {goal_ms:g} ms", goal_ms and p50 <= goal_ms),
        figure(f"{name} board p95", round(p95, 1), "ms"),
        figure(f"{name} board Python CPU p50", round(percentile(cpu_ms, 50), 1), "ms"),
        figure(f"{name} board floor p50", round(floor_p50, 2), "ms"),
        figure(f"{name} board / floor", round(ratio, 2), "x", f"<= {goal_ratio:g}x", ratio <= goal_ratio),
        figure(f"{name} board queries per request", queries, "queries"),
    ]
    return figures, {"user": username, "visible_targets": visible, "requests": requests}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", choices=list(GOALS), help="measure one board")
    args = parser.parse_args()
    figures, details = [], {"database": connection.vendor}
    for name, username in (("district", DISTRICT_SUPERVISOR), ("town", TOWN_SUPERVISOR)):
        if args.only and name != args.only:
            continue
        found, details[name] = measure(name, username, args.requests, args.warmup)
        figures += found
    by_name = {f["name"]: f["value"] for f in figures}
    parts = [
        f"{name} p50 {by_name[f'{name} board p50']} ms ({by_name[f'{name} board / floor']}x the floor, "
        f"{by_name[f'{name} board Python CPU p50']} ms CPU, "
        f"{by_name[f'{name} board queries per request']} queries)"
        for name in GOALS
        if f"{name} board p50" in by_name
    ]
    emit("board_latency", figures, f"board_latency: {', '.join(parts)}; {args.requests} requests each", **details)


if __name__ == "__main__":
    main()
