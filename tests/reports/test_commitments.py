"""Commitments on small synthetic reports, one rule per test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.extraction import extract_commitments
from reports.extraction.text import clean_quote
from tests.conftest import SAMPLES

REVIEW = "一、2022年工作回顾\n\n全年完成区级税收 20 亿元，同比增长 8%。\n\n"


def plan(body: str) -> str:
    return REVIEW + "二、2023年工作安排\n\n" + body + "\n"


def quantitative(body: str):
    return [r for r in extract_commitments(plan(body)) if r.kind == "quantitative"]


def only(body: str):
    found = quantitative(body)
    assert len(found) == 1, [(r.quote, r.value) for r in found]
    return found[0]


def test_review_numbers_are_not_commitments():
    assert extract_commitments(REVIEW) == []
    assert all(r.plan_year == "2023" for r in extract_commitments(plan("区级税收增长 15%。")))


def test_offsets_index_the_original_text():
    text = plan("税收计划入库 23.2\n\n亿元，比 2022年预计完成数增长 25%。")
    first, second = extract_commitments(text)
    assert first.quote == "税收计划入库 23.2亿元"
    assert text[first.value_start : first.value_end] == "23.2\n\n亿元"
    assert first.value_text == "23.2亿元"
    assert text[second.start : second.end] == "比 2022年预计完成数增长 25%"


@pytest.mark.parametrize(
    ("body", "value", "unit", "unit_text"),
    [
        ("精品小区开工建设42万平方米。", 420000.0, "平方米", "万平方米"),
        ("税收计划入库 23.2亿元。", 2.32e9, "元", "亿元"),
        ("新增养老床位2.5千张。", 2500.0, "张", "千张"),
        ("资金投入百万余元。", 1e6, "元", "万元"),
    ],
)
def test_values_in_base_units(body, value, unit, unit_text):
    r = only(body)
    assert (r.value, r.unit, r.unit_text, r.relation) == (pytest.approx(value), unit, unit_text, "absolute")


def test_growth_with_baseline_and_inherited_subject():
    a, g = quantitative("地区生产总值达到240亿元，同比增长21%。")
    assert (a.metric, a.value, a.relation) == ("地区生产总值", 2.4e10, "absolute")
    assert (g.metric, g.value, g.relation, g.baseline) == ("地区生产总值增速", 21.0, "growth", "同比")


def test_growth_first_then_level():
    g, a = quantitative("地区生产总值增长20%，达到282亿元。")
    assert (g.relation, a.relation, a.metric) == ("growth", "absolute", "地区生产总值")


def test_baseline_from_bi():
    r = quantitative("财政预算收入 9.1亿元，比 2022年同口径预计完成数增长 12%。")[1]
    assert r.baseline == "2022年同口径预计完成数"
    assert r.metric == "财政预算收入增速"


def test_stretch_in_a_following_clause():
    text = plan("税收计划入库 23.2亿元，比 2022年预计完成数增长 25%，力争超额完成 24亿元。")
    records = extract_commitments(text)
    assert len(records) == 2
    target = records[0]
    assert target.stretch_value == 2.4e9 and target.comparator == "="
    assert text[target.stretch_start : target.stretch_end] == "24亿元"


def test_lizheng_as_main_target_is_a_floor():
    r = only("社会消费品零售总额力争完成 73 亿元。")
    assert (r.comparator, r.metric, r.stretch_value) == (">=", "社会消费品零售总额", None)


@pytest.mark.parametrize(
    ("body", "comparator", "value", "value_max"),
    [
        ("建成3-5个社区教育实践基地。", "range", 3.0, 5.0),
        ("建成3至5个社区教育实践基地。", "range", 3.0, 5.0),
        ("完成不少于1000人（20-60周岁）国民体质测试工作。", ">=", 1000.0, None),
        ("打造至少1个“零”违建居村。", ">=", 1.0, None),
        ("粮食产量保持在1.3万亿斤以上。", ">=", 1.3e12, None),
        ("新增110余万平方米绿地。", ">=", 1.1e6, None),
        ("城镇调查失业率控制在5%以内。", "<=", 5.0, None),
        ("综合能耗不超过 3 万吨。", "<=", 30000.0, None),
        ("国内生产总值增长5%左右。", "~", 5.0, None),
        ("打造1个镇级孵化基地。", "=", 1.0, None),
    ],
)
def test_comparators(body, comparator, value, value_max):
    r = only(body)
    assert (r.comparator, r.value, r.value_max) == (comparator, value, value_max)


def test_share_and_metric():
    r = only("公务卡使用率达到100%。")
    assert (r.relation, r.metric, r.value, r.unit) == ("share", "公务卡使用率", 100.0, "%")


def test_ceiling_rate_is_a_share_and_cpi_a_growth():
    unemployment, cpi = quantitative("城镇调查失业率5.5%左右；居民消费价格涨幅3%左右。")
    assert (unemployment.relation, unemployment.comparator) == ("share", "~")
    assert (cpi.relation, cpi.metric) == ("growth", "居民消费价格涨幅")


def test_decline_is_negative_growth():
    r = only("单位国内生产总值能耗降低2.5%左右。")
    assert (r.value, r.relation, r.comparator) == (-2.5, "growth", "~")


def test_ratio():
    r = only("推进充电设施建设，实现充电装置与电瓶车保有量1:4的既定目标。")
    assert (r.value, r.unit, r.relation) == (0.25, "ratio", "ratio")


def test_one_figure_for_several_metrics():
    records = quantitative("确保先行联系率、按时办结率100%。")
    assert [r.metric for r in records] == ["先行联系率", "按时办结率"]
    assert records[0].quote == records[1].quote
    three = quantitative("巡河率、履职率、处置率均达 100%。")
    assert [r.metric for r in three] == ["巡河率", "履职率", "处置率"]
    incomes = quantitative("城镇常住居民人均可支配收入、农村常住居民人均可支配收入均增长8%。")
    assert [r.metric for r in incomes] == ["城镇常住居民人均可支配收入增速", "农村常住居民人均可支配收入增速"]


def test_two_figures_with_one_verb():
    records = quantitative("城乡常住居民人均可支配收入分别增长7%和8%左右。")
    assert [(r.value, r.relation) for r in records] == [(7.0, "growth"), (8.0, "growth")]


def test_chinese_numeral_counts_need_a_verb():
    r = only("完成J-07A、F-07、15-03三幅地块的出让工作。")
    assert (r.value, r.unit, r.metric) == (3.0, "幅", "地块出让数") or (r.value, r.unit) == (3.0, "幅")
    assert quantitative("紧扣“一体化”和“高质量”两个关键词。") == []
    assert quantitative("集中力量推进五个方面工作。") == []
    assert quantitative("深入贯彻中央八项规定精神。") == []


def test_traps_in_plan_text_give_nothing():
    body = "打造15分钟生活圈，推进18号线建设，落实“411倍增计划”和“3+5+X”政策，开展第二批外审，服务20-60周岁人群。"
    assert quantitative(body) == []


def test_starting_point_of_a_change_is_not_a_target():
    r = only("全市生产总值从4.16万亿元增加到5.67万亿元。")
    assert (r.value, r.metric) == (5.67e12, "全市生产总值")


def test_absolute_change_against_last_year():
    level, change = quantitative("赤字规模4.06万亿元、比上年增加1800亿元。")
    assert (level.relation, change.relation, change.baseline) == ("absolute", "growth", "上年")
    assert change.metric == "赤字规模增量"


@pytest.mark.parametrize(
    ("body", "metric", "comparator", "baseline", "relation"),
    [
        ("确保无重大安全事故。", "重大安全事故", "=", None, None),
        ("完成区下达的各项就业指标。", "区下达就业指标", "=", None, None),
        ("城镇登记失业人数控制在市下达指标以内。", "城镇登记失业人数", "<=", "市下达指标", None),
        ("区级地方财政收入增速不低于全区平均水平。", "区级地方财政收入增速", ">=", "全区平均水平", "growth"),
        ("居民收入增长和经济增长同步。", "居民收入增速", "=", "经济增长", "growth"),
        ("城乡居民收入与经济同步增长。", "城乡居民收入增速", "=", "经济", "growth"),
        ("居民人均可支配收入增长与经济增长基本保持同步。", "居民人均可支配收入增速", "=", "经济增长", "growth"),
    ],
)
def test_conditions(body, metric, comparator, baseline, relation):
    (r,) = extract_commitments(plan(body))
    assert (r.kind, r.metric, r.comparator, r.baseline, r.relation) == (
        "condition",
        metric,
        comparator,
        baseline,
        relation,
    )
    assert r.value is None


@pytest.mark.parametrize(
    "body",
    [
        "完成上钞苑、上钞桂花苑、上钞银杏苑等旧住房综合修缮改造项目。",
        "建设中江路口袋花园。",
        "L-07幼儿园投入使用。",
        "新建九年一贯学校全面开工。",
        "商品房四期启动建设。",
        "创建上海市无违建示范街镇。",
    ],
)
def test_deliverables(body):
    (r,) = extract_commitments(plan(body))
    assert r.kind == "deliverable" and r.value is None
    assert r.quote == body.rstrip("。")


@pytest.mark.parametrize(
    "body",
    ["深入学习贯彻党的二十大精神。", "持续提升城市管理水平。", "做好防汛防台工作。", "巩固国家卫生镇创建成果。"],
)
def test_exhortations_are_not_deliverables(body):
    assert extract_commitments(plan(body)) == []


def test_numbered_list_items_and_their_count_heading():
    body = (
        "2023年主要民生实事项目（15项）：（一）G02-02地块社区配套建设（含菜市场）；（二）东沟片区临时停车场建设；"
        "（三）浦江东旭公寓综合改造；（四）精品公厕建设。"
    )
    records = extract_commitments(plan(body))
    count, *items = records
    assert (count.kind, count.value, count.unit, count.metric) == ("quantitative", 15.0, "项", "民生实事项目数")
    assert [r.list_item for r in items] == [f"民生实事项目（{n}）" for n in "一二三四"]
    assert items[0].quote == "G02-02地块社区配套建设（含菜市场）"
    assert all(r.kind == "deliverable" and r.value is None for r in items)


def test_no_plan_section_gives_nothing():
    assert extract_commitments("") == []
    assert extract_commitments("这是一段没有结构的文字。") == []


# ------------------------------------------------------------------------------------------ gold annotations

GOLD = Path(__file__).resolve().parent.parent / "data" / "gold"


def _close(a, b) -> bool:
    return a is not None and b is not None and abs(a - b) <= max(1e-9, 0.005 * abs(b))


def _overlaps(p, g) -> bool:
    spans = [(g["start"], g["end"])]
    if g.get("value_start") is not None:
        spans.append((g["value_start"], g["value_end"]))
    return any(p.start < e and s < p.end for s, e in spans)


def _gold_scores():
    """Same matching rule as ../shared/tools/score_extraction.py: span overlap, value within 0.5%, equal unit."""
    totals = dict(rec_hit=0, rec_n=0, prec_hit=0, prec_n=0, del_hit=0, del_n=0, rel_ok=0)
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        predicted = extract_commitments((SAMPLES / gold["doc"]).read_text(encoding="utf-8"))
        with_value = [p for p in predicted if p.value is not None]
        gold_q = [g for g in gold["commitments"] if g["value"] is not None]
        for g in gold_q:
            if g["borderline"] or g["duplicate_of"]:
                continue
            totals["rec_n"] += 1
            hits = [
                p
                for p in with_value
                if _overlaps(p, g) and _close(p.value, g["value"]) and (p.unit or "") == (g["unit"] or "")
            ]
            totals["rec_hit"] += bool(hits)
            totals["rel_ok"] += any(p.relation == g["relation"] for p in hits)
        for p in with_value:
            totals["prec_n"] += 1
            totals["prec_hit"] += any(_overlaps(p, g) and _close(p.value, g["value"]) for g in gold_q)
        for g in gold["commitments"]:
            if g["kind"] == "deliverable" and not g["borderline"]:
                totals["del_n"] += 1
                totals["del_hit"] += any(_overlaps(p, g) for p in predicted)
    return totals


def test_gold_quality_bars():
    t = _gold_scores()
    assert t["rec_n"] >= 13 and t["del_n"] >= 20  # the two annotated documents are really there
    assert t["rec_hit"] / t["rec_n"] >= 0.95, t
    assert t["prec_hit"] / t["prec_n"] >= 0.90, t
    assert t["del_hit"] / t["del_n"] >= 0.70, t
    assert t["rel_ok"] / t["rec_hit"] >= 0.90, t


def test_gold_quotes_are_normalised_original_spans():
    text = (SAMPLES / "001_36a30e4d42ff877c.txt").read_text(encoding="utf-8")
    for r in extract_commitments(text):
        assert r.quote == clean_quote(text[r.start : r.end])
        if r.value_start is not None:
            assert r.start <= r.value_start < r.value_end <= r.end


def test_target_lead_in_wrapped_inside_a_number():
    text = plan(
        "2023年经济社会发展的主要目标任务是：税收计划入库 23.2\n亿元，"
        "比 2022年预计完成数增长 25%，力争超额完成 24亿元；"
    )
    first, second = extract_commitments(text)
    assert (first.value, first.unit, first.stretch_value) == (2.32e9, "元", 2.4e9)
    assert (second.value, second.relation, second.baseline) == (25.0, "growth", "2022年预计完成数")


def test_plain_lizheng_after_a_target_is_its_stretch():
    (r,) = quantitative("地区生产总值增长6%，力争7%。")
    assert (r.value, r.relation, r.stretch_value) == (6.0, "growth", 7.0)


def test_a_level_reached_by_a_decline_is_not_growth():
    r = only("城镇登记失业率下降到3.5%。")
    assert (r.relation, r.metric, r.value) == ("share", "城镇登记失业率", 3.5)


def test_growth_floor_in_percentage_points():
    r = only("研发投入强度同比提高 0.2 个百分点以上。")
    assert (r.relation, r.baseline, r.comparator, r.unit) == ("growth", "同比", ">=", "百分点")


def test_rank_and_multiple_follow_the_metric_convention():
    (rank,) = extract_commitments(plan("区级税收总量保持全区前列。"))
    assert (rank.kind, rank.relation, rank.metric, rank.baseline) == (
        "condition",
        "rank",
        "区级税收总量排名",
        "全区前列",
    )
    r = only("研发投入达到全市平均水平的 2 倍。")
    assert (r.relation, r.unit, r.value) == ("ratio", "倍", 2.0)
    assert r.metric.endswith("倍数")


def test_jiangfu_is_a_decline():
    r = only("单位国内生产总值能耗降幅超过3%。")
    assert (r.value, r.relation, r.metric, r.comparator) == (-3.0, "growth", "单位国内生产总值能耗增速", "<=")


def test_list_one_item_per_line_after_a_colon():
    body = "2023年区政府实事项目：\n1.新建社区食堂2家\n2.改造老旧小区雨污管网\n3.建成口袋公园\n全面完成各项任务。"
    records = extract_commitments(plan(body))
    items = [r for r in records if r.kind == "deliverable"]
    assert [r.quote for r in items] == ["新建社区食堂2家", "改造老旧小区雨污管网", "建成口袋公园"]
    assert items[0].list_item == "区政府实事项目（1）"
    (count,) = [r for r in records if r.kind == "quantitative"]
    assert (count.value, count.unit, count.list_item, count.metric) == (
        2.0,
        "家",
        "区政府实事项目（1）",
        "新建社区食堂数",
    )


def test_arabic_inline_list_and_decimals_are_not_markers():
    body = "重点项目：(1)韶光路新建工程；(2)南新路新建工程；(3)炼钢浜新建工程。增长5.5%。"
    records = extract_commitments(plan(body))
    assert [r.list_item for r in records if r.kind == "deliverable"] == [f"重点项目（{n}）" for n in (1, 2, 3)]
    assert any(r.value == 5.5 for r in records)


def test_a_code_inside_an_item_does_not_break_the_list():
    body = (
        "重大工程（4项）：（一）韶光路新建工程；（二）G09-01、G03-16地块配套幼儿园；"
        "（三）河道轮疏工程；（四）精品公厕建设。"
    )
    items = [r for r in extract_commitments(plan(body)) if r.kind == "deliverable"]
    assert len(items) == 4 and items[1].quote == "G09-01、G03-16地块配套幼儿园"


def test_two_named_projects_joined_by_he_are_two_deliverables():
    records = extract_commitments(plan("推动宝能西上海中心项目工程建设和波克项目开工建设。"))
    assert [r.quote for r in records] == ["推动宝能西上海中心项目工程建设", "波克项目开工建设"]
    assert all(r.kind == "deliverable" for r in records)
    (one_thing,) = extract_commitments(plan("开展清峪路道路大修及店招店牌整治。"))
    assert one_thing.quote == "开展清峪路道路大修及店招店牌整治"
