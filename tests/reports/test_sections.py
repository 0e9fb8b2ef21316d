"""Document structure: headings, hierarchy, paths, review/plan mode and years."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reports.extraction.sections import describe_document, section_at, split_sections

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def _gold_dir() -> Path | None:
    for d in (ROOT / "tests" / "data" / "gold", SHARED / "seeds" / "gold"):
        if (d / "003_8d55160e06e9d7cd.json").exists():
            return d
    return None


def _sample(stem: str) -> str:
    return next(SAMPLES.glob(f"{stem}*.txt")).read_text(encoding="utf-8")


def _tops(sections):
    return [s for s in sections if s.parent is None]


# --- the five samples ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "kind", "review", "plan", "date"),
    [
        ("000", "work_report", 2021, 2022, "2021-12-15"),
        ("001", "plan", None, 2022, "2022-01-13"),
        ("002", "work_report", 2022, 2023, "2022-12-27"),
        ("003", "work_report", 2022, 2023, "2023-01-05"),
        ("004", "work_report", 2022, 2023, "2022-12-29"),
    ],
)
def test_document_kind_years_and_date(stem, kind, review, plan, date):
    info = describe_document(_sample(stem))
    assert (info.doc_kind, info.review_year, info.plan_year, info.date) == (kind, review, plan, date)


def test_000_reviews_five_years_sets_five_year_goals_and_plans_2022():
    tops = _tops(split_sections(_sample("000")))
    assert [(s.heading, s.mode, s.year) for s in tops] == [
        ("一、过去五年工作的回顾", "review", "2017-2021"),
        ("二、今后五年的目标任务", "plan", "2022-2026"),
        ("三、2022 年主要工作", "plan", "2022"),
    ]


def test_000_children_inherit_mode_and_year():
    sections = split_sections(_sample("000"))
    children = [s for s in sections if s.parent is not None and sections[s.parent].heading.startswith("三、")]
    assert len([s for s in children if s.kind == "1."]) == 6
    assert {(s.mode, s.year) for s in children} == {("plan", "2022")}
    first = [s for s in sections if s.parent is not None and sections[s.parent].heading.startswith("一、")]
    assert first[0].path == "一、过去五年工作的回顾 > 1.保持定力推动转型升级"
    assert {(s.mode, s.year) for s in first} == {("review", "2017-2021")}


def test_001_is_all_plan():
    sections = split_sections(_sample("001"))
    assert sections
    assert {s.mode for s in sections} == {"plan"}
    assert {s.year for s in sections} == {"2022"}


def test_002_restarted_numbering_nests_inside_the_review():
    sections = split_sections(_sample("002"))
    tops = _tops(sections)
    assert [(s.heading, s.mode, s.year) for s in tops] == [
        ("一、2022年工作回顾", "review", "2022"),
        ("二、2023年主要任务", "plan", "2023"),
    ]
    review_children = [s for s in sections if s.parent == sections.index(tops[0])]
    assert [s.heading for s in review_children] == [
        "一、紧握发展主线",
        "二、紧贴民生需求",
        "三、紧扣生态主题",
        "四、紧抓精细管理",
        "五、紧秉法治思维",
    ]
    assert all(s.mode == "review" for s in sections if s.start < tops[1].start)
    first_sub = next(s for s in sections if s.heading == "（一）经济发展彰显韧性")
    assert first_sub.path == "一、2022年工作回顾 > 一、紧握发展主线 > （一）经济发展彰显韧性"
    assert first_sub.level == 3


def test_002_inline_list_items_are_not_headings_but_the_list_labels_are():
    sections = split_sections(_sample("002"))
    assert not [s for s in sections if re.match(r"（(七|十四)）", s.heading)]
    labels = [s.heading for s in sections if s.kind == "colon"]
    assert "2023年主要民生实事项目（15项）" in labels
    assert "2023年重大工程建设项目（15项）" in labels
    target = next(s for s in sections if s.kind == "target")
    assert (target.mode, target.year) == ("plan", "2023")


def test_003_lead_sentences_footnotes_and_target_paragraph():
    text = _sample("003")
    sections = split_sections(text)
    at = section_at(sections, text.index("全年预计完成区级地方财政收入"))
    assert at.path == "一、2022 年工作回顾 > （一）经济运行情况稳中向好 > 经济指标稳步回升"
    assert (at.kind, at.level, at.mode, at.year) == ("lead", 3, "review", "2022")
    note = section_at(sections, text.index("报警类、两抢类"))
    assert note.kind == "footnote"
    assert note.path.endswith("平安建设行稳致远 > 脚注²")
    target = section_at(sections, text.index("社会消费品零售总额力争完成"))
    assert target.path == "二、2023 年工作安排 > 主要预期目标"
    assert (target.mode, target.year) == ("plan", "2023")


def test_004_bare_headings_without_numbers():
    sections = split_sections(_sample("004"))
    tops = _tops(sections)
    assert [(s.heading, s.kind, s.mode, s.year) for s in tops] == [
        ("2022 年主要工作回顾", "bare", "review", "2022"),
        ("2023年工作总体安排", "bare", "plan", "2023"),
    ]
    review_subs = [s.heading for s in sections if s.parent == 0 and s.kind == "（一）"]
    assert len(review_subs) == 6  # the sixth is written "(六)" with half-width parentheses
    plan_subs = [s for s in sections if s.parent == sections.index(tops[1]) and s.kind == "（一）"]
    assert len(plan_subs) == 8


def test_sections_nest_and_cover_their_children():
    for path in sorted(SAMPLES.glob("*.txt")):
        sections = split_sections(path.read_text(encoding="utf-8"))
        for s in sections:
            assert s.start <= s.end
            if s.parent is not None:
                p = sections[s.parent]
                assert p.start <= s.start and s.end <= p.end, (path.name, s.path)
                assert s.level == p.level + 1
                assert s.path.startswith(p.path + " > ")
        starts = [s.start for s in sections]
        assert starts == sorted(starts)


@pytest.mark.skipif(_gold_dir() is None, reason="gold annotations (../shared/seeds/gold) are not available")
@pytest.mark.parametrize("stem", ["001_36a30e4d42ff877c", "003_8d55160e06e9d7cd"])
def test_paths_and_modes_match_the_gold_records(stem):
    gold = json.loads((_gold_dir() / f"{stem}.json").read_text(encoding="utf-8"))
    text = (SAMPLES / gold["doc"]).read_text(encoding="utf-8")
    sections = split_sections(text)
    records = [("plan", r) for r in gold["commitments"]] + [("review", r) for r in gold["achievements"]]
    wrong = []
    for mode, r in records:
        s = section_at(sections, r["start"])
        year = r.get("plan_year") or r.get("period_year")
        if s is None or s.path != r["section"] or s.mode != mode or s.year != year:
            wrong.append((r["id"], s and s.path, r["section"]))
    assert not wrong


# --- corpus ------------------------------------------------------------------------------------------------------

CORPUS_FILES = sorted(CORPUS.glob("*_review*_targets*.txt")) if CORPUS.exists() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="corpus (../shared/corpus) is not available")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_years_follow_the_file_name(path):
    review, plan = (int(y) for y in re.search(r"review(\d{4})_targets(\d{4})", path.name).groups())
    text = path.read_text(encoding="utf-8")
    sections = split_sections(text)
    info = describe_document(text, sections)
    assert (info.doc_kind, info.review_year, info.plan_year) == ("work_report", review, plan)
    tops = _tops(sections)
    first_review = next(s for s in tops if s.mode == "review")
    assert first_review.year == str(review)
    assert any(s.mode == "plan" and s.year == str(plan) for s in tops)
    assert tops.index(first_review) < next(i for i, s in enumerate(tops) if s.mode == "plan")
    # the 主要预期目标 paragraph is a plan section of the plan year
    target = [s for s in sections if s.kind == "target"]
    assert target and all((s.mode, s.year) == ("plan", str(plan)) for s in target)


# --- synthetic layouts -------------------------------------------------------------------------------------------


def test_heading_broken_across_lines_and_page_numbers():
    text = (
        "一、2022年工作回顾\n\n过去一年，我们完成了任务。\n\n"
        "（一）经济发展彰显韧\n\n性。全年税收增长5%。\n\n12\n\n"
        "二、2023年工作安\n排\n\n今年要再接再厉。\n"
    )
    sections = split_sections(text)
    assert [(s.heading, s.level, s.mode, s.year) for s in sections] == [
        ("一、2022年工作回顾", 1, "review", "2022"),
        ("（一）经济发展彰显韧性", 2, "review", "2022"),
        ("二、2023年工作安排", 1, "plan", "2023"),
    ]
    assert section_at(sections, text.index("5%")).heading == "（一）经济发展彰显韧性"
    assert not [s for s in sections if s.heading in ("12", "排")]
    assert section_at(sections, text.index("再接再厉")).heading == "二、2023年工作安排"


def test_numbers_at_line_starts_are_not_headings():
    text = "一、2022年工作回顾\n\n全年实现税收\n1.5亿元，增长\n2、3月受疫情影响。\n\n二、2023年工作安排\n\n今年……\n"
    headings = [s.heading for s in split_sections(text)]
    assert headings == ["一、2022年工作回顾", "二、2023年工作安排"]


def test_cue_less_top_section_follows_the_previous_one_and_five_year_plans_get_a_span():
    text = (
        "一、2018年工作回顾\n\n全年完成任务。\n\n二、“十三五”时期的主要目标\n\n到2020年……\n\n"
        "三、2019年工作安排\n\n今年……\n\n四、加强政府自身建设\n\n（一）铸忠诚。坚持……\n"
    )
    tops = [(s.heading, s.mode, s.year) for s in split_sections(text) if s.parent is None]
    assert tops == [
        ("一、2018年工作回顾", "review", "2018"),
        ("二、“十三五”时期的主要目标", "plan", "2016-2020"),
        ("三、2019年工作安排", "plan", "2019"),
        ("四、加强政府自身建设", "plan", "2019"),
    ]


def test_past_five_years_without_explicit_years_uses_the_document_years():
    text = "——2021年12月15日在某镇人民代表大会上\n\n一、过去五年工作的回顾\n\n五年来……\n\n二、2022年主要工作\n\n……\n"
    sections = split_sections(text)
    assert [(s.mode, s.year) for s in sections] == [("review", "2017-2021"), ("plan", "2022")]
    info = describe_document(text)
    assert (info.review_year, info.plan_year, info.date) == (2021, 2022, "2021-12-15")


def test_section_at_outside_any_section_and_empty_text():
    text = "各位代表：\n\n一、2022年工作回顾\n\n……\n"
    sections = split_sections(text)
    assert section_at(sections, 0) is None
    assert section_at(sections, text.index("……")).heading == "一、2022年工作回顾"
    assert split_sections("") == []
    assert describe_document("").doc_kind == "other"


def test_a_look_back_paragraph_inside_a_five_year_plan_section_is_a_review():
    text = (
        "——2026年2月3日在某市人民代表大会上\n\n一、2025年工作回顾\n\n全年生产总值增长5%。\n\n"
        "二、关于第十五个五年规划纲要的说明\n\n“十四五”时期，发展历程极不平凡。这五年，生产总值从4万亿元增加到5万亿元。\n\n"
        "“十五五”时期具有承前启后的重要地位。到2030年，生产总值迈上新台阶。\n\n三、2026年主要任务\n\n……\n"
    )
    sections = split_sections(text)
    back = section_at(sections, text.index("这五年"))
    assert (back.kind, back.mode, back.year) == ("retro", "review", "2021-2025")
    ahead = section_at(sections, text.index("到2030年"))
    assert ahead.path.startswith("二、关于第十五个五年规划纲要的说明")
    assert (ahead.mode, ahead.year) == ("plan", "2026-2030")


def test_a_ratio_at_a_line_start_is_not_a_label():
    text = (
        "一、2023年工作安排\n\n实现充电装置与电瓶车保有量达到1:4。\n\n"
        "2023年主要民生实事项目（15项）：（一）社区配套建设；\n"
    )
    kinds = [(s.kind, s.heading) for s in split_sections(text)]
    assert kinds == [("一、", "一、2023年工作安排"), ("colon", "2023年主要民生实事项目（15项）")]


def test_section_at_agrees_with_a_plain_scan():
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sections = split_sections(text)
        for offset in range(0, len(text), 37):
            containing = [s for s in sections if s.start <= offset <= s.end]
            expected = max(containing, key=lambda s: (s.level, s.start)) if containing else None
            assert section_at(sections, offset) is expected, (path.name, offset)
        review_only = [s for s in sections if s.mode == "review"]  # a filtered list still works
        for s in review_only:
            assert section_at(review_only, s.start) is s


def test_full_width_numbers_plain_word_cues_and_a_date_in_chinese_numerals():
    text = "——二〇二三年一月五日在某镇人民代表大会上\n\n１．2022年工作情况\n\n全年完成。\n\n２．2023年工作打算\n\n……\n"
    sections = split_sections(text)
    assert [(s.heading, s.mode, s.year) for s in sections] == [
        ("１．2022年工作情况", "review", "2022"),
        ("２．2023年工作打算", "plan", "2023"),
    ]
    assert describe_document(text).date == "2023-01-05"


def _rewrap(text: str, width: int = 28) -> str:
    lines: list[str] = []
    for paragraph in filter(None, (p.strip() for p in text.split("\n"))):
        for i in range(0, len(paragraph), width):
            lines.append(paragraph[i : i + width])
            if len(lines) % 41 == 40:
                lines.append(str(len(lines) // 41 + 1))
    return "\n\n".join(lines)


@pytest.mark.parametrize("stem", ["003", "004"])
def test_a_pdf_wrapped_layout_gives_the_same_structure(stem):
    text = _sample(stem)
    plain = [(s.heading, s.mode, s.year) for s in split_sections(text) if s.kind not in ("lead", "colon")]
    wrapped = [(s.heading, s.mode, s.year) for s in split_sections(_rewrap(text)) if s.kind not in ("lead", "colon")]
    assert wrapped == plain


def test_parts_and_chapters_sit_above_the_numbered_lists():
    text = (
        "第一部分 2022年工作回顾\n\n一、经济发展\n\n全年税收增长5%。第一，我们完成了任务。\n\n二、社会事业\n\n……\n\n"
        "第二部分 2023年工作安排\n\n一、目标\n\n……\n"
    )
    got = [(s.level, s.path, s.mode, s.year) for s in split_sections(text)]
    assert got == [
        (1, "第一部分 2022年工作回顾", "review", "2022"),
        (2, "第一部分 2022年工作回顾 > 一、经济发展", "review", "2022"),
        (2, "第一部分 2022年工作回顾 > 二、社会事业", "review", "2022"),
        (1, "第二部分 2023年工作安排", "plan", "2023"),
        (2, "第二部分 2023年工作安排 > 一、目标", "plan", "2023"),
    ]
