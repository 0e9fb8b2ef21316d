"""Concurrent writers through the whole production stack: HTTP clients -> gunicorn (gthread) -> Duban -> PostgreSQL.

gunicorn serves the pytest-django test database (committed rows: `transactional_db`), on a port of 8301-8309.
- 50 staff members report progress on one target at once, all from the version they read before a barrier;
  whoever is refused (409) reads again and retries until accepted. Nothing is lost or written twice: 50 history
  rows, 50 events whose versions run 2..51 without a gap or a repeat, and each success answered a distinct ETag.
- 500 staff members report progress on 500 targets, 50 requests in flight at a time, and 50 more writers post on
  every tenth target from the same version: 500 x 201 and 50 x 409, one history row and version 2 per target.
Runs when DATABASE_URL points at PostgreSQL (mandatory under CI=true).
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import require_service
from tests.integration.servers import Gunicorn, Reply, call, database_url, seed, server_env, version_of

pytestmark = [pytest.mark.integration]

CONFLICT = "已被他人更新"


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """One gunicorn for the module: it holds no state between tests (transactional_db empties the tables)."""
    from django.db import connection

    require_service(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://…)")
    env = server_env(database_url(connection.settings_dict))
    with Gunicorn(env, tmp_path_factory.mktemp("gunicorn"), workers=2, threads=8) as running:
        yield running


@pytest.fixture
def served(server, transactional_db):
    return server


def _no_server_errors(replies: list[Reply], server: Gunicorn) -> None:
    errors = [(r.status, r.body) for r in replies if r.status >= 500]
    assert not errors, f"{errors[:5]}\n{server.log_tail()}"


def test_fifty_writers_on_one_target_lose_nothing_and_write_nothing_twice(served):
    from targets.models import ProgressUpdate, Target, TargetEvent

    writers = 50
    district = seed(targets=1, writers=writers)
    [target] = district["targets"]
    barrier = threading.Barrier(writers)

    def write(i: int) -> tuple[list[Reply], list[Reply]]:
        """Read, wait for everyone, post; on 409 read again and retry. Returns (reads, posts)."""
        token = district["tokens"][i]
        seen = call(served.port, "GET", f"/api/targets/{target}/", token=token)
        reads, posts = [seen], []
        barrier.wait(timeout=60)
        for _ in range(200):
            reply = call(
                served.port,
                "POST",
                f"/api/targets/{target}/progress/",
                token=token,
                body={"value": 1000 + i, "note": f"第{i}位填报人", "confirm": True},  # figures race, not doubts
                headers={"If-Match": seen.headers.get("ETag", "")},
            )
            posts.append(reply)
            if reply.status != 409:
                break
            # Exponential backoff with full jitter: retries spread out instead of colliding again in lockstep.
            time.sleep(random.uniform(0, min(3.0, 0.1 * 2 ** len(posts))))
            seen = call(served.port, "GET", f"/api/targets/{target}/", token=token)
            reads.append(seen)
        return reads, posts

    started = time.monotonic()
    with ThreadPoolExecutor(writers) as pool:
        per_writer = list(pool.map(write, range(writers), timeout=120))
    elapsed = time.monotonic() - started

    reads = [r for rs, _ in per_writer for r in rs]
    posts = [r for _, ps in per_writer for r in ps]
    _no_server_errors(reads + posts, served)
    assert {r.status for r in reads} == {200}
    statuses = Counter(r.status for r in posts)
    assert set(statuses) <= {201, 409}, statuses
    assert all(ps[-1].status == 201 for _, ps in per_writer)  # every writer got through in the end
    assert statuses[201] == writers
    first_round = [ps[0].status for _, ps in per_writer]
    assert first_round.count(201) == 1  # all read version 1 before the barrier: exactly one may win
    assert all(CONFLICT in r.body["error"] for r in posts if r.status == 409)
    assert sorted(version_of(r) for r in posts if r.status == 201) == list(range(2, 2 + writers))

    stored = ProgressUpdate.objects.filter(target_id=target)
    assert sorted(stored.values_list("value", flat=True)) == [1000.0 + i for i in range(writers)]
    assert set(stored.values_list("id", flat=True)) == {r.body["id"] for r in posts if r.status == 201}
    events = TargetEvent.objects.filter(target_id=target, kind="progress")
    assert sorted(e.after["version"] for e in events) == list(range(2, 2 + writers))
    assert all(e.before["version"] == e.after["version"] - 1 for e in events)
    assert Target.objects.get(pk=target).version == 1 + writers
    total = len(reads) + len(posts)
    print(f"\n50 writers, one target: {total} requests ({statuses[201]} x 201, {statuses[409]} x 409), {elapsed:.1f} s")


def test_five_hundred_writers_on_five_hundred_targets_and_fifty_stale_ones(served):
    from targets.models import ProgressUpdate, Target, TargetEvent

    targets, stale = 500, 50
    district = seed(targets=targets, writers=targets)
    # One writer per target, plus a second writer on every tenth target from the same version 1: whichever of the
    # two arrives second must be refused. Shuffled, so the pairs arrive at different moments and in either order.
    jobs = [(i, 0) for i in range(targets)] + [(i, 1) for i in range(0, targets, targets // stale)]
    random.Random(6).shuffle(jobs)

    def write(job: tuple[int, int]) -> tuple[int, int, Reply]:
        i, side = job
        reply = call(
            served.port,
            "POST",
            f"/api/targets/{district['targets'][i]}/progress/",
            token=district["tokens"][i],
            body={"value": 10 * i + side, "version": 1, "confirm": True},
        )
        return i, side, reply

    started = time.monotonic()
    with ThreadPoolExecutor(50) as pool:  # 50 requests in flight at a time
        results = list(pool.map(write, jobs, timeout=180))
    elapsed = time.monotonic() - started

    replies = [reply for _i, _side, reply in results]
    _no_server_errors(replies, served)
    statuses = Counter(r.status for r in replies)
    assert statuses == {201: targets, 409: stale}, statuses
    assert all(CONFLICT in r.body["error"] for r in replies if r.status == 409)
    winners = {i: 10 * i + side for i, side, reply in results if reply.status == 201}
    assert len(winners) == targets  # exactly one winner per target

    ids = district["targets"]
    stored = list(ProgressUpdate.objects.filter(target_id__in=ids).values_list("target_id", "value"))
    assert sorted(stored) == sorted((ids[i], float(value)) for i, value in winners.items())  # once each, none lost
    assert TargetEvent.objects.filter(target_id__in=ids, kind="progress").count() == targets
    assert set(Target.objects.filter(pk__in=ids).values_list("version", flat=True)) == {2}
    latency = sorted(r.finished - r.started for r in replies)
    print(
        f"\n500 targets + 50 stale writers: {len(replies)} requests in {elapsed:.1f} s "
        f"({len(replies) / elapsed:.0f}/s), latency p50 {statistics.median(latency) * 1000:.0f} ms, "
        f"p95 {latency[int(0.95 * len(latency))] * 1000:.0f} ms"
    )
