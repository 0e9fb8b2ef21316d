"""The supervisor's weekly digest ranks the town's departments (a district's supervisor: its towns) by 按期完成率,
with overdue counts and the change against 7 days earlier: the board's figures (tests/rankings_world.py)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from rankings_world import EXPECTED, EXPECTED_TOWNS, NEIGHBOUR, ON, build

from targets.models import Membership, Organisation

pytestmark = pytest.mark.django_db


class _Null:
    def write(self, _text: str) -> None:
        pass


def digest_to(frozen, address: str):
    with frozen(ON):
        call_command("send_digests", stdout=_Null())
    return next(m for m in mail.outbox if m.to == [address])


def ranking_lines(text: str) -> list[tuple]:
    found = re.findall(
        r"第 (\d+)/(\d+) 名 (\S+)：按期完成率 ([\d.]+)%，逾期 (\d+)，共 \d+，较2026年11月30日 (\S+)", text
    )
    return [(name, int(rank), float(rate), int(overdue), change) for rank, _of, name, rate, overdue, change in found]


def test_town_supervisor_digest_ranks_departments(org, sam, alice, frozen):
    build(org)
    message = digest_to(frozen, "sam@example.org")
    expected = [(name, rank, rate, overdue, change) for name, rank, rate, overdue, _r, _b, change in EXPECTED]
    assert ranking_lines(message.body) == expected
    assert "2026年按期完成率排名" in message.body
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    assert '<table class="rankings"' in html and '<td>经济发展办</td><td align="right">75.0%</td>' in html
    assert "↓1名，-25.0个百分点" in html
    # Staff get no ranking.
    assert "按期完成率排名" not in digest_to(frozen, "alice@example.org").body


def test_district_supervisor_digest_ranks_towns(org, frozen):
    from django.contrib.auth import get_user_model

    district = Organisation.objects.create(name="测试区", level="district")
    neighbour = Organisation.objects.create(name="邻镇", parent=district)
    Organisation.objects.filter(pk=org.pk).update(parent=district)
    build(org)
    build(neighbour, NEIGHBOUR)
    dora = get_user_model().objects.create_user(username="dora", password="pw-dora", email="dora@example.org")
    Membership.objects.create(user=dora, organisation=district, role="supervisor")
    body = digest_to(frozen, "dora@example.org").body
    expected = [(name, rank, rate, overdue, change) for name, rank, rate, overdue, _r, _b, change in EXPECTED_TOWNS]
    assert ranking_lines(body) == expected
