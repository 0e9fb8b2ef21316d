"""`seed_bench` at a tiny scale: the counts it promises, idempotence, reset, and a board with every colour."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

DAY = date(2025, 6, 16)  # a Monday, mid-year: every profile has room on both sides


def seed(*extra: str):
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
    return out.getvalue() if "--json" in extra else json.loads(out.getvalue())


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


# Every season, quarter ends, year end, the first days of a year, National Day and Spring Festival holidays.
SEED_DAYS = [date(2025, 1, 2), date(2025, 2, 28), date(2025, 3, 28), date(2025, 6, 16), date(2025, 9, 29),
             date(2025, 10, 3), date(2025, 12, 6), date(2025, 12, 31), date(2026, 2, 16)]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("day", SEED_DAYS, ids=str)
def test_every_colour_in_the_profiles_proportions_on_any_day(day):
    """The board of the day it was seeded shows the cycle's spread (per 20: 11 on track, 2 due soon, 3 at risk,
    3 overdue, 1 closed), counted by the same SQL the board runs."""
    from django.contrib.auth import get_user_model

    from bench.seed import DISTRICT_SUPERVISOR, PROFILES, town_user
    from targets import selectors

    call_command("seed_bench", "--orgs=2", "--targets-per-org=20", "--updates-per-target=3", f"--today={day}",
                 stdout=StringIO())  # fmt: skip
    district = get_user_model().objects.get(username=DISTRICT_SUPERVISOR)
    town = get_user_model().objects.get(username=town_user(0, "sup1"))
    assert selectors.targets_visible(user=district).count() == 40
    assert selectors.targets_visible(user=town).count() == 20
    counts = selectors.board_counts(selectors.targets_for_user(user=district), on=day)["counts"]
    expected = Counter(PROFILES * 2)
    assert counts == {
        "overdue": expected["overdue"], "at_risk": expected["at_risk"], "due_soon": expected["due_soon"],
        "on_track": expected["on_track"], None: expected["closed"],
    }  # fmt: skip


@pytest.mark.django_db
def test_json_lists_the_accounts_it_made():
    from bench.seed import PASSWORD

    accounts = json.loads(seed("--json"))
    assert len(accounts) == 2 * 30 + 2
    assert all(set(a) == {"username", "password", "role", "organisation", "department"} for a in accounts)
    assert {a["password"] for a in accounts} == {PASSWORD}
    assert {a["role"] for a in accounts} == {"admin", "supervisor", "staff"}
    assert all(a["department"] for a in accounts if a["role"] == "staff")
    assert json.loads(seed("--json")) == accounts  # a second run prints the same accounts


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
