"""Peak memory: a gunicorn worker serving the board at district scale, and the import of the largest report.

    .venv/bin/python bench/memory.py [--repeat 3] [--port 8203]

Needs a database loaded by `manage.py seed_bench`. First `manage.py import_report` of the largest corpus
report (/work/shared/corpus, else samples/) runs as a child process; its peak RSS is the children's
`ru_maxrss` (the report it made is deleted afterwards). Then one gunicorn sync worker serves the supervisor
board page `/` and `GET /api/targets/overdue/` to the district supervisor while a thread samples the worker's
RSS every 10 ms (psutil), a fresh worker for each. Informational figures: the issue sets no memory goal.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
from common import ROOT, emit, figure, gunicorn, server_env, setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from bench.seed import DISTRICT_SUPERVISOR  # noqa: E402
from reports.models import Report  # noqa: E402
from targets.models import Organisation  # noqa: E402

IMPORT_ORG = "基准导入测量"
MIB = 2**20


def largest_report() -> Path:
    corpus = ROOT.parent / "shared" / "corpus"
    candidates = sorted(corpus.glob("*.txt")) or sorted((ROOT / "samples").glob("*.txt"))
    return max(candidates, key=lambda p: p.stat().st_size)


def import_peak(path: Path) -> tuple[float, float]:
    """Peak RSS (MiB) and seconds of `manage.py import_report PATH` in a child process."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own arguments)
        [sys.executable, "manage.py", "import_report", str(path), "--org", IMPORT_ORG],
        cwd=ROOT,
        env=server_env(),
        check=True,
        capture_output=True,
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / MIB  # kilobytes on Linux
    Report.objects.filter(organisation__name=IMPORT_ORG).delete()
    Organisation.objects.filter(name=IMPORT_ORG).delete()
    return peak, elapsed


class PeakSampler(threading.Thread):
    def __init__(self, process: psutil.Process) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.peak = process.memory_info().rss
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak / MIB


def serve_peak(worker: psutil.Process, url: str, headers: dict, repeat: int) -> tuple[float, float]:
    """Peak worker RSS (MiB) while serving `url` `repeat` times, and the median seconds per request."""
    sampler = PeakSampler(worker)
    sampler.start()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=600) as response:  # noqa: S310
            response.read()
            assert response.status == 200, (url, response.status)
        timings.append(time.perf_counter() - started)
    return sampler.stop(), sorted(timings)[len(timings) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="requests per page")
    parser.add_argument("--port", type=int, default=8203)
    args = parser.parse_args()

    report = largest_report()
    import_mib, import_s = import_peak(report)

    client = Client()
    client.force_login(get_user_model().objects.get(username=DISTRICT_SUPERVISOR))
    headers = {"Cookie": f"sessionid={client.cookies['sessionid'].value}", "Host": "127.0.0.1"}
    base = f"http://127.0.0.1:{args.port}"
    peaks, seconds = {}, {}
    for name, path in (("board", "/"), ("overdue", "/api/targets/overdue/")):
        with gunicorn(args.port, 1) as master:  # a fresh worker per page: RSS never shrinks back
            with urllib.request.urlopen(f"{base}/login/", timeout=60) as response:  # noqa: S310 (loads the app)
                response.read()
            worker = psutil.Process(master.pid).children()[0]
            idle_mib = worker.memory_info().rss / MIB
            peaks[name], seconds[name] = serve_peak(worker, f"{base}{path}", headers, args.repeat)
    board_mib, overdue_mib = peaks["board"], peaks["overdue"]
    board_s, overdue_s = seconds["board"], seconds["overdue"]
    figures = [
        figure("gunicorn worker RSS after start and one login page", round(idle_mib, 1), "MiB"),
        figure("gunicorn worker peak RSS serving the board page", round(board_mib, 1), "MiB"),
        figure("gunicorn worker peak RSS serving /api/targets/overdue/", round(overdue_mib, 1), "MiB"),
        figure("board page / for the district supervisor, median", round(board_s * 1000), "ms"),
        figure(f"import_report peak RSS ({report.name}, {report.stat().st_size // 1024} KiB)", round(import_mib, 1),
               "MiB"),
    ]  # fmt: skip
    emit(
        "memory",
        figures,
        f"memory: gunicorn worker {idle_mib:.0f} MiB idle, peak {board_mib:.0f} MiB on the board "
        f"({board_s * 1000:.0f} ms/request), {overdue_mib:.0f} MiB on the overdue API ({overdue_s * 1000:.0f} ms); "
        f"import_report of {report.name} peak {import_mib:.0f} MiB in {import_s:.1f} s",
        board_seconds=round(board_s, 3),
        overdue_seconds=round(overdue_s, 3),
        import_seconds=round(import_s, 2),
        report=report.name,
    )


if __name__ == "__main__":
    main()
