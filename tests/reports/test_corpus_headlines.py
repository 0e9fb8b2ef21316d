"""Headline targets (主要预期目标) of the twelve corpus reports, hand-read from the files.

Each expectation is (file, words the metric must contain, value, unit, relation); comparators are checked where
the text says 左右 / 以上 / 以内. The corpus lives outside the repository (../shared/corpus).
"""

from __future__ import annotations

from functools import cache

import pytest

from reports.extraction import extract_commitments
from tests.conftest import SHARED, require_service

CORPUS = SHARED / "corpus"

N23, N24, N25 = (f"china_national_{y}_review{y - 1}_targets{y}.txt" for y in (2023, 2024, 2025))
SH = "shanghai_city_2026_review2025_targets2026.txt"


def hl(year: int) -> str:
    return f"hailaer_{year}_review{year - 1}_targets{year}.txt"


HEADLINES = [
    (N23, "国内生产总值", 5.0, "%", "growth", "~"),
    (N23, "城镇新增就业", 1.2e7, "人", "absolute", "~"),
    (N23, "城镇调查失业率", 5.5, "%", "share", "~"),
    (N23, "居民消费价格", 3.0, "%", "growth", "~"),
    (N23, "粮食产量", 1.3e12, "斤", "absolute", ">="),
    (N24, "国内生产总值", 5.0, "%", "growth", "~"),
    (N24, "城镇新增就业", 1.2e7, "人", "absolute", ">="),
    (N24, "城镇调查失业率", 5.5, "%", "share", "~"),
    (N24, "居民消费价格", 3.0, "%", "growth", "~"),
    (N24, "粮食产量", 1.3e12, "斤", "absolute", ">="),
    (N24, "能耗", -2.5, "%", "growth", "~"),
    (N25, "国内生产总值", 5.0, "%", "growth", "~"),
    (N25, "城镇调查失业率", 5.5, "%", "share", "~"),
    (N25, "城镇新增就业", 1.2e7, "人", "absolute", ">="),
    (N25, "居民消费价格", 2.0, "%", "growth", "~"),
    (N25, "粮食产量", 1.4e12, "斤", "absolute", "~"),
    (N25, "能耗", -3.0, "%", "growth", "~"),
    (hl(2012), "地区生产总值", 2.4e10, "元", "absolute", "="),
    (hl(2012), "地区生产总值", 21.0, "%", "growth", "="),
    (hl(2012), "地方财政总收入", 2.0e9, "元", "absolute", "="),
    (hl(2012), "地方财政总收入", 24.6, "%", "growth", "="),
    (hl(2012), "固定资产投资", 1.94e10, "元", "absolute", "="),
    (hl(2012), "固定资产投资", 25.0, "%", "growth", "="),
    (hl(2012), "社会消费品零售总额", 1.008e10, "元", "absolute", "="),
    (hl(2012), "社会消费品零售总额", 20.0, "%", "growth", "="),
    (hl(2012), "城镇人均可支配收入", 23896.0, "元", "absolute", "="),
    (hl(2012), "城镇人均可支配收入", 18.0, "%", "growth", "="),
    (hl(2012), "农民人均纯收入", 16892.0, "元", "absolute", "="),
    (hl(2012), "农民人均纯收入", 18.0, "%", "growth", "="),
    (hl(2013), "地区生产总值", 20.0, "%", "growth", "="),
    (hl(2013), "地区生产总值", 2.82e10, "元", "absolute", "="),
    (hl(2013), "地方财政总收入", 20.0, "%", "growth", "="),
    (hl(2013), "地方财政总收入", 2.48e9, "元", "absolute", "="),
    (hl(2013), "固定资产投资", 23.0, "%", "growth", "="),
    (hl(2013), "固定资产投资", 1.0e10, "元", "absolute", "="),
    (hl(2013), "社会消费品零售总额", 22.0, "%", "growth", "="),
    (hl(2013), "社会消费品零售总额", 1.2e10, "元", "absolute", "="),
    (hl(2013), "可支配收入", 18.0, "%", "growth", "="),
    (hl(2014), "地区生产总值", 11.0, "%", "growth", "="),
    (hl(2014), "地区生产总值", 2.82e10, "元", "absolute", "="),
    (hl(2014), "地方财政总收入", 16.0, "%", "growth", "="),
    (hl(2014), "地方财政总收入", 2.88e9, "元", "absolute", "="),
    (hl(2014), "固定资产投资", 20.0, "%", "growth", "="),
    (hl(2014), "固定资产投资", 1.088e10, "元", "absolute", "="),
    (hl(2014), "社会消费品零售总额", 14.0, "%", "growth", "="),
    (hl(2014), "社会消费品零售总额", 1.26e10, "元", "absolute", "="),
    (hl(2014), "城镇居民人均可支配收入", 12.0, "%", "growth", "="),
    (hl(2014), "农民人均纯收入", 14.0, "%", "growth", "="),
    (hl(2015), "地区生产总值", 8.0, "%", "growth", "="),
    (hl(2015), "地区生产总值", 2.96e10, "元", "absolute", "="),
    (hl(2015), "公共财政预算收入", 7.0, "%", "growth", "="),
    (hl(2015), "公共财政预算收入", 1.46e9, "元", "absolute", "="),
    (hl(2015), "固定资产投资", 12.0, "%", "growth", "="),
    (hl(2015), "社会消费品零售总额", 11.5, "%", "growth", "="),
    (hl(2015), "城镇居民人均可支配收入", 10.0, "%", "growth", "="),
    (hl(2015), "农民人均纯收入", 11.0, "%", "growth", "="),
    (hl(2016), "地区生产总值", 7.5, "%", "growth", "="),
    (hl(2016), "地区生产总值", 3.09e10, "元", "absolute", "="),
    (hl(2016), "公共财政预算收入", 5.0, "%", "growth", "="),
    (hl(2016), "公共财政预算收入", 1.58e9, "元", "absolute", "="),
    (hl(2016), "固定资产投资", 13.0, "%", "growth", "="),
    (hl(2016), "社会消费品零售总额", 9.0, "%", "growth", "="),
    (hl(2016), "城镇常住居民人均可支配收入", 8.0, "%", "growth", "="),
    (hl(2016), "农村常住居民人均可支配收入", 8.0, "%", "growth", "="),
    (hl(2017), "地区生产总值", 7.5, "%", "growth", "="),
    (hl(2017), "地区生产总值", 3.264e10, "元", "absolute", "="),
    (hl(2017), "一般公共财政预算收入", 7.5, "%", "growth", "="),
    (hl(2017), "固定资产投资", 10.0, "%", "growth", "="),
    (hl(2017), "固定资产投资", 1.107e10, "元", "absolute", "="),
    (hl(2017), "社会消费品零售总额", 10.0, "%", "growth", "="),
    (hl(2017), "社会消费品零售总额", 1.641e10, "元", "absolute", "="),
    (hl(2017), "城镇常住居民人均可支配收入", 8.0, "%", "growth", "="),
    (hl(2017), "城镇常住居民人均可支配收入", 35578.0, "元", "absolute", "="),
    (hl(2017), "农村牧区常住居民人均可支配收入", 7.5, "%", "growth", "="),
    (hl(2017), "农村牧区常住居民人均可支配收入", 25617.0, "元", "absolute", "="),
    (hl(2018), "地区生产总值", 6.0, "%", "growth", "~"),
    (hl(2018), "一般公共预算收入", 6.0, "%", "growth", "="),
    (hl(2018), "可支配收入", 7.5, "%", "growth", "="),
    (hl(2019), "地区生产总值", 3.5, "%", "growth", "~"),
    (hl(2019), "可支配收入", 7.0, "%", "growth", "="),
    (hl(2019), "可支配收入", 8.0, "%", "growth", "~"),
    (hl(2019), "社会消费品零售总额", 6.5, "%", "growth", "~"),
    (SH, "生产总值", 5.0, "%", "growth", "~"),
    (SH, "地方一般公共预算收入", 2.0, "%", "growth", "="),
    (SH, "研发经费支出", 4.6, "%", "share", "~"),
    (SH, "城镇调查失业率", 5.0, "%", "share", "<="),
    (SH, "居民消费价格", 2.0, "%", "growth", "~"),
]

# Headline targets without a figure: income growth in step with the economy, targets set by a higher level.
CONDITIONS = [
    (N23, "居民收入", "growth"),
    (N24, "居民收入", "growth"),
    (N25, "居民收入", "growth"),
    (SH, "居民人均可支配收入", "growth"),
    (hl(2018), "约束性指标", None),
    (hl(2019), "固定资产投资", "growth"),
]


@cache
def commitments_of(name: str):
    path = CORPUS / name
    if not path.exists():
        require_service(False, f"{CORPUS} (the shared corpus beside the repository)")
    return extract_commitments(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "metric", "value", "unit", "relation", "comparator"), HEADLINES)
def test_headline_target(name, metric, value, unit, relation, comparator):
    records = commitments_of(name)
    same_value = [r for r in records if r.value is not None and abs(r.value - value) <= 1e-6 * max(1.0, abs(value))]
    hits = [r for r in same_value if r.unit == unit and r.relation == relation and metric in r.metric]
    assert hits, [(r.metric, r.value, r.unit, r.relation) for r in same_value]
    assert any(r.comparator == comparator for r in hits), [r.comparator for r in hits]


@pytest.mark.parametrize(("name", "metric", "relation"), CONDITIONS)
def test_headline_condition(name, metric, relation):
    records = commitments_of(name)
    hits = [r for r in records if r.kind == "condition" and metric in (r.metric + r.quote)]
    assert hits, [r.quote for r in records if r.kind == "condition"]
    assert any(r.relation == relation for r in hits)


def test_plan_years_follow_the_report():
    for name, year in [(N24, "2024"), (hl(2015), "2015"), (SH, "2026")]:
        headline = [r for r in commitments_of(name) if "主要预期目标" in r.section or "预期目标" in r.section]
        assert headline and all(r.plan_year == year for r in headline)
