"""`seed_bench` at a tiny scale: the counts it promises, idempotence, reset, and a board with every colour."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

DAY = date(2025, 6, 16)  # a Monday, mid-year: every profile has room on both sides


def seed(*extra: str) -> dict:
    out = StringIO()
    call_command(
        "seed_bench",
        "--orgs=2",
        "--targets-per-org=20",
        "--updates-per-target=3",
        f"--today={DAY.isoformat()}",
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_seed_makes_the_promised_rows_and_a_second_run_adds_none():
    first = seed()
    assert first["seeded"] is True
    expected = {
        "organisations": 2,
        "departments": 20,
        "users": 2 * 30 + 2,  # 30 per town, plus the district supervisor and administrator
        "targets": 40,
        "progress_updates": 40 * 3,
        "events": 40 * (1 + 3),  # one "created" and one per update
    }
    assert {k: first[k] for k in expected} == expected
    assert first["milestones"] >= 40

    second = seed()
    assert second["seeded"] is False
    assert {k: second[k] for k in expected} == expected


@pytest.mark.django_db
def test_reset_replaces_the_bench_data_and_nothing_else(alice, org):
    from django.contrib.auth import get_user_model

    from targets.models import Organisation, Target

    seed()
    before = (get_user_model().objects.count(), Target.objects.count(), Organisation.objects.count())
    again = seed("--reset")
    assert again["seeded"] is True
    assert again["targets"] == 40
    after = (get_user_model().objects.count(), Target.objects.count(), Organisation.objects.count())
    assert after == before
    assert get_user_model().objects.filter(pk=alice.pk).exists()
    assert Organisation.objects.filter(pk=org.pk).exists()


@pytest.mark.django_db
def test_the_district_board_shows_every_colour_on_the_day():
    from django.contrib.auth import get_user_model

    from targets import selectors
    from targets.bench_seed import DISTRICT_SUPERVISOR, town_user
    from targets.health import target_health

    seed()
    district = get_user_model().objects.get(username=DISTRICT_SUPERVISOR)
    town = get_user_model().objects.get(username=town_user(0, "sup1"))
    assert selectors.targets_visible(user=district).count() == 40
    assert selectors.targets_visible(user=town).count() == 20

    colours = Counter(target_health(t, on=DAY) for t in selectors.targets_for_user(user=district))
    assert set(colours) == {"overdue", "at_risk", "due_soon", "on_track", None}
    assert colours["on_track"] > colours["overdue"] > 0


@pytest.mark.django_db
def test_a_seeded_staff_token_records_progress_as_the_write_bench_does(client):
    """The request `bench/write_throughput.py` sends: a fresh target's version and its lead department's staff."""
    from rest_framework.authtoken.models import Token

    from targets.models import Membership, ProgressUpdate, Target

    seed()
    target = Target.objects.filter(lifecycle="in_progress").order_by("pk").first()
    staff = Membership.objects.filter(department=target.lead_department, role="staff").first().user
    response = client.post(
        f"/api/targets/{target.pk}/progress/",
        {"percent": 60, "note": "压测填报", "version": target.version},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=staff).key}",
    )
    assert response.status_code == 201, response.content
    assert ProgressUpdate.objects.filter(target=target).count() == 4
