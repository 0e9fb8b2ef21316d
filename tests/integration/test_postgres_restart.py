"""Faults under load on a private PostgreSQL: the database restarted mid-run, a gunicorn worker SIGKILLed mid-run.

The shared cluster is never touched: each run makes a throwaway cluster (initdb as the `postgres` OS user, port
5433-5439, fsync off), migrates and seeds it, and serves it with gunicorn (2 gthread workers x 4 threads).
Eight staff members keep reporting progress on their own targets (re-reading the version after a 409 or a 503)
while the fault happens. Then:
- every answer is 201/409/503 (503 with the Chinese message and Retry-After), never a 500, never a hang;
- nothing is half written: per target, version - 1 == progress rows == progress events, and every 201 is there;
- the service resumes: once PostgreSQL accepts connections again, no request fails (persistent connections are
  health-checked, not reused dead), and every writer succeeds again.
Runs wherever the PostgreSQL server binaries are installed; mandatory under CI=true.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from config.middleware import MESSAGE
from tests.conftest import require_service
from tests.integration.servers import (
    ROOT,
    Gunicorn,
    PrivateCluster,
    Reply,
    call,
    postgres_bin,
    server_env,
    version_of,
)

pytestmark = [pytest.mark.integration]

WRITERS = 8
DATABASE = "duban"


def _can_run_postgres() -> bool:
    if postgres_bin() is None or shutil.which("runuser") is None:
        return False
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return os.geteuid() != 0
    return True


@pytest.fixture(scope="module")
def cluster():
    require_service(_can_run_postgres(), "PostgreSQL server binaries (initdb, pg_ctl) and a postgres OS user")
    with PrivateCluster(postgres_bin()) as private:
        yield private


@pytest.fixture(scope="module")
def town(cluster) -> dict:
    cluster.create_database(DATABASE)
    seed = ["seed", "--targets", str(WRITERS), "--writers", str(WRITERS)]
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.servers", *seed],
        cwd=ROOT,
        env=server_env(cluster.url(DATABASE)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def server(cluster, town, tmp_path_factory):
    with Gunicorn(server_env(cluster.url(DATABASE)), tmp_path_factory.mktemp("gunicorn"), threads=4) as running:
        yield running


@dataclass
class Writer:
    """One staff member reporting progress on their own target until told to stop."""

    port: int
    token: str
    target: int
    posts: list[Reply] = field(default_factory=list)
    reads: list[Reply] = field(default_factory=list)
    cut: list[tuple[float, str]] = field(default_factory=list)  # requests that got no HTTP answer at all

    def run(self, stop: threading.Event) -> None:
        version = self.read()
        while not stop.is_set():
            try:
                reply = call(
                    self.port,
                    "POST",
                    f"/api/targets/{self.target}/progress/",
                    token=self.token,
                    body={"value": len(self.posts), "note": "压力测试", "confirm": True},  # a counter, not a figure
                    headers={"If-Match": str(version)},
                    timeout=10,
                )
            except (OSError, http.client.HTTPException) as error:
                self.cut.append((time.monotonic(), repr(error)))
                version = self.read() or version
                continue
            self.posts.append(reply)
            # After a 409 (a write this writer did not see answered) or a 503, read the version again.
            version = version_of(reply) if reply.status == 201 else (self.read() or version)
            time.sleep(0.02)

    def read(self) -> int | None:
        try:
            reply = call(self.port, "GET", f"/api/targets/{self.target}/", token=self.token, timeout=10)
        except (OSError, http.client.HTTPException) as error:
            self.cut.append((time.monotonic(), repr(error)))
            return None
        self.reads.append(reply)
        return version_of(reply) if reply.status == 200 else None


def _wrote_since(writers: list[Writer], since: float) -> bool:
    return all(any(r.status == 201 and r.started > since for r in w.posts) for w in writers)


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.1)


def _load_while(server: Gunicorn, town: dict, fault) -> tuple[list[Writer], dict[str, float]]:
    """Run the writers; once each has written, call `fault()`, which returns its moments, "resumed" among them
    (from then on the service must work); stop once each has written again since then (and 2 s have passed)."""
    writers = [Writer(server.port, town["tokens"][i], town["targets"][i]) for i in range(WRITERS)]
    stop = threading.Event()
    with ThreadPoolExecutor(WRITERS) as pool:
        running = [pool.submit(w.run, stop) for w in writers]
        try:
            started = time.monotonic()
            _wait_for(lambda: _wrote_since(writers, started), 30, "write by every writer before the fault")
            marks = fault()
            time.sleep(2)
            _wait_for(lambda: _wrote_since(writers, marks["resumed"]), 30, "write by every writer after the fault")
        finally:
            stop.set()
        for future in running:
            future.result(timeout=60)
    return writers, marks


def _assert_nothing_half_written(cluster: PrivateCluster, writers: list[Writer]) -> dict[str, int]:
    per_target = cluster.rows(
        DATABASE,
        """SELECT t.id, t.version,
                  (SELECT COUNT(*) FROM targets_progressupdate p WHERE p.target_id = t.id),
                  (SELECT COUNT(*) FROM targets_targetevent e WHERE e.target_id = t.id AND e.kind = 'progress')
           FROM targets_target t ORDER BY t.id""",
    )
    assert len(per_target) == WRITERS
    for target, version, updates, events in per_target:
        assert version - 1 == updates == events, (target, version, updates, events)
    stored = {row[0] for row in cluster.rows(DATABASE, "SELECT id FROM targets_progressupdate")}
    accepted = {r.body["id"] for w in writers for r in w.posts if r.status == 201}
    assert accepted <= stored  # every 201 is in the history
    return {"stored": len(stored), "accepted": len(accepted)}


def test_postgres_restarted_under_load_answers_503_writes_nothing_half_and_resumes(cluster, server, town):
    def restart() -> dict[str, float]:
        down = time.monotonic()
        cluster.stop("fast")  # what a restart does: every open connection is cut
        time.sleep(2)  # stay down long enough for every writer to meet the outage
        cluster.start()  # returns once PostgreSQL accepts connections
        return {"down": down, "resumed": time.monotonic()}

    before = _assert_nothing_half_written(cluster, [])
    writers, marks = _load_while(server, town, restart)
    down, up = marks["down"], marks["resumed"]

    posts = [r for w in writers for r in w.posts]
    reads = [r for w in writers for r in w.reads]
    assert not [c for w in writers for c in w.cut], "every request got an HTTP answer"
    assert set(Counter(r.status for r in posts)) <= {201, 409, 503}, Counter(r.status for r in posts)
    assert set(Counter(r.status for r in reads)) <= {200, 503}, Counter(r.status for r in reads)
    unavailable = [r for r in posts + reads if r.status == 503]
    assert unavailable, "the outage was seen"
    assert all(r.body == {"error": MESSAGE} and r.headers["Retry-After"] for r in unavailable)
    assert max(r.finished - r.started for r in posts + reads) < 10  # nobody hung on the dead database
    assert all(r.started < up for r in unavailable), "requests sent after PostgreSQL was back must not fail"
    assert _wrote_since(writers, up)  # everyone resumed

    counts = _assert_nothing_half_written(cluster, writers)
    committed_unanswered = counts["stored"] - before["stored"] - counts["accepted"]
    posts_503 = sum(r.status == 503 for r in posts)
    assert 0 <= committed_unanswered <= posts_503  # a 503 can only hide a commit whose answer was lost
    recovery = min(r.finished for r in posts if r.status == 201 and r.started > up) - up
    statuses = Counter(r.status for r in posts + reads)
    print(
        f"\nPostgreSQL restart: {len(posts) + len(reads)} requests {dict(sorted(statuses.items()))}, "
        f"down {up - down:.1f} s, first write {recovery * 1000:.0f} ms after it was back, "
        f"{committed_unanswered} committed writes answered 503"
    )


def test_gunicorn_worker_killed_mid_request_writes_nothing_half_and_is_replaced(cluster, server, town):
    def kill_a_worker() -> dict[str, float]:
        victim = server.worker_pids()[0]
        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)  # mid-request for whichever requests that worker's threads were serving
        return {"killed": killed, "resumed": killed + 2, "victim": victim}

    before = _assert_nothing_half_written(cluster, [])
    writers, marks = _load_while(server, town, kill_a_worker)

    posts = [r for w in writers for r in w.posts]
    assert set(Counter(r.status for r in posts)) <= {201, 409}, Counter(r.status for r in posts)
    cut = [c for w in writers for c in w.cut]
    # Only requests in flight on the killed worker lose their connection, and only at the moment of the kill.
    assert all(marks["killed"] < at < marks["resumed"] for at, _ in cut), cut
    assert _wrote_since(writers, marks["resumed"])  # every writer goes on
    workers = server.worker_pids()
    assert len(workers) == 2 and marks["victim"] not in workers  # the master started a replacement

    counts = _assert_nothing_half_written(cluster, writers)
    committed_unanswered = counts["stored"] - before["stored"] - counts["accepted"]
    assert 0 <= committed_unanswered <= len(cut)  # a cut request may have committed just before the kill
    print(
        f"\ngunicorn worker SIGKILL: {len(posts)} writes {dict(Counter(r.status for r in posts))}, "
        f"{len(cut)} requests cut, {committed_unanswered} of them committed"
    )


def test_postgres_restarted_while_idle_costs_no_request(cluster, server, town):
    """Every gunicorn thread holds a persistent connection that the restart kills while nobody is asking: the
    health check finds each dead one before use, so not even the first request after the restart fails."""

    def burst() -> Counter:
        def ask(i: int) -> int:
            return call(
                server.port, "GET", f"/api/targets/{town['targets'][i % WRITERS]}/", token=town["tokens"][i % WRITERS]
            ).status

        with ThreadPoolExecutor(WRITERS * 2) as pool:
            return Counter(pool.map(ask, range(WRITERS * 6), timeout=60))

    assert burst() == {200: WRITERS * 6}  # every thread of both workers now holds a connection
    cluster.stop("fast")
    cluster.start()
    assert burst() == {200: WRITERS * 6}
