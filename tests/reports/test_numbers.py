"""Number + unit layer: each pattern, each trap."""

from __future__ import annotations

import time

import pytest

from reports.extraction.numbers import find_quantities
from reports.extraction.units import chinese_to_int


def one(text: str):
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "written", "value", "unit", "unit_text"),
    [
        ("税收计划入库 23.2亿元", "23.2亿元", 2320000000.0, "元", "亿元"),
        ("精品小区开工建设 42 万平方米", "42 万平方米", 420000.0, "平方米", "万平方米"),
        ("外资 1.32 亿美元", "1.32 亿美元", 132000000.0, "美元", "亿美元"),
        ("区级税收增长 15%", "15%", 15.0, "%", "%"),
        ("覆盖 1.69 万人次", "1.69 万人次", 16900.0, "人次", "万人次"),
        ("全面完成 1800 名退役军人", "1800 名", 1800.0, "人", "名"),
        ("国内生产总值 12.5万亿元", "12.5万亿元", 12.5e12, "元", "万亿元"),
        ("投入 1,200人", "1,200人", 1200.0, "人", "人"),
        ("提高 3 个百分点", "3 个百分点", 3.0, "百分点", "个百分点"),
        ("装机 5千瓦", "5千瓦", 5.0, "千瓦", "千瓦"),
        ("资金 五千万元", "五千万元", 5e7, "元", "万元"),
        ("24产居民", "24产", 24.0, "户", "产"),
    ],
)
def test_values_are_in_base_units(text, written, value, unit, unit_text):
    q = one(text)
    assert (q.text, q.unit, q.unit_text) == (written, unit, unit_text)
    assert q.value == pytest.approx(value)
    assert text[q.start : q.end] == written


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("三幅地块", 3, "幅"),
        ("十五项", 15, "项"),
        ("两个驿站", 2, "个"),
        ("十个阅读示范点", 10, "个"),
        ("一所幼儿园", 1, "所"),
    ],
)
def test_chinese_numeral_counts(text, value, unit):
    q = one(text)
    assert (q.value, q.unit, q.chinese) == (value, unit, True)


def test_chinese_numerals_parse_and_reject_names():
    assert [chinese_to_int(s) for s in ["十", "十五", "二十", "一百零五", "两百", "三千五百"]] == [
        10,
        15,
        20,
        105,
        200,
        3500,
    ]
    assert chinese_to_int("一二八") is None and chinese_to_int("百千") is None and chinese_to_int("三五") is None


@pytest.mark.parametrize(
    ("text", "value", "value_max"),
    [
        ("建成3-5个基地", 3, 5),
        ("建成3—5个基地", 3, 5),
        ("3～5个", 3, 5),
        ("建成 3-5 个基地", 3, 5),
        ("3至5个", 3, 5),
        ("三至五个", 3, 5),
        ("5%-6%", 5, 6),
        ("5-6%", 5, 6),
    ],
)
def test_ranges(text, value, value_max):
    q = one(text)
    assert (q.value, q.value_max) == (value, value_max)


@pytest.mark.parametrize(
    ("text", "qualifier", "value"),
    [
        ("110 余万平方米", "more_than", 1100000.0),
        ("百万余元", "more_than", 1000000.0),
        ("1200多万元", "more_than", 12000000.0),
        ("超 70 亿元", "more_than", 7e9),
        ("比重超过 80%", "more_than", 80.0),
        ("总投资突破100亿元", "more_than", 1e10),
        ("增长6%以上", "more_than", 6.0),
        ("约 300 亩土地", "approx", 300.0),
        ("5.5% 左右", "approx", 5.5),
        ("近 9000 余名", "approx", 9000.0),
        ("不少于1000人", "at_least", 1000.0),
        ("至少1个", "at_least", 1.0),
        ("不低于 50%", "at_least", 50.0),
        ("不超过 3%", "at_most", 3.0),
        ("控制在3%以内", "at_most", 3.0),
        ("增长 15%", None, 15.0),
    ],
)
def test_qualifiers(text, qualifier, value):
    q = one(text)
    assert (q.qualifier, q.value) == (qualifier, value)


def test_ratio_and_rank():
    q = one("充电装置与电瓶车保有量 1:4的既定目标")
    assert (q.text, q.value, q.unit) == ("1:4", 0.25, "ratio")
    rank = one("综合考核第四名")
    assert (rank.text, rank.value, rank.rank) == ("第四名", 4.0, True)
    assert one("位列第二").value == 2.0


def test_full_width_input_keeps_offsets():
    q = one("增长１５％")
    assert (q.start, q.end, q.text, q.value) == (2, 5, "１５％", 15.0)


def test_two_figures_in_one_clause_in_order():
    found = find_quantities("达到 240 亿元,同比增长 21%")
    assert [(q.value, q.unit) for q in found] == [(24e9, "元"), (21.0, "%")]


@pytest.mark.parametrize(
    "text",
    [
        "12345 热线",
        "“110”报警",
        "“310”快办窗口",
        "15 分钟服务圈",
        "15 分钟生活圈",
        "24 小时不打烊",
        "5G 上门办",
        "最后 100 米",
        "案例 100+",
        "411 倍增计划",
        "3+5+X 机制",
        "1+2+3+N",
        "长征文化 767",
        "百千万工程",
        "五违四必",
        "三旧三新",
        "G2 / G42",
        "18 号线",
        "新泾 1 路",
        "一二八纪念路",
        "交暨路 185 号",
        "淞虹路 715 弄",
        "G02-02 地块",
        "B3-3 个",
        "金京路-东靖路",
        "城市大脑 4.0",
        "2.0 版",
        "第二批",
        "第十六届",
        "第一家",
        "20-60 周岁",
        "60 岁以上",
        "2023 年缤纷社区建设",
        "2021 年度",
        "仿宋_GB2312",
        "一户一档",
        "千家万户",
        "两个确立",
        "“两个维护”",
        "高效办成一件事",
        "二次供水",
        "一起努力",
        "统一个人",
        "数十个",
        "二元结构",
        "一条龙服务",
        "五位一体",
        "案件接警数¹²",
    ],
)
def test_traps_are_not_values(text):
    assert find_quantities(text) == []


def test_plot_codes_next_to_a_chinese_count():
    found = find_quantities("完成J-07A、F-07、15-03三幅地块的出让工作")
    assert [(q.text, q.value, q.unit) for q in found] == [("三幅", 3.0, "幅")]


def test_age_band_inside_a_floor_target():
    found = find_quantities("完成不少于1000人(20-60周岁)国民体质测试工作")
    assert [(q.text, q.qualifier) for q in found] == [("1000人", "at_least")]


@pytest.mark.parametrize(
    "text",
    [
        "“三站一场”周边",
        "精准落实好“新十条”措施",
        "深入贯彻落实中央八项规定精神",
        "镇十九届人大一次会议以来",
        "贯彻区第十次、十一次党代会精神",
        "评选十个最受欢迎的社区",
        "司法惠民十项措施",
        "打造“15 分钟社区美好生活圈”",
        "汽车零部件",
        "进入全市前五位",
    ],
)
def test_chinese_numerals_inside_names(text):
    assert find_quantities(text) == []


def test_verbs_ending_in_yue_are_not_approximations():
    assert find_quantities("今年以来共签约 85 台")[0].qualifier is None
    assert find_quantities("节约 300 吨")[0].qualifier is None


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("累计接种 2.8 万剂次", "剂次"),
        ("核酸筛查 143 轮次", "轮次"),
        ("共走访企业 635 家次", "家次"),
        ("PM2.5年均浓度为26.3微克/立方米", "微克/立方米"),
        ("新增10蒸吨锅炉", "蒸吨"),
        ("存栏13.2万头", "头"),
    ],
)
def test_more_units(text, unit):
    assert one(text).unit == unit


def test_values_are_tidy_decimals():
    assert one("287.9亿元").value == 28790000000.0
    assert one("20.67亿元").value == 2067000000.0


@pytest.mark.parametrize("run", ["1" * 200_000, "一" * 200_000, "1-" * 100_000, "1:" * 100_000, "三万" * 100_000])
def test_long_runs_do_not_backtrack(run):
    # Quadratic backtracking on a 200 000-character run takes minutes; a linear scan well under a second.
    started = time.perf_counter()
    find_quantities(run)
    assert time.perf_counter() - started < 2.0


def test_scan_within_spans_equals_the_whole_scan_filtered_to_them(sample_path):
    """`within=` (used by commitments to scan only plan sentences) finds exactly the quantities a whole
    scan finds starting inside the spans, wherever the spans are cut."""
    import random

    from reports.extraction.text import normalise

    texts = [sample_path(stem).read_text(encoding="utf-8") for stem in ("002", "003")]
    texts += ["完成1个，" * 200, "1,2,3,4。5,000个;6-7个!第二名?百分之十五。" * 20]
    rng = random.Random(7)
    for raw in texts:
        for text in (raw, normalise(raw).text):
            whole = find_quantities(text)
            for _ in range(15):
                cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.choice([2, 4, 10, 30]))))
                spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2) if rng.random() < 0.7]
                expected = [q for q in whole if any(a <= q.start < b for a, b in spans)]
                assert find_quantities(text, within=spans) == expected
