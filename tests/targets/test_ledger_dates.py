"""Dates as ledgers write them: every spelling of a month's end, quarters, halves, text and Excel dates, and 时间节点
cells of several steps (property tests over many members, not one example)."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.documents.ledger_dates import parse_due, parse_milestones

CN = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
years = st.integers(2000, 2099)
months = st.integers(1, 12)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@given(
    years,
    months,
    st.sampled_from(
        [
            "{y}年{m}月底",
            "{y}年{m}月末",
            "{y} 年 {m} 月底前",
            "{y}年{m}月份",
            "{y}.{m}",
            "{y}-{m:02d}",
            "{y}/{m}",
            "{y}年{cn}月底",
        ]
    ),
)
def test_a_month_written_with_its_year_is_its_last_day(year, month, spelling):
    text = spelling.format(y=year, m=month, cn=CN[month - 1])
    assert parse_due(text, plan_year=1999) == month_end(year, month)


@given(months, st.sampled_from(["{m}月底", "{m} 月底前", "{m}月末前完成", "{cn}月底", "{m}月"]))
def test_a_month_without_a_year_is_in_the_plan_year(month, spelling):
    assert parse_due(spelling.format(m=month, cn=CN[month - 1]), plan_year=2026) == month_end(2026, month)


@given(
    years,
    months,
    st.integers(1, 28),
    st.sampled_from(["{y}-{m}-{d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日", "{y}年{m}月{d}日前"]),
)
def test_full_dates(year, month, day, spelling):
    assert parse_due(spelling.format(y=year, m=month, d=day), plan_year=1999) == date(year, month, day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("六月中旬", date(2026, 6, 20)),
        ("6月上旬", date(2026, 6, 10)),
        ("年底前", date(2026, 12, 31)),
        ("2027年底", date(2027, 12, 31)),
        ("三季度末", date(2026, 9, 30)),
        ("第一季度", date(2026, 3, 31)),
        ("上半年", date(2026, 6, 30)),
        ("下半年", date(2026, 12, 31)),
        ("长期坚持", date(2026, 12, 31)),
        ("次年3月底", date(2027, 3, 31)),
        (datetime(2026, 5, 4, 0, 0), date(2026, 5, 4)),
        (date(2026, 5, 4), date(2026, 5, 4)),
        ("待定", None),
        ("", None),
        (None, None),
        ("2026年2月30日", None),
    ],
)
def test_other_spellings(text, expected):
    assert parse_due(text, plan_year=2026) == expected


steps = st.lists(
    st.tuples(months, st.sampled_from(["完成招标", "开工建设", "主体完工", "竣工验收", "完成设计"])),
    min_size=1,
    max_size=5,
)


@given(
    steps,
    st.sampled_from(["，", "；", "。", ",", "\n"]),
    st.sampled_from(["{m} 月底前{w}", "{m}月底{w}", "{cn}月底前{w}"]),
)
def test_milestone_cells(steps, separator, spelling):
    """Each step keeps its words; dates run forward, a month earlier than the step before falls in the next year."""
    text = separator.join(spelling.format(m=m, cn=CN[m - 1], w=w) for m, w in steps)
    parsed = parse_milestones(text, plan_year=2026)
    assert [w for _d, w in parsed] == [w for _m, w in steps]
    assert [d.month for d, _w in parsed] == [m for m, _w in steps]
    assert all(d.day == calendar.monthrange(d.year, d.month)[1] for d, _w in parsed)
    assert all(a <= b for (a, _), (b, _) in itertools.pairwise(parsed))
    assert parsed[0][0].year == 2026


def test_the_issue_example():
    assert parse_milestones("6 月底前完成招标，12 月底前竣工", plan_year=2026) == [
        (date(2026, 6, 30), "完成招标"),
        (date(2026, 12, 31), "竣工"),
    ]
    assert parse_milestones("3月底前完成立项、可研批复，加快推进", plan_year=2026) == [
        (date(2026, 3, 31), "完成立项、可研批复，加快推进")
    ]
    assert parse_milestones("持续推进", plan_year=2026) == [(date(2026, 12, 31), "推进")]
    assert parse_milestones(None, plan_year=2026) == []
