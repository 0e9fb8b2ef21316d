"""Reminders over a calendar that crosses National Day 2023 and Spring Festival 2024, time frozen each day."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.models import Notification, NotificationPreference, ReminderPolicy
from notifications.policy import default_policy
from notifications.reminders import reminder_kind, reminders_due
from notifications.services import reminders_sweep
from notifications.workdays import working_days_between

pytestmark = pytest.mark.django_db


def run_days(frozen, start: date, end: date) -> list[tuple[date, str, str]]:
    """Run the sweep every calendar day at 08:30 (as beat does) and note (day, kind, recipient) of each email sent."""
    sent = []
    day = start
    while day <= end:
        before = len(mail.outbox)
        with frozen(day, 8, 30):
            call_command("run_reminders", stdout=_Null())
        for message in mail.outbox[before:]:
            # One message per person and day: its items are the reminders it carries.
            notification = Notification.objects.get(key=message.extra_headers["X-Duban-Notification"])
            sent.extend((day, item.kind, message.to[0]) for item in notification.items.order_by("id"))
        day += timedelta(days=1)
    return sent


class _Null:
    def write(self, _text: str) -> None:
        pass


def test_deadline_on_a_holiday_before_on_the_day_overdue_and_escalation(frozen, make_target, alice, bob, sam):
    # Milestone due Monday 2 October 2023, in the middle of the National Day holiday.
    make_target(milestones=[("三季度节点", date(2023, 10, 2))], owner=alice)
    sent = run_days(frozen, date(2023, 9, 15), date(2023, 10, 31))
    assert sent == [
        (date(2023, 9, 22), "before", "alice@example.org"),  # 5 working days before
        (date(2023, 9, 28), "due", "alice@example.org"),  # the working day before the holiday
        (date(2023, 10, 11), "overdue", "alice@example.org"),  # 5 working days late (7 and 8 Oct worked)
        (date(2023, 10, 18), "overdue", "alice@example.org"),
        (date(2023, 10, 18), "escalation", "sam@example.org"),  # 10 working days late: to the supervisor
        (date(2023, 10, 25), "overdue", "alice@example.org"),
    ]
    assert Notification.objects.filter(status="sent").count() == 6


def test_spring_festival_makeup_sunday_is_a_reminder_day(frozen, make_target, alice):
    # Due Sunday 18 February 2024, a make-up workday: reminded on that Sunday itself.
    make_target(milestones=[("春节后复工节点", date(2024, 2, 18))])
    sent = run_days(frozen, date(2024, 1, 29), date(2024, 2, 19))
    assert [(d, kind) for d, kind, _to in sent] == [(date(2024, 2, 5), "before"), (date(2024, 2, 18), "due")]
    assert mail.outbox[-1].subject == "【督办提醒】「完成精品小区建设42万平方米」今天到期"


def test_running_the_sweep_twice_a_day_sends_once(frozen, make_target, alice):
    make_target(milestones=[("节点", date(2023, 10, 11))])
    with frozen(date(2023, 10, 11), 8, 30):
        call_command("run_reminders", stdout=_Null())
        call_command("run_reminders", stdout=_Null())
        call_command("run_reminders", "--today", "2023-10-11", stdout=_Null())
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_recipients_are_the_owner_and_the_lead_department(frozen, make_target, alice, bob, sam, django_user_model):
    owner = django_user_model.objects.create_user("owen", email="owen@example.org")
    make_target(milestones=[("节点", date(2023, 10, 11))], owner=owner)
    with frozen(date(2023, 10, 11), 8, 30):
        call_command("run_reminders", stdout=_Null())
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "owen@example.org"]


def test_opted_out_closed_and_done_get_nothing(make_target, alice):
    NotificationPreference.objects.create(user=alice, reminders=False)
    make_target(milestones=[("节点", date(2023, 10, 11))])
    assert reminders_due(on=date(2023, 10, 11)) == []
    NotificationPreference.objects.filter(user=alice).update(reminders=True)
    make_target(title="已销号", milestones=[("节点", date(2023, 10, 11))], lifecycle="signed_off")
    done = make_target(title="已完成节点", milestones=[("节点", date(2023, 10, 11))])
    done.milestones.update(done_on=date(2023, 10, 9))
    titles = [p.context["target"]["title"] for p in reminders_due(on=date(2023, 10, 11))]
    assert titles == ["完成精品小区建设42万平方米"]


def test_organisation_policy_overrides_the_defaults(make_target, org, alice, sam):
    ReminderPolicy.objects.create(organisation=org, days_before=2, remind_on_day=False, escalate_after=1)
    make_target(milestones=[("节点", date(2023, 10, 11))])
    assert [p.kind for p in reminders_due(on=date(2023, 10, 4 + 4))] == []  # 8 Oct: 3 working days before
    assert [p.kind for p in reminders_due(on=date(2023, 10, 9))] == ["before"]
    assert [p.kind for p in reminders_due(on=date(2023, 10, 11))] == ["before"]  # no on-the-day reminder
    assert [p.kind for p in reminders_due(on=date(2023, 10, 12))] == ["escalation"]


def test_a_target_without_milestones_is_reminded_of_its_due_date(make_target, alice):
    make_target(due=date(2023, 12, 29))
    kinds = {p.kind for p in reminders_due(on=date(2023, 12, 29))}
    assert kinds == {"due"}


def test_no_reminders_on_a_holiday_and_catch_up_afterwards(make_target, alice):
    make_target(milestones=[("节点", date(2023, 10, 13))])
    assert reminders_due(on=date(2023, 10, 1)) == []  # National Day: beat's run does nothing
    # Five working days before 13 October is the make-up Sunday 8 October. A beat that was down that day
    # catches up on the next working day, once.
    assert reminder_kind(date(2023, 10, 13), date(2023, 10, 7), default_policy()) is None
    assert reminder_kind(date(2023, 10, 13), date(2023, 10, 8), default_policy()) == ("before", "2023-10-13")
    first = reminders_sweep(on=date(2023, 10, 9))
    again = reminders_sweep(on=date(2023, 10, 10))
    assert len(first.created_ids) == 1 and again.planned == [] and again.created_ids == []
    # Catch-up is bounded: three working days after the send day, a missed reminder is not sent any more.
    assert reminder_kind(date(2023, 10, 20), date(2023, 10, 13), default_policy()) == ("before", "2023-10-20")
    assert reminder_kind(date(2023, 10, 20), date(2023, 10, 18), default_policy()) is None


def test_a_long_overdue_milestone_is_planned_only_on_its_reminder_days(make_target, alice, sam):
    make_target(milestones=[("节点", date(2023, 3, 31))])
    days = [date(2023, 6, d) for d in range(1, 31)]
    sent_days = [d for d in days if reminders_sweep(on=d).created_ids]
    # Every 5 working days (Dragon Boat Festival: 22-23 June off, Sunday 25 June worked), not every day.
    gaps = [working_days_between(a, b) for a, b in pairwise(sent_days)]
    assert len(sent_days) == 5 and set(gaps[1:]) == {5}


def test_dry_run_records_and_sends_nothing(make_target, alice, capsys):
    make_target(milestones=[("节点", date(2023, 10, 11))])
    call_command("run_reminders", "--today", "2023-10-11", "--dry-run")
    out = capsys.readouterr().out
    assert "alice@example.org" in out and "将发送 1 封提醒" in out
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_reminder_email_links_and_unsubscribe(frozen, make_target, alice, settings):
    settings.SITE_URL = "https://duban.example.org"
    target = make_target(milestones=[("三季度节点", date(2023, 10, 2))])
    with frozen(date(2023, 10, 11), 8, 30):
        call_command("run_reminders", stdout=_Null())
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    # "Overdue by" in calendar days, as on the board (2 October to 11 October).
    assert message.subject == "【逾期提醒】「完成精品小区建设42万平方米」已逾期 9 天"
    assert f"https://duban.example.org/targets/{target.pk}/" in message.body
    assert f'href="https://duban.example.org/targets/{target.pk}/"' in html
    assert "https://duban.example.org/notifications/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://duban.example.org/notifications/unsubscribe/")
    assert "已逾期 9 天" in html and "2023年10月2日" in message.body and "按自然日计" in message.body


def test_a_node_passed_by_a_reported_figure_is_not_chased(frozen, make_target, alice):
    """Health calls a deliverable's node met when a reported percentage passes it (the board shows it on track), so
    no reminder chases it; the node of a target with nothing reported is still chased."""
    from targets import services
    from targets.models import Milestone

    ahead = make_target(title="已超进度", milestones=[("一半", date(2023, 10, 16))])
    behind = make_target(title="未填报", milestones=[("一半", date(2023, 10, 16))])
    Milestone.objects.filter(target__in=[ahead, behind]).update(expected_percent=50)
    with frozen(date(2023, 9, 1)):
        ahead.refresh_from_db()
        services.progress_record(target=ahead, acting_user=alice, percent=60, expected_version=ahead.version)
    services.refresh_health_basis([behind.pk])
    with frozen(date(2023, 10, 16), 8, 30):
        chased = {p.target_id for p in reminders_due(on=date(2023, 10, 16))}
    assert chased == {behind.pk}
