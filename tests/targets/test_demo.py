"""The demo command on the real samples: accounts, targets, a board with every colour, idempotent."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reports.models import Commitment, Reconciliation, Report
from targets.health import HEALTH_LABELS, days_overdue, health_from_rank
from targets.models import Membership, ProgressUpdate, Target, TargetEvent
from targets.selectors import targets_for_user, with_health

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple:
    return tuple(
        model.objects.count()
        for model in (Report, Commitment, Target, ProgressUpdate, TargetEvent, Membership, get_user_model())
    )


def test_demo_builds_a_live_board_and_is_idempotent():
    first = json.loads(run("--json", "--password", "pw-demo-1"))
    before = counts()
    assert json.loads(run("--json", "--password", "pw-demo-1")) == first
    assert counts() == before

    assert all(set(a) == {"username", "password", "role", "organisation", "department"} for a in first)
    assert {a["password"] for a in first} == {"pw-demo-1"}
    assert {a["organisation"] for a in first if a["role"] != "superuser"} == {"长征镇", "高行镇", "庙行镇", "新泾镇"}
    staff = [a for a in first if a["role"] == "staff"]
    assert staff and all(a["department"] for a in staff)
    assert {a["role"] for a in first} >= {"admin", "supervisor", "staff"}
    assert len({a["username"] for a in first}) == len(first)

    # 000 and the demo review stay in review; the others are accepted into targets with departments.
    in_review = Report.objects.filter(original_name__startswith="000_") | Report.objects.filter(
        original_name__startswith="changzheng_review_"
    )
    assert in_review.count() == 2
    assert not Commitment.objects.filter(report__in=in_review).exclude(status="proposed").exists()
    assert not Commitment.objects.filter(status="proposed").exclude(report__in=in_review).exists()
    assert all("演示数据" in r.title and r.text.startswith("【演示数据】") for r in Report.objects.all())
    assert Target.objects.filter(lead_department__isnull=True).count() == 0

    # Today's board shows every health colour, signed-off targets and history.
    board = with_health(targets_for_user(user=get_user_model().objects.get(username="admin")), on=timezone.localdate())
    assert {health_from_rank(rank) for rank in board.values_list("health_rank", flat=True)} >= set(HEALTH_LABELS)
    assert Target.objects.filter(lifecycle="signed_off").exists()
    assert TargetEvent.objects.filter(kind="extension").exists()

    # A staff account logs in with the printed password and sees its department's targets first.
    account = next(a for a in staff if Target.objects.filter(lead_department__name=a["department"]).exists())
    user = get_user_model().objects.get(username=account["username"])
    assert user.check_password("pw-demo-1")
    mine = targets_for_user(user=user).first()
    assert mine.lead_department.name == account["department"]


def test_demo_table_output_lists_the_same_accounts():
    table = run("--password", "pw-demo-2")
    accounts = json.loads(run("--json", "--password", "pw-demo-2"))
    lines = table.splitlines()
    assert lines[0].split() == ["用户名", "密码", "角色", "组织", "部门"]
    for account in accounts:
        assert any(line.split()[:2] == [account["username"], "pw-demo-2"] for line in lines)
    assert "\x1b" not in table and "it/s" not in table  # no progress bar when not a terminal


# The day the issue was filed (a board of "逾期 1159 天"), a mid-year day, and the first working days of a year.
@pytest.mark.parametrize("today", ["2026-12-02", "2027-07-15", "2028-01-10"])
def test_demo_lives_in_today(today):
    """On any day: this year's targets with a believable spread of health (a few overdue by days or weeks, most
    on track), last year's 年终核对 proposed from an imported review, no request or overdue from years ago."""
    with time_machine.travel(f"{today} 09:00 +0800", tick=False):
        run("--json", "--password", "pw-demo-3")
        on = timezone.localdate()
        admin = get_user_model().objects.get(username="admin")
        board = list(with_health(targets_for_user(user=admin), on=on))
        for target in board:
            target.health = health_from_rank(target.health_rank)
        this_year = [t for t in board if t.plan_year == on.year]
        assert len(this_year) >= 60
        assert {t.plan_year for t in board} == {on.year, on.year - 1}
        open_ = [t for t in board if t.health]
        overdue = [t for t in open_ if t.health == "overdue"]
        days = [days_overdue(t, on=on) for t in overdue]
        if on.month > 3:
            assert overdue and max(days) <= 120, days  # days or weeks, never years
            assert sum(t.health == "on_track" for t in open_) > len(open_) / 2
            assert len(overdue) < len(open_) / 5
        # Requests waiting for a supervisor were made within the last weeks, not years ago.
        pending = Target.objects.filter(lifecycle__in=["extension_requested", "signoff_requested"])
        assert pending.exists()
        for target in pending:
            asked = target.events.filter(kind="lifecycle").latest("created_at").created_at
            assert (on - timezone.localdate(asked)).days <= 400

        # Last year's 年终核对: proposals from the imported demo review, waiting for confirmation.
        rows = Reconciliation.objects.filter(target__organisation__name="长征镇", year=on.year - 1)
        verdicts = {r.proposed_verdict for r in rows}
        assert rows.count() >= 20 and not rows.filter(confirmed_at__isnull=False).exists()
        assert {"met", "no_evidence"} <= verdicts and len(verdicts) >= 3
