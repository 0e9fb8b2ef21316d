"""One reminder a day, not a storm: a person's reminders of one working day come as one message listing every
item with its state; a supervisor's escalations as one message grouped by department; imported history (plan
years before last year) is not reminded unless an organisation turns it on."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.models import Notification, NotificationItem, ReminderPolicy

pytestmark = pytest.mark.django_db


class _Null:
    def write(self, _text: str) -> None:
        pass


def sweep(frozen, day: date) -> list:
    before = len(mail.outbox)
    with frozen(day, 8, 30):
        call_command("run_reminders", stdout=_Null())
    return mail.outbox[before:]


def test_a_person_gets_one_message_a_day_listing_every_item(frozen, make_target, alice, sam):
    # Three deadlines of alice's department: one due today, one 9 days late, one in five working days.
    make_target(title="老旧小区改造", milestones=[("三季度节点", date(2023, 10, 11))])
    make_target(title="口袋公园建设", milestones=[("开工", date(2023, 10, 2))])
    make_target(title="区级税收增长", milestones=[("三季度末", date(2023, 10, 18))])
    messages = sweep(frozen, date(2023, 10, 11))
    to_alice = [m for m in messages if m.to == ["alice@example.org"]]
    assert len(to_alice) == 1
    (message,) = to_alice
    summary = "已逾期 1 项，今天到期 1 项，即将到期 1 项"
    assert message.subject == f"【督办提醒】2023年10月11日您有 3 项任务需要关注：{summary}"
    body = message.body
    # Every item with its state, most urgent first; "overdue by" in calendar days, said in words.
    assert body.index("【已逾期 9 天】口袋公园建设") < body.index("【今天到期】老旧小区改造")
    assert body.index("【今天到期】老旧小区改造") < body.index("【还有 5 个工作日到期】区级税收增长")
    assert "逾期天数按自然日计" in body and "每人每个工作日最多一封" in body
    html = message.alternatives[0][0]
    assert html.count('<tr style="border-top') == 3
    notification = Notification.objects.get(recipient=alice)
    assert notification.kind == "reminders" and notification.items.count() == 3

    # The hourly re-runs of the same day send nothing more; nothing is sent twice later either.
    assert sweep(frozen, date(2023, 10, 11)) == []
    assert NotificationItem.objects.count() == 3
    next_day = sweep(frozen, date(2023, 10, 12))
    assert [m.to for m in next_day] == []  # nothing new is due on the 12th


def test_a_supervisor_gets_one_escalation_a_day_grouped_by_department(
    frozen, make_target, dept_econ, dept_housing, alice, bob, sam
):
    for title in ("老旧小区改造", "口袋公园建设"):
        make_target(title=title, lead_department=dept_housing, milestones=[("三季度节点", date(2023, 9, 28))])
    make_target(title="孵化基地建设", lead_department=dept_econ, milestones=[("三季度节点", date(2023, 9, 28))])
    # 28 September + 10 working days (the National Day holiday in between) = 19 October.
    messages = sweep(frozen, date(2023, 10, 19))
    escalations = [m for m in messages if m.to == ["sam@example.org"]]
    assert len(escalations) == 1
    (message,) = escalations
    assert message.subject == "【逾期上报】2023年10月19日2 个部门 3 项任务逾期"
    body = message.body
    assert "【房管办】2 项" in body and "【经济发展办】1 项" in body
    housing = body[body.index("【房管办】") : body.index("【经济发展办】")]
    assert "老旧小区改造" in housing and "口袋公园建设" in housing and "孵化基地建设" not in housing
    assert "已逾期 21 天" in body
    # The department staff get their own one message each, not one per item.
    assert sorted(m.to[0] for m in messages) == ["alice@example.org", "bob@example.org", "sam@example.org"]
    assert sweep(frozen, date(2023, 10, 20)) == []  # escalation is once per deadline


def test_a_storm_after_importing_a_year_is_one_message_per_person(
    frozen, make_target, dept_econ, dept_housing, alice, bob, sam
):
    """Forty overdue deadlines across two departments: one sweep, at most one message per person and kind."""
    from tests.conftest import _member

    staff = [_member(dept_econ.organisation, f"clerk{i}", "staff", dept_econ) for i in range(3)]
    for index in range(40):
        department = dept_econ if index % 2 else dept_housing
        make_target(title=f"重点项目{index}", lead_department=department, milestones=[(date(2023, 9, 28),)])
    messages = sweep(frozen, date(2023, 10, 19))
    recipients = sorted(m.to[0] for m in messages)
    # alice (staff of one department), bob and the three clerks: one reminder each; sam: one escalation.
    assert len(recipients) == len(set(recipients)) == 6
    assert {f"{s.username}@example.org" for s in staff} <= set(recipients)
    (escalation,) = [m for m in messages if m.to == ["sam@example.org"]]
    assert "2 个部门 40 项任务逾期" in escalation.subject
    assert NotificationItem.objects.filter(kind="escalation").count() == 40
    assert Notification.objects.count() == 6


def test_imported_history_is_not_reminded_unless_turned_on(frozen, make_target, org, alice, sam):
    # A target of 2021 with a missed milestone, swept in 2023: history, not a live task.
    make_target(title="2021年历史任务", due=date(2021, 12, 31), milestones=[("年底", date(2021, 12, 31))])
    make_target(title="去年延期任务", due=date(2023, 10, 31), plan_year=2022, milestones=[(date(2023, 10, 11),)])
    messages = sweep(frozen, date(2023, 10, 11))
    assert [m.to for m in messages] == [["alice@example.org"]]
    assert "2021年历史任务" not in messages[0].body and "去年延期任务" in messages[0].body

    ReminderPolicy.objects.create(organisation=org, remind_past_years=True)
    later = sweep(frozen, date(2023, 10, 12))
    assert any("2021年历史任务" in m.body for m in later)
