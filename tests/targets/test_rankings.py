"""按期完成率, overdue counts, ranks (ties share a rank) and the change against `COMPARE_DAYS` days earlier, on a town
worked out by hand (tests/rankings_world.py); the 督查通报 ranks by the same rule; a district ranks its towns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rankings_world import BEFORE, EXPECTED, EXPECTED_TOWNS, NEIGHBOUR, ON, build

from targets import rankings
from targets.documents.bulletin_data import bulletin_facts
from targets.documents.periods import parse_period
from targets.models import Organisation, Target

pytestmark = pytest.mark.django_db


def figures(units: list[rankings.Ranking]) -> list[tuple]:
    return [
        (u.name, u.now.rank, u.now.rate, u.now.overdue, u.before.rank, u.before.rate, u.change_label) for u in units
    ]


def test_department_rates_ranks_ties_and_change(org):
    targets = build(org)
    # The stored health dates the counts read: overdue from the day after the due date (none missed a milestone).
    assert all(
        t.overdue_from == t.due_date + timedelta(days=1) for t in Target.objects.filter(pk__in=[t.pk for t in targets])
    )
    assert rankings.compare_date(ON) == BEFORE
    units = rankings.unit_rankings(Target.objects.filter(organisation=org), on=ON)
    assert figures(units) == EXPECTED
    assert {u.of for u in units} == {4}
    assert [u.now.total for u in units] == [1, 4, 4, 2]  # the cancelled target is not counted; the signed-off one is


def test_district_ranks_its_towns(org):
    district = Organisation.objects.create(name="测试区", level="district")
    neighbour = Organisation.objects.create(name="邻镇", parent=district)
    Organisation.objects.filter(pk=org.pk).update(parent=district)
    build(org)
    build(neighbour, NEIGHBOUR)
    scope = Target.objects.filter(organisation__in=[district, org, neighbour])
    assert figures(rankings.unit_rankings(scope, on=ON, by_organisation=True)) == EXPECTED_TOWNS


def test_bulletin_ranks_by_the_same_rule(org):
    build(org)
    facts = bulletin_facts(organisation=org, period=parse_period("2026-12"), today=ON)
    shared = rankings.unit_rankings(Target.objects.filter(organisation=org, plan_year=2026), on=ON)
    assert [(u.name, u.rank, u.rate, u.overdue, u.total) for u in facts.units] == [
        (u.name, u.now.rank, u.now.rate, u.now.overdue, u.now.total) for u in shared
    ]


@pytest.mark.parametrize("day", [date(2026, 11, 1), BEFORE, ON, date(2027, 1, 15)])
def test_the_change_is_the_difference_of_two_days_rankings(org, day):
    """The comparison figures are exactly the ranking computed on the comparison day itself."""
    build(org)
    targets = Target.objects.filter(organisation=org)
    then = {u.name: (u.now.rank, u.now.rate) for u in rankings.unit_rankings(targets, on=rankings.compare_date(day))}
    for unit in rankings.unit_rankings(targets, on=day):
        assert (unit.before.rank, unit.before.rate) == then[unit.name]
        assert unit.rank_change == then[unit.name][0] - unit.now.rank
