"""Progress updates per second through the API under gunicorn on PostgreSQL, and proof that none was lost.

    .venv/bin/python bench/write_throughput.py [--duration 20] [--workers 3] [--connections 6] [--port 8201]

Needs a database loaded by `manage.py seed_bench` and `wrk` (Debian package `wrk`). Starts `gunicorn
config.wsgi` on 127.0.0.1 (DEBUG off), then `wrk` POSTs `/api/targets/{id}/progress/` with token auth from
concurrent connections for a bounded time: each request a different open target, with the version it read
and the token of a staff member of the target's lead department. Afterwards it looks up the update id of every
201 answer: lost = answered 201 but no such row. Rows added beyond the 201s are the requests still in flight
when wrk stopped (at most one per connection): written, but wrk did not wait for the answer.
Goal (issue 6): ≥ 300 updates/s on this 2-core machine, zero lost updates.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
from common import emit, figure, gunicorn, setup_django

setup_django()

from rest_framework.authtoken.models import Token  # noqa: E402

from bench.seed import DISTRICT  # noqa: E402
from targets.models import Membership, ProgressUpdate, Target  # noqa: E402

GOAL_RATE = 300
LUA = Path(__file__).with_name("wrk_progress.lua")


def write_tasks(path: Path, count: int) -> int:
    """One line per open target: id, version, a token of its lead department's staff; shuffled across towns."""
    tokens: dict[int, list[str]] = {}
    for department_id, key in Token.objects.filter(
        user__memberships__role=Membership.Role.STAFF, user__memberships__organisation__parent__name=DISTRICT
    ).values_list("user__memberships__department_id", "key"):
        tokens.setdefault(department_id, []).append(key)
    rows = list(
        Target.objects.filter(organisation__parent__name=DISTRICT, lead_department__isnull=False)
        .exclude(lifecycle__in=["signed_off", "cancelled"])
        .values_list("id", "version", "lead_department_id")
    )
    random.Random(6).shuffle(rows)
    lines = [f"{pk} {version} {tokens[dep][pk % len(tokens[dep])]}" for pk, version, dep in rows if dep in tokens]
    path.write_text("\n".join(lines[:count]) + "\n")
    return min(len(lines), count)


def warm_up(port: int, workers: int, tasks: Path, *, limit: float = 60.0) -> None:
    """Every worker's first request imports the URLconf and views (seconds on a busy machine): read target pages
    from 2 x workers connections until a whole round answers within a second, so each worker has served one."""
    pk, _, token = tasks.read_text().split("\n", 1)[0].split()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/targets/{pk}/", headers={"Authorization": f"Token {token}"}
    )

    def get(_) -> float:
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (our own server)
            response.read()
        return time.perf_counter() - started

    deadline = time.monotonic() + limit
    with ThreadPoolExecutor(2 * workers) as pool:
        while max(pool.map(get, range(4 * workers))) > 1.0 and time.monotonic() < deadline:
            pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    # cores + 1 measured best on 2 cores, CPU-bound (3, 5, 8 workers: 161, 151, 135 updates/s)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=0, help="wrk connections (default 2 per worker)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=8201)
    args = parser.parse_args()
    args.connections = args.connections or 2 * args.workers
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    with tempfile.TemporaryDirectory() as tmp:
        tasks = Path(tmp) / "tasks.txt"
        available = write_tasks(tasks, 100_000)
        before = ProgressUpdate.objects.count()
        with gunicorn(args.port, args.workers) as server:
            warm_up(args.port, args.workers, tasks)
            workers = psutil.Process(server.pid).children()
            cpu_before = sum(sum(w.cpu_times()[:2]) for w in workers)
            run = subprocess.run(  # noqa: S603 (our own arguments)
                [  # noqa: S607 (wrk from PATH)
                    "wrk",
                    f"-t{args.threads}",
                    f"-c{args.connections}",
                    f"-d{args.duration}s",
                    "--timeout=10s",
                    f"--script={LUA}",
                    f"http://127.0.0.1:{args.port}",
                    "--",
                    str(tasks),
                    str(args.threads),
                    str(Path(tmp) / "accepted-"),
                ],
                capture_output=True,
                text=True,
                timeout=args.duration + 60,
                check=True,
            )
            cpu_used = sum(sum(w.cpu_times()[:2]) for w in workers) - cpu_before
        added = ProgressUpdate.objects.count() - before
        ids = [int(line) for path in Path(tmp).glob("accepted-*") for line in path.read_text().split()]
    found = ProgressUpdate.objects.filter(pk__in=ids).count()
    line = next(line for line in run.stdout.splitlines() if line.startswith("WRK "))
    result = json.loads(line.removeprefix("WRK "))
    accepted = result["created"]
    rate = accepted / result["duration_s"]
    lost = len(ids) - found + (accepted - len(ids))  # a 201 without a readable id counts as lost too
    in_flight = added - found
    figures = [
        figure("progress updates accepted per second", round(rate, 1), "updates/s", f">= {GOAL_RATE}",
               rate >= GOAL_RATE),
        figure("lost updates (201 without its history row)", lost, "updates", "0", lost == 0),
        figure("rows of requests in flight when wrk stopped", in_flight, "updates", f"<= {args.connections}",
               0 <= in_flight <= args.connections),
        # CPU of the gunicorn workers per accepted update: what the load of others on the machine changes least.
        figure("gunicorn CPU per progress POST", round(cpu_used / max(accepted, 1) * 1000, 2), "ms"),
        figure("progress POST p50", result["latency_ms"]["p50"], "ms"),
        figure("progress POST p99", result["latency_ms"]["p99"], "ms"),
        figure("progress POST refused or failed", result["conflict"] + result["other_status"], "requests", "0",
               result["conflict"] + result["other_status"] == 0),
    ]  # fmt: skip
    emit(
        "write_throughput",
        figures,
        f"write_throughput: {accepted} updates accepted in {result['duration_s']:.1f} s = {rate:.0f}/s "
        f"({args.workers} gunicorn workers, {args.connections} connections), {found} of them found in the history, "
        f"lost {lost}, {in_flight} more in flight at the end; "
        f"p50 {result['latency_ms']['p50']} ms, p99 {result['latency_ms']['p99']} ms; "
        f"{cpu_used / max(accepted, 1) * 1000:.1f} ms of worker CPU per update",
        wrk=result,
        history_rows_added=added,
        distinct_targets_available=available,
        workers=args.workers,
        connections=args.connections,
    )


if __name__ == "__main__":
    main()
