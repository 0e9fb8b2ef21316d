"""Board and list latency on the seeded district, against a hand-written SQL lower bound in the same process.

    .venv/bin/python bench/api_latency.py [--requests 200] [--warmup 10]

Needs a database loaded by `manage.py seed_bench` (PostgreSQL `duban_bench` unless DATABASE_URL says otherwise).
Requests go through the whole Django stack in process (`django.test.Client`, session of the district
supervisor): `GET /api/targets/overdue/` and `GET /api/targets/?organisation=<a town>&status=in_progress`, each a
page of 50. The lower bound fetches the same 50 rows (by id) with every column the page shows, joined in one SQL
query, and encodes them with `json.dumps`: it finds no rows and computes no health, so it is a floor, not a rival
implementation. Goal (issue 6): p50 ≤ 50 ms and within 2× of the lower bound.
"""

from __future__ import annotations

import argparse
import json
import time

from common import emit, figure, percentile, setup_django

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.seed import DISTRICT_SUPERVISOR, town_name  # noqa: E402
from targets.models import Organisation  # noqa: E402

GOAL_MS = 50
GOAL_RATIO = 2.0

# Every column of a list row (TargetSerializer), the co-departments, the milestones and the latest figure.
LOWER_BOUND_SQL = """
SELECT t.id, t.title, t.metric, t.kind, o.name, t.organisation_id, d.name, t.lead_department_id,
       ARRAY(SELECT cd.name FROM targets_target_co_departments tc
             JOIN targets_department cd ON cd.id = tc.department_id
             WHERE tc.target_id = t.id ORDER BY cd.name),
       t.plan_year, t.due_date, t.target_value, t.target_value_max, t.unit, t.comparator, t.relation,
       t.baseline, t.baseline_value, t.stretch_value, t.lifecycle, t.version, t.commitment_id, c.report_id,
       (SELECT COALESCE(u.percent, u.value * 100 / NULLIF(t.target_value, 0)) FROM targets_progressupdate u
        WHERE u.target_id = t.id ORDER BY u.created_at DESC, u.id DESC LIMIT 1),
       (SELECT json_agg(json_build_object('id', m.id, 'title', m.title, 'due_date', m.due_date,
                'expected_percent', m.expected_percent, 'expected_value', m.expected_value, 'done_on', m.done_on)
                ORDER BY m.due_date, m.id)
        FROM targets_milestone m WHERE m.target_id = t.id AND m.cancelled_at IS NULL),
       t.created_at, t.updated_at
FROM targets_target t
JOIN targets_organisation o ON o.id = t.organisation_id
LEFT JOIN targets_department d ON d.id = t.lead_department_id
LEFT JOIN reports_commitment c ON c.id = t.commitment_id
WHERE t.id = ANY(%s)
ORDER BY array_position(%s, t.id)
"""
COLUMNS = [
    "id",
    "title",
    "metric",
    "kind",
    "organisation",
    "organisation_id",
    "lead_department",
    "lead_department_id",
    "co_departments",
    "plan_year",
    "due_date",
    "target_value",
    "target_value_max",
    "unit",
    "comparator",
    "relation",
    "baseline",
    "baseline_value",
    "stretch_value",
    "lifecycle",
    "version",
    "commitment",
    "report_id",
    "progress_percent",
    "milestones",
    "created_at",
    "updated_at",
]


def lower_bound(ids: list[int], count: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(LOWER_BOUND_SQL, [ids, ids])
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    return json.dumps({"count": count, "next": None, "previous": None, "results": rows}, default=str).encode()


def timed(call, requests: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure(client: Client, name: str, url: str, expect: dict, requests: int, warmup: int) -> tuple[list[dict], dict]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    body = response.json()
    # A fast wrong answer is worth nothing: every row must be what the URL asked for.
    wrong = [row["id"] for row in body["results"] if any(row.get(k) != v for k, v in expect.items())]
    assert body["results"] and not wrong, f"{url}: rows not matching {expect}: {wrong[:10]}"
    ids = [row["id"] for row in body["results"]]
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # now: the next request's signal empties the query log

    def api():
        response = client.get(url)
        assert response.status_code == 200
        return response.content

    api_ms = timed(api, requests, warmup)
    floor_ms = timed(lambda: lower_bound(ids, body["count"]), requests, warmup)
    p50, p95, floor_p50 = percentile(api_ms, 50), percentile(api_ms, 95), percentile(floor_ms, 50)
    ratio = p50 / floor_p50
    figures = [
        figure(f"{name} p50", round(p50, 1), "ms", f"<= {GOAL_MS} ms", p50 <= GOAL_MS),
        figure(f"{name} p95", round(p95, 1), "ms"),
        figure(f"{name} lower bound p50", round(floor_p50, 2), "ms"),
        figure(f"{name} / lower bound", round(ratio, 2), "x", f"<= {GOAL_RATIO}x", ratio <= GOAL_RATIO),
        figure(f"{name} queries per request", queries, "queries"),
    ]
    detail = {"url": url, "rows": len(ids), "count": body["count"], "requests": requests}
    return figures, detail


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--only", choices=["overdue", "list"], help="measure one endpoint")
    args = parser.parse_args()

    from django.contrib.auth import get_user_model

    from targets.models import Target

    client = Client()
    client.force_login(get_user_model().objects.get(username=DISTRICT_SUPERVISOR))
    town = Organisation.objects.get(name=town_name(0))
    endpoints = [
        ("overdue", "/api/targets/overdue/", {"health": "overdue"}),
        ("list", f"/api/targets/?organisation={town.pk}&status=in_progress", {"organisation_id": town.pk,
                                                                               "lifecycle": "in_progress"}),
    ]  # fmt: skip
    figures, details = [], {"targets": Target.objects.count(), "database": connection.vendor}
    for name, url, expect in endpoints:
        if args.only and name != args.only:
            continue
        found, details[name] = measure(client, name, url, expect, args.requests, args.warmup)
        figures += found
    by_name = {f["name"]: f["value"] for f in figures}
    parts = [
        f"{name} p50 {by_name[f'{name} p50']} ms ({by_name[f'{name} / lower bound']}x the lower bound)"
        for name, *_ in endpoints
        if f"{name} p50" in by_name
    ]
    emit(
        "api_latency",
        figures,
        f"api_latency at {details['targets']} targets: {', '.join(parts)}; {args.requests} requests each",
        **details,
    )


if __name__ == "__main__":
    main()
