"""What the benchmark scripts share: Django set up on the benchmark database, percentiles, and the output format.

Each script prints one JSON line `{"bench": NAME, "figures": [...], ...details}` and then a one-line summary.
A figure is `{"name", "value", "unit", "goal", "met"}`; `bench/run_all.py` prints the figures one per line.
The database is `DATABASE_URL`, or PostgreSQL `duban_bench` on localhost when it is unset (seed it first with
`python manage.py seed_bench`).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/duban_bench"
# Benchmarks measure what production runs: no DEBUG (Django would keep every query in memory).
BENCH_ENV = {"DATABASE_URL": DEFAULT_DATABASE_URL, "DEBUG": "False", "LOG_LEVEL": "ERROR"}


def setup_django() -> None:
    for name, value in BENCH_ENV.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def figure(name: str, value: float, unit: str, goal: str | None = None, met: bool | None = None) -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "met": met}


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (inclusive method: p50 of an even count is the mean of the middle two)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def emit(bench: str, figures: list[dict], summary: str, **details) -> None:
    print(json.dumps({"bench": bench, "figures": figures, **details}, ensure_ascii=False), flush=True)
    print(summary, flush=True)


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a benchmark server: the benchmark database, DEBUG off, quiet logs."""
    env = {**os.environ, **{k: v for k, v in BENCH_ENV.items() if k not in os.environ}}
    env.update({"ALLOWED_HOSTS": "127.0.0.1,localhost", "NOTIFICATIONS_SCHEDULE_SWEEPS": "False", **extra})
    return env


@contextlib.contextmanager
def gunicorn(port: int, workers: int, *, timeout: float = 30.0):
    """Run `gunicorn config.wsgi` (sync workers) on 127.0.0.1:`port` until the block ends; yields the process."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=120",
        "--log-level=warning",
    ]
    if _listening(port):
        raise RuntimeError(f"127.0.0.1:{port} is already in use: pick another port (--port)")
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(), stdout=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            if _listening(port):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not listen on {port} within {timeout} s")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
