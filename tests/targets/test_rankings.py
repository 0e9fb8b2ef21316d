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


def test_district_board_ranks_towns_and_departments(org, client):
    """A district supervisor's board: the towns ranked above the department table, the same figures."""
    import re

    import time_machine
    from django.contrib.auth import get_user_model

    from targets.models import Membership

    district = Organisation.objects.create(name="测试区", level="district")
    neighbour = Organisation.objects.create(name="邻镇", parent=district)
    Organisation.objects.filter(pk=org.pk).update(parent=district)
    build(org)
    build(neighbour, NEIGHBOUR)
    dora = get_user_model().objects.create_user(username="dora", password="pw-dora")
    Membership.objects.create(user=dora, organisation=district, role="supervisor")
    client.force_login(dora)
    with time_machine.travel("2026-12-07 10:00 +0800", tick=False):
        html = client.get("/").content.decode()
    towns = html.split('class="board-table cards town-rankings"')[1].split("</table>")[0]
    rows = re.findall(
        r'data-label="排名">(\d+)/2</td><td class="dept-name"><strong>(\S+)</strong></td>'
        r'<td class="num rank-rate" data-label="按期完成率">([\d.]+)%</td><td class="num" data-label="逾期">(\d+)</td>'
        r'.*?data-label="变化">(\S+)</td>',
        towns,
    )
    assert [(name, int(rank), float(rate), int(overdue), change) for rank, name, rate, overdue, change in rows] == [
        (name, rank, rate, overdue, change) for name, rank, rate, overdue, _r, _b, change in EXPECTED_TOWNS
    ]
    # Departments are ranked across the district (5 of them with targets this year).
    assert html.count('data-label="排名">') - len(rows) == 5
    assert "较11月30日" in html
