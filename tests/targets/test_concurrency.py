"""50 concurrent writers on one target over the real PostgreSQL, through the API.

Every accepted update is in the history, every refused one got 409 and changed nothing, and the final
figure is the last accepted one. Runs when DATABASE_URL points at PostgreSQL (mandatory under CI=true).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from targets.models import ProgressUpdate, Target, TargetEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WRITERS = 50


def test_fifty_concurrent_writers(require_postgres, make_target, dept_econ, alice):
    target = make_target(lead_department=dept_econ)
    barrier = threading.Barrier(WRITERS)
    results: dict[float, tuple[int, dict]] = {}
    lock = threading.Lock()

    def write(value: float) -> None:
        try:
            api = APIClient()
            api.force_authenticate(alice)
            etag = api.get(f"/api/targets/{target.pk}/")["ETag"]  # what this writer saw
            barrier.wait(timeout=60)
            response = api.post(
                f"/api/targets/{target.pk}/progress/",
                {"value": value, "confirm": True},  # racing figures: the plausibility check is not under test
                format="json",
                HTTP_IF_MATCH=etag,
            )
            with lock:
                results[value] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(float(1000 + i),)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == WRITERS
    accepted = {v for v, (code, _) in results.items() if code == 201}
    refused = {v for v, (code, _) in results.items() if code != 201}
    assert len(accepted) == 1  # all read version 1 before the barrier: exactly one may win
    assert all(results[v][0] == 409 and "已被他人更新" in results[v][1]["error"] for v in refused)
    stored = set(ProgressUpdate.objects.filter(target=target).values_list("value", flat=True))
    assert stored == accepted  # every accepted update is kept, no refused one slipped in
    events = TargetEvent.objects.filter(target=target, kind="progress").order_by("after__version")
    assert {e.after["value"] for e in events} == accepted
    final = Target.objects.get(pk=target.pk)
    assert final.version == 1 + len(accepted)
    last = max(events, key=lambda e: e.after["version"])
    latest = ProgressUpdate.objects.filter(target=target).latest("created_at", "id")
    assert latest.value == last.after["value"]  # the final figure is the last accepted one
