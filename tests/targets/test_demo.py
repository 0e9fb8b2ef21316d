"""The demo command on the real samples: accounts, targets, a board with every colour, idempotent."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reports.models import Commitment, Report
from targets.health import HEALTH_LABELS
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

    # 000 stays in review; the others are accepted into targets with departments.
    report_000 = Report.objects.get(original_name__startswith="000_")
    assert report_000.commitments.exclude(status="proposed").count() == 0
    assert not Commitment.objects.filter(status="proposed").exclude(report=report_000).exists()
    assert Target.objects.filter(lead_department__isnull=True).count() == 0

    # Today's board shows every health colour, signed-off targets and history.
    board = with_health(targets_for_user(user=get_user_model().objects.get(username="admin")), on=timezone.localdate())
    assert {t.health for t in board} >= set(HEALTH_LABELS)
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
