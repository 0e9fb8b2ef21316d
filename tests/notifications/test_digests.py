"""Digests: the first working day of the week (a make-up Saturday included), content, trends, query count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.digests import digests_due
from notifications.models import Notification, NotificationPreference
from notifications.services import digests_sweep
from notifications.workdays import is_working_day
from targets import services
from targets.models import Membership, ProgressUpdate, TargetEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(make_target, frozen, dept_housing, alice, bob, sam):
    """On Saturday 7 October 2023 (make-up workday): one overdue, one due soon, one stale target in 经济发展办,
    one overdue in 房管办, and a progress event this week."""
    with frozen(date(2023, 8, 1)):
        stale = make_target(title="老旧小区改造", milestones=[("节点", date(2023, 12, 15))])
    with frozen(date(2023, 9, 20)):
        overdue = make_target(title="招商引资签约", milestones=[("签约", date(2023, 9, 28))])
        soon = make_target(title="道路改造工程", milestones=[("开工", date(2023, 10, 11))])
        housing = make_target(
            title="保障房交付", lead_department=dept_housing, milestones=[("交付", date(2023, 9, 27))]
        )
    with frozen(date(2023, 10, 5), 15):
        from django.utils import timezone

        ProgressUpdate.objects.create(target=soon, author=alice, created_at=timezone.now(), percent=20)
        TargetEvent.objects.create(
            target=soon, actor=alice, created_at=timezone.now(), kind="progress", message="填报进展：20%"
        )
        services.refresh_health_basis([soon.pk])
    return {"stale": stale, "overdue": overdue, "soon": soon, "housing": housing}


def run_days(frozen, start: date, end: date) -> list[tuple[date, str, str]]:
    sent, day = [], start
    while day <= end:
        before = len(mail.outbox)
        with frozen(day, 9, 0):
            call_command("send_digests", stdout=_Null())
        sent += [(day, m.extra_headers["X-Duban-Notification"].split(":")[0], m.to[0]) for m in mail.outbox[before:]]
        day += timedelta(days=1)
    return sent


class _Null:
    def write(self, _text: str) -> None:
        pass


def test_weekly_digest_goes_out_on_the_first_working_day_even_a_makeup_saturday(board, frozen, ada):
    NotificationPreference.objects.create(user=ada, digest="daily")
    sent = run_days(frozen, date(2023, 10, 1), date(2023, 10, 15))
    weekly = sorted((d, to) for d, kind, to in sent if kind == "weekly")
    assert weekly == [
        (date(2023, 10, 7), "alice@example.org"),
        (date(2023, 10, 7), "bob@example.org"),
        (date(2023, 10, 7), "sam@example.org"),
        (date(2023, 10, 9), "alice@example.org"),
        (date(2023, 10, 9), "bob@example.org"),
        (date(2023, 10, 9), "sam@example.org"),
    ]
    daily = [d for d, kind, to in sent if kind == "daily"]
    assert daily == [date(2023, 10, d) for d in (7, 8, 9, 10, 11, 12, 13)]  # every working day, make-ups too


def test_staff_digest_content(board, frozen, alice, settings):
    settings.SITE_URL = "https://duban.example.org"
    with frozen(date(2023, 10, 7)):
        call_command("send_digests", stdout=_Null())
    message = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    html = message.alternatives[0][0]
    assert message.subject == "【督办周报】1 项逾期，1 项本周到期，1 项超过 30 天未更新"
    text = message.body
    assert "已逾期（1 项）" in text and "招商引资签约" in text
    assert "两周内到期（1 项，本周 1 项）" in text and "2023年10月11日：道路改造工程" in text
    assert "超过 30 天未更新（1 项）" in text and "老旧小区改造" in text
    assert "填报进展：20%" in text  # what changed since last week
    assert "保障房交付" not in text  # another department's target
    for target in (board["overdue"], board["soon"], board["stale"]):
        assert f'href="https://duban.example.org/targets/{target.pk}/"' in html
    assert "https://duban.example.org/notifications/unsubscribe/" in text
    assert 'href="https://duban.example.org/notifications/preferences/"' in html


def test_supervisor_digest_by_department_with_counts_and_trends(board, frozen, sam):
    with frozen(date(2023, 10, 7)):
        call_command("send_digests", stdout=_Null())
    first = next(m for m in mail.outbox if m.to == ["sam@example.org"])
    assert first.subject == "【督办周报】测试镇 2 项逾期，1 项有风险"
    assert "经济发展办：逾期 1，有风险 1，共 3" in first.body
    assert "房管办：逾期 1，有风险 0，共 1" in first.body
    assert "[逾期] 保障房交付" in first.body and "[有风险] 老旧小区改造" in first.body

    board["overdue"].milestones.update(done_on=date(2023, 10, 8))
    services.refresh_health_basis([board["overdue"].pk])
    with frozen(date(2023, 10, 9)):
        call_command("send_digests", stdout=_Null())
    second = [m for m in mail.outbox if m.to == ["sam@example.org"]][-1]
    assert "测试镇：逾期 1 项（↓1），有风险 1 项（持平）" in second.body
    assert "经济发展办：逾期 0（↓1），有风险 1（持平）" in second.body
    assert "↓1" in second.alternatives[0][0]


def test_digest_preferences_none_and_a_second_run_send_nothing(board, frozen, alice, bob, sam):
    NotificationPreference.objects.create(user=bob, digest="none")
    with frozen(date(2023, 10, 9)):
        first = digests_sweep(on=date(2023, 10, 9))
        again = digests_sweep(on=date(2023, 10, 9))
    assert sorted(Notification.objects.values_list("email", flat=True)) == ["alice@example.org", "sam@example.org"]
    assert len(first.created_ids) == 2 and again.planned == [] and again.created_ids == []
    assert digests_sweep(on=date(2023, 10, 10)).planned == []  # not the first working day of the week


def _populate(org, prefix: str, departments: int, users_per_department: int, targets_per_department: int) -> None:
    from django.contrib.auth import get_user_model

    from targets.models import Milestone, Target

    User = get_user_model()
    for d in range(departments):
        department = org.departments.create(name=f"部门{prefix}{d}")
        for u in range(users_per_department):
            user = User.objects.create(username=f"{prefix}{d}-{u}", email=f"{prefix}{d}-{u}@example.org")
            Membership.objects.create(user=user, organisation=org, department=department, role="staff")
        targets = Target.objects.bulk_create(
            Target(
                organisation=org,
                lead_department=department,
                title=f"任务{d}-{t}",
                plan_year=2023,
                due_date=date(2023, 12, 31),
                kind="deliverable",
            )
            for t in range(targets_per_department)
        )
        Milestone.objects.bulk_create(
            Milestone(target=t, title="节点", due_date=date(2023, 9 + i, 28)) for t in targets for i in range(3)
        )
        TargetEvent.objects.bulk_create(
            TargetEvent(target=t, kind="comment", message="督办意见", created_at="2023-10-05T10:00+08:00")
            for t in targets
        )
        services.refresh_health_basis([t.pk for t in targets])


def _queries(on: date) -> int:
    is_working_day(on)  # the admin calendar entries are read once a minute per process, not per sweep
    with CaptureQueriesContext(connection) as captured:
        planned = sum(len(batch) for batch in digests_due(on=on))
    assert planned
    return len(captured)


def test_building_digests_costs_the_same_queries_for_more_users_and_targets(org, sam, django_assert_max_num_queries):
    _populate(org, "a", departments=2, users_per_department=3, targets_per_department=5)
    small = _queries(date(2023, 10, 9))
    _populate(org, "b", departments=4, users_per_department=10, targets_per_department=40)
    large = _queries(date(2023, 10, 9))
    assert small == large
    with django_assert_max_num_queries(17):  # 10 to build, the daily kind, keys, insert
        result = digests_sweep(on=date(2023, 10, 9))
    assert len(result.created_ids) == 2 * 3 + 4 * 10 + 1
