"""The demo as a newcomer sees it after `make run`, at desk (1366 px) and phone (390 px) width: a board of this
year with a believable spread (most on track, a few overdue by days or weeks), a target page, the progress
form in the target's own unit, and last year's 年终核对 with proposals ready to confirm.

Screenshots of the four pages at both widths are saved (SCREENSHOT_DIR, default var/screenshots).
"""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from browser_pages import log_in, no_sideways_scroll
from django.core.management import call_command
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
PASSWORD = "pw-demo-browser"


def test_demo_board_target_progress_form_and_reconciliation(live_server, open_browser, settings):
    from django.utils import timezone

    from targets.models import Organisation, Target

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", "--password", PASSWORD, stdout=StringIO())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    year = timezone.localdate().year
    town = Organisation.objects.get(name="高行镇")
    figure = (
        Target.objects.filter(organisation=town, plan_year=year, kind="quantitative", relation="absolute")
        .exclude(target_value=None)
        .order_by("-target_value")
        .first()
    )
    changzheng = Organisation.objects.get(name="长征镇")
    reconciliation = reverse("reports:reconciliation-review", args=[changzheng.pk, year - 1])

    for width in (1366, 390):
        tag = "desk" if width > 800 else "phone"
        supervisor = open_browser(width=width, height=900).new_page()
        log_in(supervisor, live_server.url, "gaohang-duban", PASSWORD)
        assert supervisor.locator("h1").inner_text() == "督查看板"
        chips = dict(
            re.match(r"(\S+)\s+(\d+)", text).groups() for text in supervisor.locator(".chip").all_inner_texts()[:4]
        )
        counts = {label: int(n) for label, n in chips.items()}
        assert counts["已逾期"] >= 1 and counts["正常推进"] > sum(counts.values()) / 2, counts
        days = [int(d) for d in re.findall(r"逾期 (\d+) 天", supervisor.locator(".target-list").inner_text())]
        assert days and max(days) <= 120, days  # days or weeks, never years
        assert no_sideways_scroll(supervisor)
        supervisor.screenshot(path=str(SCREENSHOTS / f"demo-board-{tag}.png"), full_page=width > 800)

        # The board's first row: the longest overdue target of this town.
        supervisor.click(".target-list .row-title >> nth=0")
        supervisor.wait_for_load_state()
        assert "已逾期" in supervisor.locator(".overdue-banner").inner_text()
        assert "演示数据" in supervisor.locator(".quote + p").inner_text()
        assert no_sideways_scroll(supervisor)
        supervisor.screenshot(path=str(SCREENSHOTS / f"demo-target-{tag}.png"), full_page=width > 800)

        staff_name = f"gaohang-{_slug(figure.lead_department.name)}"
        staff = open_browser(width=width, height=900).new_page()
        log_in(staff, live_server.url, staff_name, PASSWORD)
        staff.goto(f"{live_server.url}/targets/{figure.pk}/#progress")
        form = staff.locator("#progress")
        unit = form.locator(".unit-field .unit").inner_text() if form.locator(".unit-field .unit").count() else ""
        assert unit and unit.endswith(figure.unit), unit
        form.locator("input[name=value]").fill("1.5")
        if unit[0] in "万亿":
            assert form.locator("output.echo").inner_text().startswith("= ")
        assert no_sideways_scroll(staff)
        form.screenshot(path=str(SCREENSHOTS / f"demo-progress-form-{tag}.png"))

        checker = open_browser(width=width, height=900).new_page()
        log_in(checker, live_server.url, "changzheng-duban", PASSWORD)
        checker.goto(live_server.url + reconciliation)
        verdicts = set(checker.locator(".verdict").all_inner_texts())
        assert len(verdicts) >= 3, verdicts  # real proposals: not every row 无法核实
        assert checker.locator("form button").count() >= 10  # each waiting for the supervisor's confirmation
        assert no_sideways_scroll(checker)
        checker.screenshot(path=str(SCREENSHOTS / f"demo-reconciliation-{tag}.png"), full_page=False)


def _slug(department: str) -> str:
    from targets.management.commands.demo import DEPARTMENT_SLUGS
    from targets.models import Department

    if department in DEPARTMENT_SLUGS:
        return DEPARTMENT_SLUGS[department]
    names = list(Department.objects.filter(organisation__name="高行镇").order_by("name").values_list("name", flat=True))
    return f"d{names.index(department) + 1}"
