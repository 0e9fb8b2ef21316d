"""Bounds on figures and dates (targets/limits.py), as a class: every place a person can enter a figure or a date
of a target — the API, the pages, the admin form, a commitment's correction before it becomes a target — is fed
values far outside what makes sense (1e308, 1e16, 1e-9, inf, NaN, the year 9999, the year 1). Each gets 400 with
a Chinese message and changes nothing, and afterwards the target, its page and every list still answer 200 for
every role (a stored 1e308 made them all 500: the percentages computed from it were infinite, not JSON).
The parsers themselves are property-tested, and the working-day arithmetic is shown not to walk far ranges.
"""

from __future__ import annotations

import json
import math
import re
import time
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from targets import limits

PROPERTY = settings(max_examples=300, derandomize=True, database=None, deadline=None)
CJK = re.compile(r"[\u4e00-\u9fff]")
BAD_FIGURES = [1e308, 1e16, -1e16, 1e-9, "1e400", "-1e400", "nan"]
BAD_DATES = ["9999-12-31", "0001-01-01", "2200-01-01", "1900-06-30"]


# --- the rules ---------------------------------------------------------------------------------------------


@PROPERTY
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_figures_are_finite_and_of_sensible_size(value):
    try:
        limits.check_figure(value, label="数值")
    except limits.OutOfBounds as error:
        assert CJK.search(error.message)
        assert (
            not math.isfinite(value) or abs(value) > limits.FIGURE_MAX or 0 < abs(value) < limits.FIGURE_MIN_MAGNITUDE
        )
        return
    assert value == 0 or limits.FIGURE_MIN_MAGNITUDE <= abs(value) <= limits.FIGURE_MAX


@PROPERTY
@given(st.floats(), st.floats())
def test_every_ratio_of_two_accepted_figures_is_finite_json(a, b):
    """Percentages, ratios and growth are quotients of figures: with both bounds they cannot overflow."""
    try:
        limits.check_figure(a, label="a")
        limits.check_figure(b, label="b")
    except limits.OutOfBounds:
        return
    if b == 0:
        return
    for computed in (a / b * 100, (a - b) / abs(b) * 100, a * 100 / b):
        assert math.isfinite(computed)
        json.dumps(computed, allow_nan=False)


@PROPERTY
@given(st.dates(), st.integers(min_value=2011, max_value=2036))
def test_target_dates_lie_in_a_window_of_a_few_years(day, plan_year):
    try:
        limits.check_target_date(day, plan_year=plan_year, label="日期")
    except limits.OutOfBounds as error:
        assert CJK.search(error.message)
        assert not limits.earliest_date(plan_year) <= day <= limits.latest_date(plan_year)
        return
    assert (limits.latest_date(plan_year) - limits.earliest_date(plan_year)).days < 366 * 8


@PROPERTY
@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_plan_years_around_today(year):
    today = date(2026, 6, 1)
    try:
        assert limits.check_plan_year(year, today=today) == year
        assert 2026 - limits.PLAN_YEARS_BACK <= year <= 2026 + limits.PLAN_YEARS_AHEAD
    except limits.OutOfBounds as error:
        assert CJK.search(error.message) and not 2011 <= year <= 2036


def test_working_days_never_walk_a_far_range():
    """A stored date far away (the year 9999, the year 1) is counted without walking day by day: before, one
    count across eight thousand years took many minutes and every board page timed out."""
    from notifications.workdays import add_working_days, working_days_between

    started = time.monotonic()
    far = working_days_between(date(2023, 1, 1), date(9999, 12, 31))
    back = working_days_between(date(9999, 12, 31), date(1, 1, 1))
    assert (
        add_working_days(date(2023, 1, 1), 10**7) == date.max
        and add_working_days(date(2023, 1, 1), -(10**7)) == date.min
    )
    assert time.monotonic() - started < 30  # a few seconds on a loaded machine; the walk took over 20 minutes
    assert 2_080_000 < far < 2_082_000 and back < -2_600_000  # five working days a week beyond the calendars


# --- every entry point -------------------------------------------------------------------------------------


@pytest.fixture
def world(org, dept_econ, ada, alice, sam):
    from reports.models import Commitment, Report
    from targets.services import target_create_from_commitment

    report = Report.objects.create(
        organisation=org, title="报告", original_name="r.txt", file_type="txt", size=1, sha256="0" * 64, text="文"
    )
    year = timezone.localdate().year
    commitment = Commitment.objects.create(
        report=report, quote="完成投资10亿元", start=0, end=1, kind="quantitative", metric="投资", plan_year=year,
        value=1e9, unit="元",
    )  # fmt: skip
    open_commitment = Commitment.objects.create(
        report=report, quote="新建公园3个", start=2, end=3, kind="quantitative", metric="公园", plan_year=year,
        value=3, unit="个",
    )  # fmt: skip
    target = target_create_from_commitment(commitment=commitment, acting_user=ada, lead_department=dept_econ)
    milestone = target.milestones.order_by("due_date").first()
    return {"target": target, "milestone": milestone, "commitment": open_commitment, "ada": ada, "alice": alice,
            "sam": sam, "year": year}  # fmt: skip


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def state(world) -> tuple:
    target = type(world["target"]).objects.get(pk=world["target"].pk)
    return (target.version, target.due_date, target.updates.count(), target.milestones.count(),
            sorted(target.milestones.values_list("due_date", "expected_value", "done_on")))  # fmt: skip


def everyone_still_reads_it(world, client) -> None:
    pk = world["target"].pk
    for who in ("alice", "sam", "ada"):
        api = api_for(world[who])
        for path in ("/api/targets/", f"/api/targets/{pk}/", "/api/targets/overdue/", f"/api/targets/{pk}/progress/"):
            assert api.get(path).status_code == 200, (who, path)
        client.force_login(world[who])
        assert client.get(f"/targets/{pk}/").status_code == 200 and client.get("/").status_code == 200


def figure_cases(world):
    t, m = world["target"].pk, world["milestone"].pk
    due = f"{world['year']}-09-30"
    return [
        ("alice", "post", f"/api/targets/{t}/progress/", lambda v: {"value": v}),
        (
            "ada",
            "post",
            f"/api/targets/{t}/milestones/",
            lambda v: {"title": "节点", "due_date": due, "expected_value": v},
        ),
        ("ada", "patch", f"/api/milestones/{m}/", lambda v: {"expected_value": v}),
    ]


def date_cases(world):
    t, m = world["target"].pk, world["milestone"].pk
    return [
        ("ada", "post", f"/api/targets/{t}/milestones/", lambda d: {"title": "节点", "due_date": d}),
        ("ada", "patch", f"/api/milestones/{m}/", lambda d: {"due_date": d}),
        ("ada", "patch", f"/api/milestones/{m}/", lambda d: {"done_on": d}),
        ("alice", "post", f"/api/milestones/{m}/done/", lambda d: {"done_on": d}),
        ("alice", "post", f"/api/targets/{t}/request-extension/", lambda d: {"new_due_date": d, "note": "理由"}),
    ]


def send(world, who, method, path, body):
    version = type(world["target"]).objects.get(pk=world["target"].pk).version
    return getattr(api_for(world[who]), method)(path, {**body, "version": version}, format="json")


@pytest.mark.django_db
def test_api_refuses_figures_out_of_bounds(world, client):
    before = state(world)
    for who, method, path, body in figure_cases(world):
        for value in BAD_FIGURES:
            response = send(world, who, method, path, body(value))
            assert response.status_code == 400, (path, value, response.content[:300])
            assert CJK.search(response.json()["error"]), response.json()
    assert state(world) == before
    everyone_still_reads_it(world, client)
    # The same requests with a sensible figure go through: the refusals were the bounds'.
    for who, method, path, body in figure_cases(world):
        assert send(world, who, method, path, body(5e8)).status_code in {200, 201}, path


@pytest.mark.django_db
def test_api_refuses_dates_out_of_bounds(world, client):
    """Far dates everywhere; a completion date in the future too (nothing is done tomorrow)."""
    before = state(world)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for who, method, path, body in date_cases(world):
        done = "done_on" in body("x")
        for day in [*BAD_DATES, tomorrow] if done else BAD_DATES:
            response = send(world, who, method, path, body(day))
            assert response.status_code == 400, (path, day, response.content[:300])
            assert CJK.search(response.json()["error"])
    assert state(world) == before
    everyone_still_reads_it(world, client)


@pytest.mark.django_db
def test_an_extension_to_the_year_9999_is_refused_at_request_and_at_approval(world, client):
    from targets import services

    target = world["target"]
    api = api_for(world["alice"])
    response = api.post(
        f"/api/targets/{target.pk}/request-extension/",
        {"new_due_date": f"{world['year']}-12-31", "note": "理由", "version": target.version},
        format="json",
    )
    assert response.status_code == 400  # not later than the due date: the existing rule
    target.refresh_from_db()
    services.target_request_extension(target=target, acting_user=world["alice"], expected_version=target.version,
                                      note="理由")  # fmt: skip
    target.refresh_from_db()
    response = api_for(world["sam"]).post(
        f"/api/targets/{target.pk}/decide-extension/",
        {"approve": True, "new_due_date": "9999-12-31", "version": target.version},
        format="json",
    )
    assert response.status_code == 400 and "延期后的完成时限" in response.json()["error"]
    client.force_login(world["sam"])
    page = client.post(f"/targets/{target.pk}/extend/", {"new_due_date": "9999-12-31", "version": target.version})
    assert page.status_code in {200, 302, 400} and page.status_code < 500
    target.refresh_from_db()
    assert target.due_date == date(world["year"], 12, 31)
    latest = limits.latest_date(world["year"]).isoformat()
    ok = api_for(world["sam"]).post(
        f"/api/targets/{target.pk}/decide-extension/",
        {"approve": True, "new_due_date": latest, "version": target.version},
        format="json",
    )
    assert ok.status_code == 200
    everyone_still_reads_it(world, client)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1e16", "1e308", "-1e16", "0.000000001"])
def test_pages_refuse_figures_out_of_bounds(world, client, value):
    target = world["target"]
    before = state(world)
    client.force_login(world["alice"])
    response = client.post(f"/targets/{target.pk}/progress/", {"value": value, "version": target.version})
    assert response.status_code == 400 and CJK.search(response.content.decode())
    client.force_login(world["ada"])
    response = client.post(
        f"/targets/{target.pk}/milestones/add/",
        {"title": "节点", "due_date": f"{world['year']}-09-30", "expected_value": value, "version": target.version},
    )
    assert response.status_code in {302, 400}
    assert state(world) == before
    everyone_still_reads_it(world, client)


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("value", 1e20), ("value_max", -1e300), ("stretch_value", 1e-12),
                                               ("plan_year", 9999), ("plan_year", 1900)])  # fmt: skip
def test_a_commitment_cannot_be_corrected_out_of_bounds(world, field, value):
    commitment = world["commitment"]
    response = api_for(world["ada"]).patch(f"/api/commitments/{commitment.pk}/", {field: value}, format="json")
    assert response.status_code == 400 and CJK.search(response.json()["error"]), response.content
    commitment.refresh_from_db()
    assert (commitment.value, commitment.value_max, commitment.plan_year) == (3, None, world["year"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [{"target_value": 1e300}, {"baseline_value": float("inf")}, {"plan_year": 3000}, {"due_date": date(9999, 1, 1)},
     {"plan_year": 2000, "due_date": date(2000, 12, 31)}],
)  # fmt: skip
def test_admin_edits_and_additions_are_bounded(world, changes, org, dept_econ):
    from targets import services
    from targets.admin import TargetAdminForm

    target = world["target"]
    with pytest.raises(limits.OutOfBounds):
        services.target_edit(target=target, acting_user=world["ada"], expected_version=target.version,
                             changes=changes)  # fmt: skip
    fields = {"organisation": org.pk, "lead_department": dept_econ.pk, "title": "新任务", "kind": "quantitative",
              "plan_year": world["year"], "due_date": date(world["year"], 12, 31), "lifecycle": "not_started",
              "version": 1, **{k: v for k, v in changes.items()}}  # fmt: skip
    form = TargetAdminForm(data=fields)
    assert not form.is_valid() and CJK.search(str(form.errors))


@pytest.mark.django_db
@pytest.mark.parametrize("figure", [1e308, -1e16, 1e-12])
def test_a_ledger_import_refuses_numeric_cells_out_of_bounds(org, tmp_path, figure):
    """The ledger import (an Excel number, not text) gets the same bounds: the row is named, nothing saved."""
    import io

    from django.core.management import call_command
    from openpyxl import Workbook

    from targets.models import Target

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "工作任务", "牵头单位", "完成时限", "目标值"])
    sheet.append([1, "新建道路", "建设办", f"{timezone.localdate().year}-12-31", figure])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_ledger", str(path), "--org", org.name, stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 2 and "第 2 行" in err.getvalue() and "目标值" in err.getvalue()
    assert not Target.objects.exists()
