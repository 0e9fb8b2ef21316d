"""Figures in the units people use: the display unit of a target, the conversion to base units, checkpoints that
fit the target, and the plausibility questions asked by the form and the API."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targets.display import (
    conversion_echo,
    display_target,
    display_unit,
    format_figure,
    milestone_heading,
    milestone_plan,
    time_elapsed_percent,
)
from targets.models import Target
from targets.plausibility import progress_doubts


def target(**fields) -> Target:
    defaults = dict(
        kind="quantitative",
        unit="元",
        relation="absolute",
        comparator="=",
        target_value=910000000,
        plan_year=2026,
        title="财政预算收入达到9.1亿元",
    )
    defaults.update(fields)
    return Target(**defaults)


def milestone(due: date, percent: float, value: float | None = None):
    return SimpleNamespace(title=f"完成{percent:g}%", due_date=due, expected_percent=percent, expected_value=value)


@pytest.mark.parametrize(
    ("value", "unit", "label"),
    [
        (910000000, "元", "亿元"),
        (50000000, "元", "万元"),
        (420000, "平方米", "万平方米"),
        (12, "公里", "公里"),
        (1000, "人", "人"),
        (15, "%", "%"),
    ],
)
def test_display_unit_by_magnitude(value, unit, label):
    assert display_unit(target(target_value=value, unit=unit)).label == label


def test_display_unit_follows_the_commitment_as_written(make_target):
    written = make_target(value=50000000, value_text="5000万元", unit="元", quote="招商引资5000万元")
    assert display_unit(written).label == "万元"
    written = make_target(value=50000000, value_text="0.5亿元", unit="元", quote="招商引资0.5亿元")
    assert display_unit(written).label == "亿元"
    assert format_figure(written, 820000000) == "8.2亿元"


@given(typed=st.decimals(min_value=0, max_value=100000, places=4), scale=st.sampled_from([1e4, 1e8]))
@settings(max_examples=300, deadline=None)
def test_a_figure_typed_with_up_to_four_decimals_is_stored_exactly(typed, scale):
    unit = display_unit(target(target_value=scale * 3, unit="元"))
    stored = unit.to_base(float(typed))
    assert stored == float(typed * int(scale))  # 8.2 亿元 is 820000000 元, not 819999999.9999999
    assert unit.from_base(stored) == pytest.approx(float(typed))


def test_conversion_echo_and_figures():
    t = target()
    assert conversion_echo(t, 8.2) == "= 820,000,000 元"
    assert conversion_echo(target(target_value=12, unit="公里"), 8.2) == ""  # nothing converted
    assert display_target(t) == "9.1亿元"
    assert display_target(target(comparator="~", relation="growth", unit="%", target_value=6)) == "增长 6% 左右"


def test_count_checkpoints_are_whole_numbers():
    t = target(unit="个", target_value=10, title="建成10个口袋公园")
    plans = [milestone_plan(t, milestone(date(2026, m, 28), p, 10 * p / 100)) for m, p in ((3, 25), (6, 50), (9, 75))]
    assert plans == ["计划累计 3个", "计划累计 5个", "计划累计 8个"]  # never 2.5 个


def test_rate_checkpoints_report_the_year_to_date_rate_and_time_elapsed():
    t = target(relation="growth", unit="%", target_value=6, title="区级税收增长6%")
    node = milestone(date(2026, 6, 30), 50)
    assert milestone_heading(t, node) == "上半年节点"
    plan = milestone_plan(t, node)
    assert plan == "报送截至上半年的累计增速（全年目标 6%），序时进度 49.6%"
    assert "完成" not in plan
    assert time_elapsed_percent(2026, date(2026, 12, 31)) == 100.0


# --- plausibility ---------------------------------------------------------------------------


@given(
    goal=st.floats(min_value=1e3, max_value=1e10),
    times=st.integers(min_value=1, max_value=8),
    above=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_an_order_of_magnitude_off_is_always_asked_back(goal, times, above):
    t = target(target_value=goal)
    value = goal * 10**times if above else goal / 10 ** (times + 3)
    doubts = progress_doubts(t, value=value, percent=None, previous=None)
    assert [d.code for d in doubts] == ["far_above_target" if above else "far_below_target"]
    assert all("请核对单位" in d.message for d in doubts)


@given(goal=st.floats(min_value=1e3, max_value=1e10), share=st.floats(min_value=0.002, max_value=5))
@settings(max_examples=300, deadline=None)
def test_a_believable_first_figure_is_not_questioned(goal, share):
    assert progress_doubts(target(target_value=goal), value=goal * share, percent=None, previous=None) == []


def test_a_cumulative_figure_going_down_and_a_rate_above_100_are_asked_back():
    previous = SimpleNamespace(value=820000000, percent=None)
    doubts = progress_doubts(target(), value=790000000, percent=None, previous=previous)
    assert [d.code for d in doubts] == ["cumulative_down"]
    assert "比上次填报的 8.2亿元 少" in doubts[0].message
    ceiling = target(comparator="<=", unit="吨", target_value=1000)
    assert progress_doubts(ceiling, value=500, percent=None, previous=SimpleNamespace(value=600, percent=None)) == []
    growth = target(relation="growth", unit="%", target_value=6)
    assert [d.code for d in progress_doubts(growth, value=650, percent=None, previous=None)] == ["rate_above_100"]
    assert progress_doubts(growth, value=6.5, percent=None, previous=None) == []


def test_the_api_answers_400_in_chinese_unless_confirmed(make_target, dept_econ, bob, django_user_model):
    from rest_framework.test import APIClient

    from targets.models import ProgressUpdate

    t = make_target(
        lead_department=dept_econ,
        quote="财政预算收入达到9.1亿元",
        metric="财政预算收入",
        value=910000000,
        value_text="9.1亿元",
        unit="元",
    )
    from tests.conftest import _member

    clerk = _member(t.organisation, "clerk", "staff", dept_econ)
    api = APIClient()
    api.force_authenticate(clerk)
    url = f"/api/targets/{t.pk}/progress/"
    refused = api.post(url, {"value": 8.2, "version": t.version}, format="json")  # 8.2 元, meant 亿元
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "implausible" and body["doubts"] == ["far_below_target"]
    assert "不到目标值 9.1亿元 的千分之一" in body["error"] and "confirm=true" in body["error"]
    assert not ProgressUpdate.objects.filter(target=t).exists()
    confirmed = api.post(url, {"value": 8.2, "version": t.version, "confirm": True}, format="json")
    assert confirmed.status_code == 201 and ProgressUpdate.objects.get(target=t).value == 8.2
    # The mistaken 8.2 元 corrected to 8.2 亿元: compared with the updates before it, not with the mistake.
    wrong = ProgressUpdate.objects.get(target=t)
    fixed = api.post(url, {"value": 820000000, "version": t.version + 1, "corrects": wrong.pk}, format="json")
    assert fixed.status_code == 201
    # A jump of eight orders of magnitude over the last report is asked back too.
    jump = api.post(url, {"value": 8.2e16, "version": t.version + 2}, format="json")
    assert jump.status_code == 400 and jump.json()["doubts"] == ["far_above_target"]
