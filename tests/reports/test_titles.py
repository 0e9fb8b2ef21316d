"""Target titles read like a ledger line, and metric names name the measured thing.

Rules on hand-made cases first, then claims over every commitment extracted from the 5 samples and the 18 corpus
reports (1,300+ titles): no 增速增长, no qualifier before its number, no fragment, no two identical titles for
the 城镇 and 农村 figures of one sentence.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from reports.extraction import extract_commitments
from reports.extraction.titles import is_fragment, target_title
from tests.conftest import require_service
from tests.reports.reconciliation_fixtures import CORPUS

SEEDS = CORPUS.parent / "seeds"


def title(metric, value_text, relation="absolute", comparator="=", quote="", value=None, kind="quantitative"):
    return target_title(
        kind=kind,
        metric=metric,
        value_text=value_text,
        relation=relation,
        comparator=comparator,
        quote=quote or metric,
        value=value,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("地区生产总值增速", "6%", "growth", "~"), "地区生产总值增长6%左右"),
        (("地区生产总值增速", "8%", "growth", ">="), "地区生产总值增长不低于8%"),
        (("区级税收", "15%", "growth", "="), "区级税收增长15%"),
        (("居民消费价格涨幅", "3%", "growth", "~"), "居民消费价格涨幅3%左右"),
        (("城镇调查失业率", "5.5%", "share", "~"), "城镇调查失业率5.5%左右"),
        (("城镇登记失业率", "4%", "share", "<="), "城镇登记失业率控制在4%以内"),
        (
            ("单位国内生产总值能耗增速", "2.5%", "growth", "~", "单位国内生产总值能耗降低2.5%左右", -2.5),
            "单位国内生产总值能耗下降2.5%左右",
        ),
        (("赤字率增速", "1个百分点", "growth", "=", "赤字率比上年提高1个百分点", 1), "赤字率提高1个百分点"),
        (("赤字规模增量", "1800亿元", "growth", "=", "赤字规模比上年增加1800亿元", 1.8e11), "赤字规模增加1800亿元"),
        (("经济增长预期目标增速", "5%", "growth", "~"), "经济增长5%左右"),
        (("新增就业岗位", "500个", "absolute", "~"), "新增就业岗位达到500个左右"),
        (("社区教育实践基地数", "3-5个", "absolute", "range"), "社区教育实践基地数达到3-5个"),
        (("内容为重点数", "6项", "absolute", "=", "以“厕所革命”等6项内容为重点"), "以“厕所革命”等6项内容为重点"),
        (("抓前期、抓", "", "absolute", "=", "抓前期、抓新开工、抓续建、抓"), "抓前期、抓新开工、抓续建"),
    ],
)
def test_titles(args, expected):
    assert title(*args) == expected


@pytest.mark.parametrize("name", ["内容为重点数", "抓前期、抓", "的", "投资", "两品一标”认证数", "城镇和"])
def test_fragments(name):
    assert is_fragment(name)


@cache
def corpus_commitments() -> tuple:
    files = sorted(SEEDS.glob("00*.txt")) + sorted(CORPUS.glob("*.txt")) + sorted((CORPUS / "baoding").glob("*.txt"))
    require_service(bool(files), "../shared/seeds and ../shared/corpus")
    out = []
    for path in files:
        for c in extract_commitments(Path(path).read_text(encoding="utf-8")):
            out.append((path.name, c))
    return tuple(out)


def corpus_title(c) -> str:
    return target_title(
        kind=c.kind,
        metric=c.metric,
        value_text=c.value_text,
        relation=c.relation,
        comparator=c.comparator,
        quote=c.quote,
        value=c.value,
    )


def test_corpus_titles_read_like_ledger_lines():
    rows = corpus_commitments()
    assert len(rows) > 1000
    for _, c in rows:
        text = corpus_title(c)
        assert "增速增长" not in text and "增长增长" not in text, text
        assert not re.search(r"(?:左右|以上|以内)\s*[\d.]", text), text  # 6%左右, never 左右6%
        assert not re.search(r"[、，,的和及]$", text), text
        if c.kind == "quantitative" and not is_fragment(c.metric):
            assert re.sub(r"\s+", "", c.value_text).lstrip("-") in text, (text, c.value_text)


def test_urban_and_rural_figures_of_one_sentence_never_share_a_title():
    by_quote: dict[tuple, list[str]] = {}
    for name, c in corpus_commitments():
        if c.kind == "quantitative" and re.search(r"(?:城乡|城镇和农村|城镇、农村)[^，,；;。]{0,14}分别", c.quote):
            by_quote.setdefault((name, c.quote), []).append(corpus_title(c))
    split = [titles for titles in by_quote.values() if len(titles) > 1]
    assert split, "expected sentences with 城乡 … 分别 figures in the corpus"
    for titles in split:
        assert len(set(titles)) == len(titles), titles
        assert any("城镇" in t for t in titles) and any("农村" in t for t in titles), titles


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        ("2023年，建成10个以上宜居宜业和美乡村。", "宜居宜业和美乡村数"),
        ("2023年，加快推进总投资60.7亿元的神南抽水蓄能电站项目。", "神南抽水蓄能电站项目总投资"),
        ("2023年，启动投资6亿元的国道G234改建工程。", "国道G234改建工程投资"),
        ("2023年，完成90个老旧小区改造。", "老旧小区改造数"),
        ("2023年，全力抓好总投资168.2亿元的38个产业项目建设。", "产业项目总投资"),
        ("2023年，力争“两品一标”认证1个以上。", "两品一标认证数"),
        ("2023年，新建“四好农村路”不少于20公里。", "新建四好农村路里程"),
        ("2023年，新开工装配式建筑达到新建建筑面积的25%以上。", "新开工装配式建筑占新建建筑面积比例"),
        ("2023年，圆满完成省、市20项民生工程。", "民生工程数"),
    ],
)
def test_metric_names_read_both_sides_of_the_number(sentence, metric):
    text = "二、2023年工作安排\n" + sentence + "\n"
    found = [c.metric for c in extract_commitments(text) if c.kind == "quantitative"]
    assert metric in found, found
