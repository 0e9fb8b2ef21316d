"""One reminder a day, as a supervisor sees it, in a real Chromium at desk (1366 px) and phone (390 px) width:
after a day's reminder sweep (run twice, as beat's hourly runs do), the 通知记录 page lists one message for the
staff member whose three deadlines fell due together, its subject counting every item and its state, and the
page does not scroll sideways."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from browser_pages import log_in, no_sideways_scroll
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2023, 10, 11)  # a Wednesday, a working day


class _Null:
    def write(self, _text: str) -> None:
        pass


def _target(org, department, title: str, milestone_due: date):
    from targets.models import Target
    from targets.services import refresh_health_basis

    target = Target.objects.create(
        organisation=org, lead_department=department, title=title, plan_year=2023, due_date=date(2023, 12, 31)
    )
    target.milestones.create(title="节点", due_date=milestone_due)
    refresh_health_basis([target.pk])  # rows written around the services: their health dates, explicitly
    return target


def _sweep_twice() -> None:
    import time_machine

    from notifications import workdays

    workdays.clear_cache()
    with time_machine.travel(datetime(2023, 10, 11, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        for _ in range(2):
            call_command("run_reminders", stdout=_Null())


@pytest.mark.parametrize("width", [1366, 390])
def test_the_log_shows_one_reminder_a_day_listing_every_item(
    live_server, open_browser, settings, org, dept_econ, alice, sam, width
):
    from notifications.models import Notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice.last_name, alice.first_name = "王", "芳"
    alice.save()
    _target(org, dept_econ, "口袋公园建设", date(2023, 10, 2))  # 9 days late
    _target(org, dept_econ, "老旧小区改造", DAY)  # due today
    _target(org, dept_econ, "区级税收增长", date(2023, 10, 18))  # in five working days
    _sweep_twice()
    assert Notification.objects.filter(recipient=alice).count() == 1

    page = open_browser(width=width, height=900).new_page()
    log_in(page, live_server.url, sam.username)
    page.goto(f"{live_server.url}/notifications/log/")
    rows = page.locator("table tbody tr").filter(has_text="王芳")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "您有 3 项任务需要关注" in text
    assert "已逾期 1 项，今天到期 1 项，即将到期 1 项" in text
    assert no_sideways_scroll(page)
