"""Normalised matching view: line joining, dropped lines, width unification, offsets back."""

from __future__ import annotations

import pytest

from reports.extraction.text import clean_quote, normalise
from tests.conftest import SAMPLES


def test_line_breaks_and_adjacent_blanks_are_removed():
    n = normalise("累计实现区级税收超 70 \n\n 亿元。\t\n新建")
    assert n.text == "累计实现区级税收超 70亿元。新建"


def test_spaces_inside_a_line_are_kept():
    assert normalise("增长 15%，达到 240 亿元").text == "增长 15%,达到 240 亿元"


def test_page_number_lines_are_dropped():
    original = "外\n\n\n\n3\n\n资 1.32 亿美元\n- 17 -\n第 5 页\n完"
    n = normalise(original)
    assert n.text == "外资 1.32 亿美元完"
    start = n.text.index("外资")
    s, e = n.span(start, start + 2)
    assert original[s:e] == "外\n\n\n\n3\n\n资"


def test_a_line_with_a_number_and_words_is_kept():
    assert normalise("第一段\n15 家企业\n").text == "第一段15 家企业"


def test_word_processor_residue_lines_are_dropped():
    original = "提升水平。\n\n带格式的：字体：非加粗，字体颜色：黑色，(国际) 仿宋_GB2312\n\n全面强化政治引领。"
    n = normalise(original)
    assert n.text == "提升水平。全面强化政治引领。"
    assert "仿宋" not in n.text


def test_full_width_characters_are_unified_one_for_one():
    original = "增长１５．５％（预计）：ＧＤＰ\u3000达"
    n = normalise(original)
    assert n.text == "增长15.5%(预计):GDP 达"
    assert len(n.text) == len(original)
    assert n.to_original(2) == 2


def test_offsets_round_trip_on_every_character():
    original = " 政 府\n\n工作 \n 报告\n3\n增长１５％\n"
    n = normalise(original)
    for i, ch in enumerate(n.text):
        o = n.to_original(i)
        assert original[o].translate({0xFF11: "1", 0xFF15: "5", 0xFF05: "%"}) == ch
    assert n.to_original(len(n.text)) == len(original)


def test_span_maps_end_to_just_after_the_last_kept_character():
    original = "18.5\n\n亿元\n\n下一段"
    n = normalise(original)
    i = n.text.index("18.5亿元")
    assert n.span(i, i + len("18.5亿元")) == (0, original.index("元") + 1)
    assert n.span(3, 3) == (3, 3)


def test_breaks_record_where_lines_were_joined():
    n = normalise("第一行\n第二行\n\n\n第三行")
    assert n.breaks == [3, 6]
    assert n.is_break(3) and not n.is_break(4)


def test_crlf_and_empty_input():
    assert normalise("甲\r\n乙").text == "甲乙"
    empty = normalise("")
    assert empty.text == "" and empty.to_original(0) == 0


def test_clean_quote_follows_the_gold_convention():
    assert clean_quote("建成3-5 个\n\n 社区") == "建成3-5 个社区"


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_samples_map_back_exactly(name):
    original = (SAMPLES / name).read_text(encoding="utf-8")
    n = normalise(original)
    assert "\n" not in n.text
    for i in range(0, len(n.text), 97):
        assert original[n.to_original(i)].translate({0x3000: " "}) in (n.text[i], chr(ord(n.text[i]) + 0xFEE0))


def test_to_text_is_the_inverse_of_to_original():
    original = "甲乙\n\n3\n\n丙 丁\n戊"
    n = normalise(original)
    assert n.text == "甲乙丙 丁戊"
    for i in range(len(n.text)):
        assert n.to_text(n.to_original(i)) == i
    assert n.to_text(original.index("3")) == n.text.index("丙")  # a dropped character maps to the next kept one
    assert n.to_text(0) == 0


def test_unify_width_is_one_for_one():
    from reports.extraction.text import unify_width

    s = "（一）１２３，４５６．７８％：Ａｂ\u3000完"
    assert unify_width(s) == "(一)123,456.78%:Ab 完"
    assert len(unify_width(s)) == len(s)
