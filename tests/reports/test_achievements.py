"""Achievements: figures of the review sections, with metric, relation, as-of, completion ratio."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.extraction import extract_achievements
from reports.extraction.achievements import canonical_metric
from reports.extraction.text import clean_quote

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"

HEAD = "政府工作报告\n\n——2023年1月5日在某镇人民代表大会上\n\n一、2022 年工作回顾\n\n"
PLAN = "\n\n二、2023 年工作安排\n\n2023 年全镇税收力争完成 80 亿元，增长 6%。\n"


def _report(body: str) -> str:
    return HEAD + body + PLAN


def _one(body: str, value_text: str):
    text = _report(body)
    found = [a for a in extract_achievements(text) if a.value_text == value_text]
    assert len(found) == 1, [(a.value_text, a.metric) for a in extract_achievements(text)]
    return found[0]


# --- where achievements come from ------------------------------------------------------------------------------


def test_only_review_sections_give_achievements():
    text = _report("全年完成区级税收 75 亿元。")
    records = extract_achievements(text)
    assert [(a.value, a.unit, a.period_year) for a in records] == [(7.5e9, "元", "2022")]
    assert records[0].section == "一、2022 年工作回顾"


def test_a_plan_without_review_has_no_achievements():
    text = "某镇 2022 年经济与社会发展计划\n\n一、统筹好质量与增速\n\n全年实现区级税收增长 15%。新建 3 个驿站。\n"
    assert extract_achievements(text) == []
    assert extract_achievements("") == []


def test_offsets_quote_and_value_span_index_the_original_text():
    body = "截至 11 月底，全镇完成综合\n\n税收 6.09 亿元，完成全年目标的 96%。"
    text = _report(body)
    (a,) = extract_achievements(text)
    assert a.quote == clean_quote(text[a.start : a.end])
    assert text[a.value_start : a.value_end] == "6.09 亿元" == a.value_text
    assert a.quote.startswith("全镇完成综合税收")


def test_page_number_line_inside_a_clause():
    text = _report("五年来累计引进内资 329.3 亿元、外\n\n\n\n3\n\n资 1.32 亿美元。")
    records = extract_achievements(text)
    assert [(a.value, a.unit) for a in records] == [(3.293e10, "元"), (1.32e8, "美元")]
    assert records[1].metric == "外资"


# --- values, units, qualifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "value_text", "value", "unit", "qualifier"),
    [
        ("累计提供企业帮办服务 1900 余件。", "1900 余件", 1900.0, "件", "more_than"),
        ("做到 90%以上问题在基层解决。", "90%", 90.0, "%", "more_than"),
        ("累计送餐服务超7万人次。", "7万人次", 70000.0, "人次", "more_than"),
        ("完成动迁约 300 亩土地。", "300 亩", 300.0, "亩", "approx"),
        ("压减比例不低于 50%。", "50%", 50.0, "%", "at_least"),
        ("发放残疾人交通补贴百万余元。", "百万余元", 1e6, "元", "more_than"),
        ("新增就业岗位 1217 个。", "1217 个", 1217.0, "个", None),
    ],
)
def test_values_in_base_units_and_qualifiers(body, value_text, value, unit, qualifier):
    a = _one(body, value_text)
    assert (a.value, a.unit, a.qualifier) == (value, unit, qualifier)


# --- relations and metrics -------------------------------------------------------------------------------------


def test_level_and_growth_of_one_indicator_are_two_records():
    text = _report("全年地区生产总值完成235.2亿元，同比增长18.5%；地方财政总收入完成20.67亿元，同比下降2.1%。")
    got = [(a.metric, a.value, a.unit, a.relation, a.baseline) for a in extract_achievements(text)]
    assert got == [
        ("地区生产总值", 2.352e10, "元", "absolute", None),
        ("地区生产总值增速", 18.5, "%", "growth", "同比"),
        ("地方财政总收入", 2.067e9, "元", "absolute", None),
        ("地方财政总收入增速", -2.1, "%", "growth", "同比"),
    ]


def test_growth_written_before_the_rate_names_the_indicator():
    a = _one("居民消费价格上涨0.2%，技术合同成交额增长28.6%。", "0.2%")
    assert (a.metric, a.relation) == ("居民消费价格涨幅", "growth")
    b = _one("居民消费价格上涨0.2%，技术合同成交额增长28.6%。", "28.6%")
    assert b.metric == "技术合同成交额增速"


def test_shares_ranks_and_ratios():
    text = _report("托班覆盖率达 60%，年度税收完成率全区第一名；完成全镇居民区充电装置与电瓶车保有量 1:4 的既定目标。")
    got = {a.value_text: (a.relation, a.value, a.unit) for a in extract_achievements(text)}
    assert got["60%"] == ("share", 60.0, "%")
    assert got["第一名"] == ("rank", 1.0, "名")
    assert got["1:4"] == ("ratio", 0.25, "ratio")
    rank = next(a for a in extract_achievements(text) if a.relation == "rank")
    assert rank.metric == "年度税收完成率排名"


def test_respectively_lists_give_one_metric_per_subject():
    text = _report("报警类、盗窃类、诈骗类案件接警数分别下降 32.3%、31%、0.8%。")
    got = [(a.metric, a.value) for a in extract_achievements(text)]
    assert got == [
        ("报警类案件接警数增速", -32.3),
        ("盗窃类案件接警数增速", -31.0),
        ("诈骗类案件接警数增速", -0.8),
    ]


@pytest.mark.parametrize(
    ("body", "metrics"),
    [
        ("金融业、软件和信息服务业增加值分别增长9.7%、15.3%。", ["金融业增加值增速", "软件和信息服务业增加值增速"]),
        ("全年基础设施、制造业投资分别增长9.4%、9.1%。", ["基础设施投资增速", "制造业投资增速"]),
        (
            "城镇和农村居民人均可支配收入分别达35512元、25689元。",
            ["城镇常住居民人均可支配收入", "农村常住居民人均可支配收入"],
        ),
        (
            "城乡常住居民人均可支配收入分别完成37820元、28104元，同比分别增长6.5%、9.4%。",
            [
                "城镇常住居民人均可支配收入",
                "农村常住居民人均可支配收入",
                "城镇常住居民人均可支配收入增速",
                "农村常住居民人均可支配收入增速",
            ],
        ),
    ],
)
def test_respectively_lists_share_the_indicator_written_once(body, metrics):
    assert [a.metric for a in extract_achievements(_report(body))] == metrics


def test_growth_list_follows_the_level_list_before_it():
    text = _report(
        "航空旅客和货邮吞吐量分别达到1.35亿人次、453.8万吨，分别增长8.3%、7.9%。单位生产总值能耗累计下降14%。"
    )
    got = [(a.metric, a.value) for a in extract_achievements(text)]
    assert got == [
        ("航空旅客数", 1.35e8),
        ("货邮吞吐量", 4.538e6),
        ("航空旅客增速", 8.3),
        ("货邮吞吐量增速", 7.9),
        ("单位生产总值能耗增速", -14.0),
    ]


def test_a_decline_magnitude_is_a_negative_growth():
    a = _one("单位国内生产总值能耗降幅超过3%。", "3%")
    assert (a.metric, a.value, a.relation, a.qualifier) == ("单位国内生产总值能耗增速", -3.0, "growth", "more_than")


def test_the_work_named_after_the_figure_is_what_it_measures():
    a = _one("推进实施淞虹路 715 弄等 8 个老旧小区 22 万平方米精品小区建设。", "22 万平方米")
    assert a.metric == "精品小区建设面积"


def test_multi_year_figures_of_a_one_year_review_get_the_five_year_period():
    text = _report("全年地区生产总值完成235.2亿元；五年来，地区生产总值年均增长12.1%。")
    got = {a.value_text: a.period_year for a in extract_achievements(text)}
    assert got == {"235.2亿元": "2022", "12.1%": "2018-2022"}
    a = _one("自经联社成立以来累计分配收益 5.11 亿元。", "5.11 亿元")
    assert (a.metric, a.period_year) == ("分配收益", "since founding")


def test_one_rate_for_listed_levels_gives_one_record_per_level():
    text = _report("城镇和农村居民人均可支配收入分别达35512元、25689元，分别同比增长7.8%。")
    got = [(a.metric, a.value) for a in extract_achievements(text) if a.relation == "growth"]
    assert got == [("城镇常住居民人均可支配收入增速", 7.8), ("农村常住居民人均可支配收入增速", 7.8)]


def test_rates_listed_together_follow_the_levels_in_order():
    text = _report("全镇集体经济组织总资产 211亿元，净资产 84亿元，与 2016年底相比增长 4.87%和 8.52%。")
    got = [(a.metric, a.value, a.baseline) for a in extract_achievements(text) if a.relation == "growth"]
    assert got == [("集体经济组织总资产增速", 4.87, "2016年底"), ("净资产增速", 8.52, "2016年底")]


def test_verb_only_clause_takes_its_subject_from_the_sentence():
    text = _report("加装电梯成片化成效显著，全年完工 16 台，新增启动 41 台。")
    assert [a.metric for a in extract_achievements(text)] == ["加装电梯完工数", "加装电梯新增启动数"]


def test_a_figure_right_after_another_counts_the_thing_named_after_it():
    got = [(a.metric, a.value) for a in extract_achievements(_report("7 家企业 18 名企业高管获资金奖励 139 万元。"))]
    assert got == [("企业数", 7.0), ("企业高管人数", 18.0), ("企业高管获资金奖励", 1.39e6)]
    a = _one("培育刘三、中泾两处生境花园。", "两处")
    assert (a.metric, a.value) == ("生境花园数", 2.0)


def test_object_after_the_figure_names_the_metric():
    a = _one("完成 20 户家庭适老化改造和 3 处老年活动室功能拓展。", "20 户")
    assert a.metric == "家庭适老化改造户数"
    b = _one("完成 20 户家庭适老化改造和 3 处老年活动室功能拓展。", "3 处")
    assert b.metric == "老年活动室功能拓展数"


def test_from_to_keeps_the_result_and_notes_the_start():
    text = _report("地区生产总值由2010年的162.4亿元增加到2015年的287.9亿元，年均增长12.1%。")
    got = [(a.metric, a.value, a.relation) for a in extract_achievements(text)]
    assert got == [("地区生产总值", 2.879e10, "absolute"), ("地区生产总值增速", 12.1, "growth")]
    assert extract_achievements(text)[0].extra["from"].endswith("162.4亿元")


def test_from_lists_keep_the_results_with_their_own_subjects():
    text = _report("跨国公司地区总部、外资研发中心分别从771家、481家增加到1076家、636家。城镇化率从60.2%提高到65.2%。")
    got = [(a.metric, a.value, a.extra["from"]) for a in extract_achievements(text)]
    assert got == [
        ("跨国公司地区总部数", 1076.0, "771家"),
        ("外资研发中心数", 636.0, "481家"),
        ("城镇化率", 65.2, "60.2%"),
    ]


def test_increment_and_multiple_of_a_base():
    text = _report("城镇居民人均可支配收入完成30788元，比2010年增加13480元；旅游收入达到69亿元，是2010年的2.6倍。")
    got = {a.value_text: (a.metric, a.relation, a.baseline) for a in extract_achievements(text)}
    assert got["13480元"] == ("城镇常住居民人均可支配收入增量", "absolute", None)
    assert got["2.6倍"] == ("旅游收入倍数", "ratio", "2010年")


# --- time: as_of, forecast, completion ratio -------------------------------------------------------------------


def test_as_of_from_cut_off_dates_and_periods():
    text = _report(
        "截至 11 月底，全年给付类救助覆盖 1.69 万人次，共计金额 1920 余万元。"
        "1-10 月，盗窃类案件接警数下降 31%。今年以来累计提供就业岗位4487个。截至 12 月 20 日，累计接种 2.8 万剂。"
        "全年新增高新企业 54 家。"
    )
    got = {a.value_text: a.as_of for a in extract_achievements(text)}
    assert got["1.69 万人次"] == "2022-11-30"
    assert got["1920 余万元"] == "2022-11-30"
    assert got["31%"] == "2022-10-31"
    assert got["4487个"] == "2022-ytd"
    assert got["54 家"] == "2022"


def test_year_forecast_applies_to_its_clause_only_and_projection():
    text = _report(
        "全年预计完成区级地方财政收入 4.24 亿元，与去年持平；全社会固定资产总额完成 18 亿元。"
        "一批在建项目进展顺利，预计可新增产业载体空间 10 万平方米。"
    )
    got = {a.value_text: (a.as_of, a.is_forecast, a.metric) for a in extract_achievements(text)}
    assert got["4.24 亿元"] == ("2022-forecast", True, "区级地方财政收入")
    assert got["18 亿元"] == ("2022", False, "全社会固定资产投资")
    assert got["10 万平方米"][:2] == ("projection", True)


def test_completion_ratio_and_implied_target():
    text = _report(
        "全年精准盘活低效产业用地 78 亩，超额完成全年目标的 156%。引进内资新设项目数 1001 家，完成全年指标 250%。"
    )
    records = extract_achievements(text)
    assert [(a.value, a.completion_ratio, a.implied_target) for a in records] == [
        (78.0, 156.0, 50.0),
        (1001.0, 250.0, 400.4),
    ]
    assert records[0].quote.endswith("156%")


def test_a_work_rate_is_not_a_completion_ratio():
    a = _one("推动优待证高效办理，完成率达96.67%。", "96.67%")
    assert (a.relation, a.completion_ratio) == ("share", None)


# --- numbers that are not results ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "统筹 33 个居民区和多支执法队伍开展检查。",
        "全镇 121 个小区近 9000 余名志愿者参与。",
        "加快打造“15 分钟社区美好生活圈”。",
        "截至 11 月底，92 家企业完成综合税收 6.09 亿元。",
        "开工建设10亿元以上重大产业项目47个。",
        "实际使用外资达到160.6亿美元，折合1148亿元。",
        "贯彻区第十次、十一次党代会精神，在一场硬仗中取得胜利。",
        "坚决贯彻中央八项规定精神。",
        "成为全国首个经济总量突破5万亿元的城市，跻身全球城市前五位，推进集成电路装备、零部件国产化。",
        "实施10蒸吨以下燃煤锅炉改造，坚决贯彻中央八项规定、自治区28条。",
    ],
)
def test_scope_names_and_classes_are_not_results(body):
    text = _report(body)
    values = {a.value_text for a in extract_achievements(text)}
    not_results = {
        "33 个",
        "121 个",
        "15 分钟",
        "92 家",
        "10亿元",
        "1148亿元",
        "十一次",
        "一场",
        "八项",
        "5万亿元",
        "五位",
    }
    assert not values & (not_results | {"零部", "10蒸吨", "28条"})


def test_canonical_metric_unifies_variants_of_headline_indicators():
    assert canonical_metric("社会零售品消费总额") == "社会消费品零售总额"
    assert canonical_metric("全市社会消费品零售额增速") == "社会消费品零售总额增速"
    assert canonical_metric("全社会固定资产总额") == "全社会固定资产投资"
    assert canonical_metric("“一网通办”办件量") == "一网通办办件量"


# --- gold -------------------------------------------------------------------------------------------------------


def _gold_dir() -> Path | None:
    for d in (ROOT / "tests" / "data" / "gold", SHARED / "seeds" / "gold"):
        if (d / "003_8d55160e06e9d7cd.json").exists():
            return d
    return None


def _close(a, b) -> bool:
    return a is not None and b is not None and abs(a - b) <= max(1e-9, 0.005 * abs(b))


def _overlaps(p, g) -> bool:
    spans = [(g["start"], g["end"])]
    if g.get("value_start") is not None:
        spans.append((g["value_start"], g["value_end"]))
    return any(p.start < e and s < p.end for s, e in spans)


@pytest.mark.skipif(_gold_dir() is None, reason="gold annotations (../shared/seeds/gold) are not available")
def test_gold_recall_and_precision_on_003():
    gold = json.loads((_gold_dir() / "003_8d55160e06e9d7cd.json").read_text(encoding="utf-8"))
    text = (SAMPLES / gold["doc"]).read_text(encoding="utf-8")
    predicted = [a for a in extract_achievements(text) if a.value is not None]
    with_value = [g for g in gold["achievements"] if g["value"] is not None]
    strict = [g for g in with_value if not g["borderline"]]

    def matches(g):
        return [p for p in predicted if _overlaps(p, g) and _close(p.value, g["value"])]

    hits = [g for g in strict if any((p.unit or "") == (g["unit"] or "") for p in matches(g))]
    assert len(hits) / len(strict) >= 0.90, [g["id"] for g in strict if g not in hits]
    correct = [p for p in predicted if any(p in matches(g) for g in with_value)]
    assert len(correct) / len(predicted) >= 0.85
    # the fields the scorer does not look at, on the records it does
    by_id = {g["id"]: g for g in gold["achievements"]}
    matched = {
        g["id"]: next(p for p in predicted if _overlaps(p, g) and _close(p.value, g["value"]))
        for g in strict
        if g in hits
    }
    for gid in ("a01", "a04", "a22", "a29", "a48"):
        p, g = matched[gid], by_id[gid]
        assert (p.as_of, p.is_forecast, p.completion_ratio, p.implied_target) == (
            g["as_of"],
            g["is_forecast"],
            g["completion_ratio"],
            g["implied_target"],
        ), gid
    assert sum(matched[g].relation == by_id[g]["relation"] for g in matched) / len(matched) >= 0.95
    assert sum(matched[g].qualifier == by_id[g]["qualifier"] for g in matched) / len(matched) >= 0.95


@pytest.mark.skipif(not CORPUS.exists(), reason="corpus (../shared/corpus) is not available")
def test_corpus_headline_results_come_out_with_metric_value_and_relation():
    text = (CORPUS / "china_national_2024_review2023_targets2024.txt").read_text(encoding="utf-8")
    got = {(a.metric, a.value, a.unit, a.relation) for a in extract_achievements(text)}
    assert ("国内生产总值增速", 5.2, "%", "growth") in got
    assert ("城镇新增就业人数", 1.244e7, "人", "absolute") in got
    assert ("城镇调查失业率", 5.2, "%", "share") in got
    assert ("居民消费价格涨幅", 0.2, "%", "growth") in got
    text = (CORPUS / "hailaer_2013_review2012_targets2013.txt").read_text(encoding="utf-8")
    got = {(a.metric, a.value, a.relation, a.period_year) for a in extract_achievements(text)}
    assert ("地区生产总值", 2.352e10, "absolute", "2012") in got
    assert ("地区生产总值增速", 18.5, "growth", "2012") in got
    assert ("社会消费品零售总额增速", 16.2, "growth", "2012") in got


def _rewrap(text: str, width: int = 28) -> str:
    """The layout of a PDF conversion: lines cut at a fixed width, blank lines between, page numbers."""
    lines: list[str] = []
    for paragraph in filter(None, (p.strip() for p in text.split("\n"))):
        for i in range(0, len(paragraph), width):
            lines.append(paragraph[i : i + width])
            if len(lines) % 41 == 40:
                lines.append(str(len(lines) // 41 + 1))
    return "\n\n".join(lines)


def test_the_same_report_wrapped_like_a_pdf_gives_the_same_records():
    text = (SAMPLES / "003_8d55160e06e9d7cd.txt").read_text(encoding="utf-8")
    wrapped = _rewrap(text)
    plain = [(a.metric, a.value, a.unit, a.relation, a.as_of) for a in extract_achievements(text)]
    assert [(a.metric, a.value, a.unit, a.relation, a.as_of) for a in extract_achievements(wrapped)] == plain
    for a in extract_achievements(wrapped):
        assert a.quote == clean_quote(wrapped[a.start : a.end])
