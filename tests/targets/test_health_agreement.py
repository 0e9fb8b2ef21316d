"""One rule, everywhere: for random targets, plans, updates and days, the board, the list and overdue APIs, the
target page and the weekly digest agree on every target's health and on the overdue order, and all of them
agree with a day-by-day reading of the rule written out here (the reference), computed from the target's rows
reloaded in full."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from targets_testdata import SHANGHAI, at

from notifications.digests import Board
from notifications.workdays import working_days_between
from targets import selectors, services
from targets.health import (
    AT_RISK,
    CLOSED,
    DUE_SOON,
    FAR_PAST,
    NEVER,
    ON_TRACK,
    OVERDUE,
    Figure,
    HealthFacts,
    PlanNode,
    health_dates,
    health_from_rank,
    local_date,
    planned_percent,
    progress_percent,
)
from targets.health_facts import facts_of
from targets.models import Membership, Milestone, ProgressUpdate, Target

DAY = timedelta(days=1)
DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2024, 2, 28))
PERCENT = st.one_of(st.none(), st.sampled_from([0, 10, 25, 50, 75, 90, 99.5, 100, 120]))
MILESTONE = st.fixed_dictionaries(
    {
        "due_date": DAYS,
        "expected_percent": PERCENT,
        "expected_value": st.one_of(st.none(), st.sampled_from([0, 50, 100, 250, 400])),
        "done": st.booleans(),
        "cancelled": st.booleans(),
    }
)
UPDATE = st.fixed_dictionaries(
    {
        "day": DAYS,
        "value": st.one_of(st.none(), st.sampled_from([0, 50, 99, 100, 150, 400, 500])),
        "percent": PERCENT,
    }
)
TARGET = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["quantitative", "deliverable", "condition"]),
        "comparator": st.sampled_from(["=", ">=", "<="]),
        "relation": st.sampled_from(["absolute", "growth"]),
        "target_value": st.one_of(st.none(), st.sampled_from([100, 400])),
        "due_date": DAYS,
        "created": DAYS,
        "lifecycle": st.sampled_from(["in_progress", "in_progress", "not_started", "signed_off", "cancelled"]),
        "milestones": st.lists(MILESTONE, max_size=4),
        "updates": st.lists(UPDATE, max_size=3),
    }
)


# --- the reference: the rule read day by day, as DESIGN.md states it ----------------------------------------------


def reference(facts: HealthFacts, lifecycle: str, on: date) -> str | None:
    if lifecycle in CLOSED:
        return None
    margin = django_settings.TARGET_AT_RISK_MARGIN_PERCENT
    progress = progress_percent(facts)
    latest = facts.latest
    if facts.kind == "condition":
        breached = latest is not None and latest.percent is not None and latest.percent < 100
        return OVERDUE if breached and on >= local_date(latest.created_at) else ON_TRACK
    if facts.kind == "quantitative" and facts.comparator == "<=":
        return _reference_ceiling(facts, on, margin)
    if (progress is not None and progress >= 100) or (facts.plan and all(m.done_on for m in facts.plan)):
        return ON_TRACK
    met = [m for m in facts.plan if m.done_on or (progress is not None and m.expected_percent is not None
                                                   and progress >= m.expected_percent)]  # fmt: skip
    deadline = min([facts.due_date, *(m.due_date for m in facts.plan if m not in met)])
    if on > deadline:
        return OVERDUE
    if planned_percent(facts, milestones=facts.plan, on=on) - (progress or 0) > margin or _stale(facts, on):
        return AT_RISK
    if working_days_between(on, deadline) <= django_settings.TARGET_DUE_SOON_WORKING_DAYS:
        return DUE_SOON
    return ON_TRACK


def _reference_ceiling(facts: HealthFacts, on: date, margin: float) -> str:
    latest, cap = facts.latest, facts.target_value
    cumulative = facts.relation != "growth" and any(m.expected_value is not None for m in facts.plan)

    def figure_and_cap(day: date) -> tuple[float | None, float | None]:
        if latest is None:
            return None, cap
        if latest.value is not None and cap is not None:
            planned = cap * planned_percent(facts, milestones=facts.plan, on=day) / 100 if cumulative else None
            return latest.value, planned or cap
        if latest.percent is not None:
            return latest.percent, 100.0
        return None, cap

    if on > facts.due_date:
        figure, final = figure_and_cap(date.max)
        return OVERDUE if figure is not None and final is not None and figure > final else ON_TRACK
    if latest is not None and on >= local_date(latest.created_at):
        figure, held_to = figure_and_cap(local_date(latest.created_at))
        if figure is not None and held_to is not None and figure > held_to * (1 + margin / 100) and figure > held_to:
            return AT_RISK
    if _stale(facts, on):
        return AT_RISK
    if working_days_between(on, facts.due_date) <= django_settings.TARGET_DUE_SOON_WORKING_DAYS:
        return DUE_SOON
    return ON_TRACK


def _stale(facts: HealthFacts, on: date) -> bool:
    since = max(date(facts.plan_year, 1, 1), facts.created_on)
    if facts.latest is not None:
        since = max(since, local_date(facts.latest.created_at))
    since = max([since, *(m.done_on for m in facts.plan if m.done_on)])
    return (on - since).days > django_settings.TARGET_STALE_DAYS


def rule_dates(row: dict) -> list[date]:
    return [
        row[name] for name in ("overdue_from", "at_risk_from", "stale_from", "deadline") if FAR_PAST < row[name] < NEVER
    ]


def reloaded_facts(pk: int) -> HealthFacts:
    """The facts from the target page's own full load (all updates, the plan), not the services' loader."""
    target = selectors.target_detail(pk=pk)
    updates = list(target.updates.all())
    latest = max(updates, key=lambda u: (u.created_at, u.pk)) if updates else None
    plan = [
        PlanNode(m.pk, m.due_date, m.expected_percent, m.expected_value, m.done_on) for m in target.milestones.all()
    ]
    return facts_of(
        target, plan=plan, latest=Figure(latest.created_at, latest.value, latest.percent) if latest else None
    )


# --- the property ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(TARGET, min_size=1, max_size=5), days=st.lists(DAYS, min_size=1, max_size=2))
def test_board_api_page_and_digest_agree_with_the_rule(org, sam, specs, days):
    with transaction.atomic():
        ids = [_write(org, sam, spec).pk for spec in specs]
        services.refresh_health_basis(ids)  # the bulk path; every service's own call is tested in test_health_dates
        facts = {pk: reloaded_facts(pk) for pk in ids}
        lifecycles = dict(Target.objects.filter(pk__in=ids).values_list("pk", "lifecycle"))
        stored = {t["id"]: t for t in Target.objects.filter(pk__in=ids).values()}
        for pk in ids:  # the stored dates are the rule's, from the rows as the target page reads them
            assert {k: stored[pk][k] for k in health_dates(facts[pk]).as_fields()} == health_dates(
                facts[pk]
            ).as_fields()
        # Every day a stored date names, and the day before: the edges where one day of error would show.
        edges = {d + shift for t in stored.values() for d in rule_dates(t) for shift in (timedelta(0), -DAY)}
        for on in sorted(edges):
            ranks = selectors.with_health(Target.objects.filter(pk__in=ids), on=on).values_list("pk", "health_rank")
            found = {pk: health_from_rank(rank) for pk, rank in ranks}
            assert found == {pk: reference(facts[pk], lifecycles[pk], on) for pk in ids}, on
        client = Client()
        client.force_login(sam)
        for on in [*days, date(2022, 12, 31), date(2024, 6, 1)]:
            expected = {pk: reference(facts[pk], lifecycles[pk], on) for pk in ids}
            overdue_order = sorted(
                (pk for pk in ids if expected[pk] == OVERDUE),
                key=lambda pk: (stored[pk]["overdue_from"], stored[pk]["due_date"], pk),
            )
            with time_machine.travel(at(on.year, on.month, on.day).astimezone(SHANGHAI), tick=False):
                _check_everywhere(client, sam, org, on, ids, expected, overdue_order)
        transaction.set_rollback(True)


def _check_everywhere(client, sam, org, on, ids, expected, overdue_order) -> None:
    # The board page: every row's health, the overdue rows first and longest overdue first, and the counts.
    response = client.get("/")
    rows = list(response.context["targets"])
    assert {t.pk: t.health for t in rows} == expected, on
    assert [t.pk for t in rows if t.health == OVERDUE] == overdue_order, on
    chips = {key: count for key, _label, count, _query in response.context["counts"]}
    assert chips == {key: sum(1 for h in expected.values() if h == key) for key in chips}, on
    # The list API (every row) and the overdue API (its order).
    listed = client.get("/api/targets/").json()["results"]
    assert {row["id"]: row["health"] for row in listed} == expected, on
    assert [row["id"] for row in client.get("/api/targets/overdue/").json()["results"]] == overdue_order, on
    for health in (OVERDUE, AT_RISK, DUE_SOON, ON_TRACK):
        filtered = client.get(f"/api/targets/?health={health}").json()["results"]
        assert {row["id"] for row in filtered} == {pk for pk in ids if expected[pk] == health}, (on, health)
    # Each target's page.
    for pk in ids:
        assert client.get(f"/targets/{pk}/").context["target"].health == expected[pk], (on, pk)
    # The weekly digest's view of the same targets (open ones only).
    board = Board(on=on, memberships={sam.pk: list(Membership.objects.filter(user=sam))})
    assert {pk: s["health"] for pk, s in board.summaries.items()} == {
        pk: health for pk, health in expected.items() if health is not None
    }, on
    overview = board.organisation_overview(org.pk)
    assert overview["totals"]["overdue"] == len(overdue_order)


def _write(org, author, spec: dict) -> Target:
    target = Target.objects.create(
        organisation=org,
        title="随机任务",
        kind=spec["kind"],
        comparator=spec["comparator"],
        relation=spec["relation"],
        target_value=spec["target_value"],
        plan_year=2023,
        due_date=spec["due_date"],
        lifecycle=spec["lifecycle"],
    )
    created = spec["created"]
    Target.objects.filter(pk=target.pk).update(created_at=at(created.year, created.month, created.day))
    Milestone.all_objects.bulk_create(
        Milestone(
            target=target,
            title="节点",
            due_date=m["due_date"],
            expected_percent=m["expected_percent"],
            expected_value=m["expected_value"],
            done_on=m["due_date"] - timedelta(days=1) if m["done"] else None,
            cancelled_at=at(2023, 1, 2) if m["cancelled"] else None,
        )
        for m in spec["milestones"]
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(target=target, author=author, created_at=at(u["day"].year, u["day"].month, u["day"].day), **v)
        for u in spec["updates"]
        for v in [{"value": u["value"], "percent": u["percent"]}]
    )
    return target
