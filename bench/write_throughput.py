"""Progress updates per second through the API under gunicorn on PostgreSQL, and proof that none was lost.

    .venv/bin/python bench/write_throughput.py [--duration 20] [--workers 5] [--connections 10] [--port 8201]

Needs a database loaded by `manage.py seed_bench` and `wrk` (Debian package `wrk`). Starts `gunicorn
config.wsgi` on 127.0.0.1 (DEBUG off), then `wrk` POSTs `/api/targets/{id}/progress/` with token auth from
concurrent connections for a bounded time: each request a different open target, with the version it read
and the token of a staff member of the target's lead department. Afterwards it counts the progress rows
added: lost = accepted (201) − rows added, and rows added beyond the 201s would be phantom writes.
Goal (issue 6): ≥ 300 updates/s on this 2-core machine, zero lost updates.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from common import emit, figure, gunicorn, setup_django

setup_django()

from rest_framework.authtoken.models import Token  # noqa: E402

from targets.bench_seed import DISTRICT  # noqa: E402
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


def warm_up(port: int, workers: int, tasks: Path) -> None:
    """Every worker's first request pays for imports and caches: read target pages for a few seconds first."""
    pk, _, token = tasks.read_text().split("\n", 1)[0].split()
    subprocess.run(  # noqa: S603 (our own arguments)
        ["wrk", "-t1", f"-c{workers}", "-d3s", "-H", f"Authorization: Token {token}",  # noqa: S607
         f"http://127.0.0.1:{port}/api/targets/{pk}/"],
        capture_output=True,
        check=True,
        timeout=60,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers (2 x cores + 1)")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=8201)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    with tempfile.TemporaryDirectory() as tmp:
        tasks = Path(tmp) / "tasks.txt"
        available = write_tasks(tasks, 100_000)
        before = ProgressUpdate.objects.count()
        with gunicorn(args.port, args.workers):
            warm_up(args.port, args.workers, tasks)
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
                ],
                capture_output=True,
                text=True,
                timeout=args.duration + 60,
                check=True,
            )
        added = ProgressUpdate.objects.count() - before
    line = next(line for line in run.stdout.splitlines() if line.startswith("WRK "))
    result = json.loads(line.removeprefix("WRK "))
    accepted = result["created"]
    rate = accepted / result["duration_s"]
    lost = accepted - added
    phantom = max(added - accepted, 0)
    figures = [
        figure("progress updates accepted per second", round(rate, 1), "updates/s", f">= {GOAL_RATE}",
               rate >= GOAL_RATE),
        figure("lost updates (accepted - history rows)", lost, "updates", "0", lost == 0),
        figure("history rows without a 201", phantom, "updates", "0", phantom == 0),
        figure("progress POST p50", result["latency_ms"]["p50"], "ms"),
        figure("progress POST p99", result["latency_ms"]["p99"], "ms"),
        figure("progress POST refused or failed", result["conflict"] + result["other_status"], "requests", "0",
               result["conflict"] + result["other_status"] == 0),
    ]  # fmt: skip
    emit(
        "write_throughput",
        figures,
        f"write_throughput: {accepted} updates accepted in {result['duration_s']:.1f} s = {rate:.0f}/s "
        f"({args.workers} gunicorn workers, {args.connections} connections), {added} history rows added, "
        f"lost {lost}; p50 {result['latency_ms']['p50']} ms, p99 {result['latency_ms']['p99']} ms",
        wrk=result,
        history_rows_added=added,
        distinct_targets_available=available,
        workers=args.workers,
        connections=args.connections,
    )


if __name__ == "__main__":
    main()
