"""Run every benchmark and print one JSON object per figure: `bench`, `name`, `value`, `unit`, `goal`, `met`.

    .venv/bin/python bench/run_all.py            # the district: 100 towns, 30,000 targets (about 15 minutes)
    .venv/bin/python bench/run_all.py --quick    # 10 towns, 3,000 targets, short runs (under 5 minutes)

Needs PostgreSQL on localhost (or --database-url) and `wrk`. Recreates the benchmark database (`duban_bench`,
`duban_bench_quick` with --quick), migrates it, times `manage.py seed_bench`, then runs each script in
bench/ as a child process. Figures go to stdout, one JSON line each; each script's one-line summary goes to
stderr. `--keep-data` reuses an already seeded database (migrated to the current code, not reseeded).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_GOAL_SECONDS = 300

FULL = {
    "database": "duban_bench",
    "seed": ["--orgs=100", "--targets-per-org=300", "--updates-per-target=10"],
    "benches": [
        ("board_latency.py", ["--requests=20", "--warmup=2"]),
        ("api_latency.py", ["--requests=200", "--warmup=10"]),
        ("write_throughput.py", ["--duration=20"]),
        ("memory.py", ["--repeat=2"]),
        ("digests.py", ["--users=3000", "--targets=30000", "--orgs=100"]),
        ("reconcile.py", ["--targets=1000", "--achievements=1000", "--repeat=3"]),
        ("reconcile.py", ["--orgs=100", "--targets=300", "--achievements=300", "--repeat=1"]),
    ],
}
QUICK = {
    "database": "duban_bench_quick",
    "seed": ["--orgs=10", "--targets-per-org=300", "--updates-per-target=10"],
    "benches": [
        ("board_latency.py", ["--requests=10", "--warmup=2"]),
        ("api_latency.py", ["--requests=50", "--warmup=5"]),
        ("write_throughput.py", ["--duration=8"]),
        ("memory.py", ["--repeat=1"]),
        ("digests.py", ["--users=300", "--targets=3000", "--orgs=10"]),
        ("reconcile.py", ["--targets=1000", "--achievements=1000", "--repeat=1"]),
        ("reconcile.py", ["--orgs=10", "--targets=300", "--achievements=300", "--repeat=1"]),
    ],
}


def machine(when: str) -> None:
    """The load others put on the machine: the figures mean little if it was busy (2 cores here)."""
    load = os.getloadavg()[0]
    out({"bench": "machine", "name": f"load average (1 min) {when}", "value": round(load, 2), "unit": "runnable",
         "goal": None, "met": None})  # fmt: skip
    if when == "at start":
        note(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {load:.2f}")


def out(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database (never any other), then migrate it."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    if not name.startswith("duban_bench"):
        raise SystemExit(f"refusing to recreate {name!r}: only duban_bench* databases are benchmark data")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage(["migrate", "--noinput", "-v0"], url)


def manage(arguments: list[str], url: str) -> str:
    run = subprocess.run(  # noqa: S603 (our own arguments)
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env_for(url), capture_output=True, text=True
    )
    if run.returncode:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{run.stderr[-3000:]}")
    return run.stdout


def env_for(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "False", "LOG_LEVEL": "ERROR"}


def run_bench(script: str, arguments: list[str], url: str) -> bool:
    started = time.perf_counter()
    run = subprocess.run(  # noqa: S603 (our own arguments)
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        cwd=ROOT,
        env=env_for(url),
        capture_output=True,
        text=True,
    )
    lines = run.stdout.splitlines()
    result = next((json.loads(line) for line in lines if line.startswith('{"bench"')), None)
    if run.returncode or result is None:
        out({"bench": script, "name": "failed", "value": run.returncode, "unit": "exit", "goal": "0", "met": False})
        note(f"{script} failed:\n{run.stderr[-3000:]}")
        return False
    for item in result["figures"]:
        out({"bench": result["bench"], **item})
    summary = lines[-1] if lines else ""
    note(f"{summary}  [{time.perf_counter() - started:.0f} s]")
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10 towns, short runs: under 5 minutes")
    parser.add_argument("--database-url", help="default: postgres://postgres@127.0.0.1:5432/duban_bench[_quick]")
    parser.add_argument("--keep-data", action="store_true", help="reuse the seeded database")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    url = args.database_url or f"postgres://postgres@127.0.0.1:5432/{plan['database']}"

    started = time.perf_counter()
    machine("at start")
    if not args.keep_data:
        recreate_database(url)
        seed = json.loads(manage(["seed_bench", *plan["seed"]], url).strip().splitlines()[-1])
        seconds = seed["seconds"]["total"]
        out({
            "bench": "seed_bench", "name": f"seed_bench {seed['targets']} targets, {seed['progress_updates']} updates, "
            f"{seed['users']} users", "value": seconds, "unit": "s", "goal": f"<= {SEED_GOAL_SECONDS} s",
            "met": seconds <= SEED_GOAL_SECONDS,
        })  # fmt: skip
        note(f"seed_bench: {json.dumps(seed, ensure_ascii=False)}")
    else:
        manage(["migrate", "--noinput", "-v0"], url)  # the code may have moved on since the data was seeded
    ok = all([run_bench(script, arguments, url) for script, arguments in plan["benches"]])
    machine("at the end")
    note(f"run_all{' --quick' if args.quick else ''}: {time.perf_counter() - started:.0f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
