"""What the benchmark scripts share: Django set up on the benchmark database, percentiles, and the output format.

Each script prints one JSON line `{"bench": NAME, "figures": [...], ...details}` and then a one-line summary.
A figure is `{"name", "value", "unit", "goal", "met"}`; `bench/run_all.py` prints the figures one per line.
The database is `DATABASE_URL`, or PostgreSQL `duban_bench` on localhost when it is unset (seed it first with
`python manage.py seed_bench`).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
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
