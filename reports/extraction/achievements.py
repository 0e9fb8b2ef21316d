"""Achievements: the figures a report gives for the period it reviews.

Pipeline: split the document into sections (`sections.py`) and keep those in review mode; find every number
with its unit in the normalised view (`numbers.py`, which already drops names, codes and ordinals); then, per
sentence, decide for each figure what it measures (metric), how (relation: absolute, growth, share, ratio,
rank), when (as_of, forecast) and whether a following "完成全年目标的 96%" qualifies it (completion ratio).

Offsets (`start`/`end`, `value_start`/`value_end`) index the original text; `quote` is the original quote with
line breaks removed (the gold convention), so full-width punctuation and page residue are kept as written.
"""

from __future__ import annotations

import calendar
import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from reports.extraction.numbers import Quantity, find_quantities
from reports.extraction.records import Achievement
from reports.extraction.sections import Section, describe_document, section_at, split_sections
from reports.extraction.text import NormalisedText, clean_quote, normalise

__all__ = ["canonical_metric", "extract_achievements"]

# The normalised view maps full-width punctuation to ASCII: ， -> ,  ； -> ;  ： -> :  （ -> (
_SENTENCE_END = "。!?"
_CLAUSE_END = ",;:" + _SENTENCE_END
_SENTENCE_END_RE = re.compile(r"[。!?]")

# --- metric names ------------------------------------------------------------------------------------------------

# Garbled or variant names of the headline indicators, mapped to one spelling (shared with commitments).
_SYNONYMS = {
    "社会零售品消费总额": "社会消费品零售总额",
    "社会消费品零售额": "社会消费品零售总额",
    "社会零售总额": "社会消费品零售总额",
    "社零额": "社会消费品零售总额",
    "全社会固定资产总额": "全社会固定资产投资",
    "全社会固定资产投资总额": "全社会固定资产投资",
    "固定资产投资总额": "固定资产投资",
    "固定资产投资额": "固定资产投资",
    "地区生产总值GDP": "地区生产总值",
    "GDP": "地区生产总值",
    "一般公共财政预算收入": "一般公共预算收入",
    "公共财政预算收入": "一般公共预算收入",
    "城镇居民人均可支配收入": "城镇常住居民人均可支配收入",
    "农村居民人均可支配收入": "农村常住居民人均可支配收入",
    "农牧民人均纯收入": "农村牧区常住居民人均可支配收入",
    "CPI涨幅": "居民消费价格涨幅",
    "CPI": "居民消费价格",
}


@lru_cache(maxsize=4096)
def canonical_metric(name: str) -> str:
    """One spelling for a metric name, so that a commitment and next year's result compare equal."""
    name = re.sub(r"[\s*“”\"‘’「」]", "", name)
    name = re.sub(r"^(?:全市|全区|全镇|全县|全国|全省|全旗|全街道|镇域|区域)(?=.{2})", "", name)
    suffix = ""
    for tail in ("增速", "增幅", "增长率"):
        if name.endswith(tail) and len(name) > len(tail):
            name, suffix = name[: -len(tail)], "增速"
            break
    name = _SYNONYMS.get(name, name)
    return name + suffix


_LEAD_NOISE = re.compile(
    r"^(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?:完成|实现|达到)了?(?=[^\d\s,;]{4})|其中|此外|另外|同时|并且|并|且|以及|及|和|与|还|又|共计|合计|总计|累计|共|先后|全年|今年以来|今年|年内|当年"
    r"|一年来|五年来|过去五年|过去一年|五年|截至[^,;:]{0,14}?(?:月底|月末|底|末|日|止|月)|\d{1,2}\s*[-—~至]\s*\d{1,2}\s*月(?:份)?"
    r"|(?:19|20)\d{2}\s*年(?:度|底|末|全年)?|前三季度|上半年|全镇|全区|全市|全县|全国|全省|全旗|镇域(?:内)?|辖区(?:内)?"
    r"|区域内|预计全年|全年预计|预计|力争|已经|已|成功|顺利|有效|积极|全面|进一步|持续|稳步|不断|大力|首次|率先"
    r"|实际|分别|将|把|对|在此基础上|在(?=全|各)|通过[^,;]{0,10}?(?=[累共完实新])|的)\s*"
)
_TAIL_NOISE = re.compile(
    r"(?:完成|实现|达到|达|为|是|突破|超过|超|(?<![签预节合履公特制])约|接近|将近|近|逾|同比|比上年|较上年|比去年|较去年|分别|均|都|共|计|合计|累计|总计"
    r"|不低于|不少于|至少|了|到|至|共计|首次|跃上|稳定在|保持在|控制在|累计达|已达|增加到|增至|提高到|提升至|提高至|上升至"
    r"|下降至|降至|降到|增长到|扩大到|上升到|下降到|减少到|提升到|攀升至|缩短至|缩短到|减少至|高于|低于|占|约占"
    r"|的|每年|年均|平均|全年|当年|连续|新台阶|在|以)\s*$"
)
_GROWTH_WORDS = (
    r"递增|递减|提速|降幅|涨幅|增长|增幅|增速|增加|提高|提升|上升|上涨|攀升"
    r"|下降|减少|降低|回落|下滑|收窄|压减|压缩|缩减|缩短|下跌|增|降|涨|减"
)
_GROWTH_TAIL = re.compile(
    rf"(?:同口径|可比|按可比口径|按可比价计算|按可比价)?(?:同比|比上年|较上年|比去年|较去年|年均|平均|分别)?(?:{_GROWTH_WORDS})(?:了)?\s*$"
)
_DECLINE = re.compile(r"压减|压缩|递减|下降|减少|降低|回落|下滑|收窄|缩减|缩短|下跌|降|减")
_VERB_ONLY = re.compile(
    r"^(?:完成|实现|新建|新建成|建成|建设|新增|新增启动|启动|开展|实施|组织|提供|办理|发放|举办|接待|受理|签约|开工|完工|竣工"
    r"|改造|修缮|落实|引进|培育|创建|打造|建立|组建|设立|解决|化解|排查|检查|整改|走访|慰问|帮助|扶持|兑付|投入|拨付|安置"
    r"|招录|吸纳|培训|推出|出台|开设|覆盖|服务|处置|拆除|排除|新开|开通|种植|栽植|植树|造林|累计|保障|培育|推进|推动|完成了|成立|做到|达到)$"
)
_EVALUATIVE = re.compile(
    r"(?:连续[一二三四五六七八九十\d]+年)?(?:成片化)?(?:成效显著|取得[^,;]*|稳步[^,;]*|持续[^,;]*|不断[^,;]*|显著[^,;]*|有效[^,;]*|明显[^,;]*|进一步[^,;]*"
    r"|全面[^,;]*|扎实[^,;]*|加快[^,;]*|深入[^,;]*|有序[^,;]*|日趋[^,;]*|更加[^,;]*|得到[^,;]*|实现[^,;]*)$"
)
_VERB_START = re.compile(
    r"(?:走访|巡查|检查|受理|办理|开展|完成|实现|化解|调处|排查|签约|发放|接待|组织|举办|服务|帮助|新增|引进|拆除|整改|发现"
    r"|处置|上报|解决|投入|落实|建成|新建|实施|提供|培训|慰问|救助|改造|修缮|吸纳|安置)"
)
_RANK_TAIL = re.compile(
    r"(?:考评|考核|综合排名|排名|名列|位列|位居|排在|列|居|全区|全市|全省|全国|全镇|各镇|各街镇|街镇|中|在|的|,)+$"
)
_LOCATIVE = re.compile(
    r"^在[^,;]{1,14}?((?:建设|新建|开展|实施|完成|设立|建成|开设|举办|组织|打造|推进|落实|培育|创建|发放|提供)\S*)$"
)
_GENERIC_RATE = frozenset({"增速", "年均增速", "增幅", "年均增幅", "涨幅"})
_POST_NOISE = re.compile(r"(?:的?(?:工作|任务|建设工作))$")


_ADJUSTMENT = re.compile(r"(?:剔除|扣除|不含|按可比口径|按同口径)[^,;]{0,14}?(?:后|计算)?\s*(?:完成|实现|达到)?$")


@lru_cache(maxsize=4096)
def _strip_noise(s: str) -> str:
    s = s.strip(" *、()（）")
    s = _ADJUSTMENT.sub("", s)  # "一般公共预算收入剔除虚增空转因素后" -> 一般公共预算收入
    for _ in range(6):
        t = _LEAD_NOISE.sub("", s, count=1)
        t = _TAIL_NOISE.sub("", t)
        t = t.strip(" *、")
        if t == s:
            break
        s = t
    return s


# --- time -----------------------------------------------------------------------------------------------------

_UNTIL_RE = re.compile(
    r"截至\s*(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日|份?\s*(?:底|末)?)"
    r"|(?:((?:19|20)\d{2})\s*年\s*)?1\s*[-—~至到]\s*(\d{1,2})\s*月(?:份)?"
    r"|(前三季度|上半年|一季度|第一季度)"
    r"|(今年以来|年初以来|五年来|过去五年)"
    r"|今年\s*(\d{1,2})\s*月"
)
_FORECAST_RE = re.compile(r"预计可|预计将|可新增|将新增|预计新增")
_YEAR_FORECAST_RE = re.compile(r"全年预计|预计全年|预计")
_RATIO_BEFORE = re.compile(
    r"(?:超额)?完成(?:全年|年度|今年|全年度)?(?:目标|指标|任务|计划)(?:任务)?的?\s*$|(?:全年|年度)(?:目标|指标|任务)完成率(?:为|达)?\s*$"
)
_SCOPE_ONLY = re.compile(r"^(?:全镇|全区|全市|全县|辖区|镇域|区域)(?:内)?(?:共有|现有|共|有)?$")
_CONTEXT_VERB = re.compile(r"(?:统筹|涵盖|下辖|拥有|现有|共有|辖|包括|包含|涉及|覆盖全镇|联动|召集|组建)\s*$")
_QUOTED = re.compile(r"[“\"][^“”\"]{0,12}$")
_BASELINE_RE = re.compile(
    r"(同比)|比(上年同期|上年|去年同期|去年|(?:19|20)\d{2}\s*年(?:底|末)?(?:预计完成数)?)|与\s*((?:19|20)\d{2}\s*年(?:底|末)?)\s*相比"
    r"|较(上年|去年|(?:19|20)\d{2}\s*年(?:底|末)?)"
)
_SCOPE_BEFORE_TOTAL = re.compile(
    r"\s*[\u4e00-\u9fff]{1,6}?(?:共|合计|共计)?(?:完成|实现|贡献|缴纳|上缴)[^,;。]{0,10}?\d[\d.]*\s*[万亿]?元"
)
_YEAR_OF = r"(?:(?:19|20)\d{2}\s*年(?:底|末)?的?)?"
_FIGURE = rf"\s*{_YEAR_OF}\s*[\d.]+\s*[^\s,;、\d]{{0,4}}?"
# "从" + earlier figures of the same list, right before this figure; the list and a "增加到" after it
_FROM_LIST_BEFORE = re.compile(rf"(?:从|由)(?:{_FIGURE}\s*[、和]\s*)*\s*{_YEAR_OF}\s*$")
_TO_AFTER = re.compile(
    r"[^,;。\d]{0,6}?(?:增加|提高|提升|上升|下降|降低|减少|扩大|增长|缩小|攀升|缩短|拓展|扩展|压缩|降)(?:到|至)"
)
_FROM_LIST_AFTER = re.compile(rf"(?:\s*[、和]{_FIGURE})*?(?={_TO_AFTER.pattern})")
_QUALIFIER_TAIL = re.compile(r"(?:近|约|超过|超|逾|不低于|不少于|接近|将近|大约|高于|低于|了)+\s*$")
_ACTION_END = re.compile(r"(?:建设|改造|修复|整治|修缮|安装|改建|新建|提升|治理|拆除|绿化|铺设|更新|贯通)$")
_AREA_UNITS = frozenset({"平方米", "亩", "平方公里", "公顷"})
# Classifier counts get the 数 suffix the commitments use; measures (吨, 公里, 千瓦 …) and money do not.
_COUNT_SUFFIX_UNITS = frozenset(
    {"个", "项", "家", "人", "户", "台", "件", "次", "处", "所", "座", "条", "套", "栋", "幢", "场", "人次", "户次"}
    | {"起", "例", "辆", "间", "部", "支", "张", "份", "宗", "块", "幅", "批", "株", "棵", "艘", "架次", "车次", "班次"}
    | {"家次", "剂次", "轮次", "批次", "场次", "剂", "头", "只"}
)
_ONE_VERB = re.compile(r"(?:建成|新建|建设|打造|成立|开设|新增|设立|引进|落地|创建|获评|完成)\s*$")
_SHARED_SUBJECT = re.compile(r"(?:均|都|皆|全部)\s*(?:达到|达|为|实现|超过)?\s*$")


# Patterns of the per-figure helpers below, compiled once (they run for every figure of every review sentence).
_MILESTONE = re.compile(r"首个|首批|第一个|唯一")
_CONVERSION_END = re.compile(r"(?:折合|约合|合人民币|相当于)\s*$")
_RULES = re.compile(r"规定|条例")
_LIST_OR_CLAUSE_SEP = re.compile(r"[,;:。、和及与]")
_DECREASE_END = re.compile(r"(?:减少|下降)(?:了)?\s*$")
_GROWTH_HINT = re.compile(r"同比|比上年|较上年|增长率|增速|增幅|涨幅|降幅")
_YEAR_WORD = re.compile(r"(?:19|20)\d{2}\s*年(?:度|底|末)?")
_DONE_LEAD = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:完成|实现)(?!率)(?=[^\d\s]{2})")
_CHANGE_END = re.compile(r"(?:增加|增长|减少|下降)(?:了)?\s*$")
_COMPARED = re.compile(r"比|较|同比")
_TOTAL_END = re.compile(r"(?:共|合计|共计)\s*$")
_RATE_NAME_END = re.compile(r"(?:增速|增幅|增长率|涨幅|降幅|率)$")
_PRICE_RISE = re.compile(r"上涨|涨")
_DIGIT = re.compile(r"\d")
_QUOTE_MARKS = re.compile(r"[“”\"‘’]")
_POST_LEAD = re.compile(r"^(?:的|左右|以上|余|多)")
_POST_TAIL = re.compile(r"(?:约|近|超过|超|逾|共|共计|计|达|达到)$")


@dataclass
class _Context:
    nt: NormalisedText
    text: str  # normalised view
    original: str
    sections: list[Section]
    bounds: list[int]  # normalised offsets where a sentence starts (after 。!?, heading lines, footnote lines)
    review_year: int | None
    static: set = field(default_factory=set)  # (value, unit, next characters) of figures found to be context


def extract_achievements(text: str) -> list[Achievement]:
    """Numeric results stated in the review sections of a report, one record per figure, in document order."""
    sections = split_sections(text)
    if not any(s.mode == "review" for s in sections):
        return []
    info = describe_document(text, sections)
    nt = normalise(text)
    ctx = _Context(nt, nt.text, text, sections, _bounds(nt, sections), info.review_year)
    ctx.bounds = sorted({*ctx.bounds, *(m.end() for m in _SENTENCE_END_RE.finditer(nt.text))})
    out: list[Achievement] = []
    groups: dict[tuple[int, int], list[tuple[Quantity, Section]]] = {}
    for q in _review_quantities(nt, sections):
        sec = section_at(sections, nt.to_original(q.start))
        if sec is None or sec.mode != "review":
            continue
        groups.setdefault(_sentence(ctx, q.start), []).append((q, sec))
    for (s_start, s_end), items in groups.items():
        out.extend(_sentence_records(ctx, s_start, s_end, items))
    out.sort(key=lambda a: (a.start, a.value_start or 0))
    return out


def _review_quantities(nt: NormalisedText, sections: list[Section]) -> list[Quantity]:
    """Figures of the review sections only (the number layer is the costly part; plans are often longer)."""
    spans: list[list[int]] = []
    for s in sections:
        if s.mode == "review" and (s.parent is None or sections[s.parent].mode != "review"):
            a, b = _to_norm(nt, s.start), _to_norm(nt, s.end)
            if spans and a <= spans[-1][1] + 20:  # close spans merge, so no figure is found twice
                spans[-1][1] = max(spans[-1][1], b)
            else:
                spans.append([a, b])
    out: list[Quantity] = []
    for a, b in spans:
        a = max(0, a - 8)  # the number layer looks a few characters back (第, 最后, quotation marks)
        for q in find_quantities(nt.text[a : b + 8]):
            q.start += a
            q.end += a
            out.append(q)
    return out


# --- sentences and clauses ---------------------------------------------------------------------------------------


def _to_norm(nt: NormalisedText, orig: int) -> int:
    k = bisect_right(nt.seg_orig, orig) - 1
    if k < 0:
        return 0
    seg_len = (nt.seg_text[k + 1] if k + 1 < len(nt.seg_text) else len(nt.text)) - nt.seg_text[k]
    return nt.seg_text[k] + min(orig - nt.seg_orig[k], seg_len)


def _bounds(nt: NormalisedText, sections: list[Section]) -> list[int]:
    """Sentence boundaries the punctuation does not show: heading lines and footnote lines."""
    out: set[int] = set()
    for s in sections:
        out.add(_to_norm(nt, s.start))
        if s.kind == "footnote":
            out.add(_to_norm(nt, s.end))
        elif s.kind not in ("lead", "target", "colon", "retro"):
            line_end = nt.original.find("\n", s.start)
            line_end = len(nt.original) if line_end < 0 else line_end
            if not any(c in nt.original[s.start : line_end] for c in "。！？"):
                out.add(_to_norm(nt, line_end))  # a heading alone on its line ends there; else 。 ends it
    return sorted(out)


def _sentence(ctx: _Context, i: int) -> tuple[int, int]:
    """[start, end) of the sentence holding normalised offset i."""
    k = bisect_right(ctx.bounds, i)
    start = ctx.bounds[k - 1] if k else 0
    end = ctx.bounds[k] if k < len(ctx.bounds) else len(ctx.text)
    return start, end


def _plain_clause_start(t: str, s_start: int, i: int) -> int:
    """Just after the last , ; or : of t[s_start:i] (s_start when there is none)."""
    return max(t.rfind(",", s_start, i), t.rfind(";", s_start, i), t.rfind(":", s_start, i), s_start - 1) + 1


def _clause_start(t: str, plain_start: int, i: int, prev_end: int | None) -> int:
    """Start of the clause of the figure at i, from the plain one (`_plain_clause_start`): after an earlier figure."""
    start = plain_start
    if prev_end is not None and prev_end > start:
        # a figure listed after another one in the same clause: "54 家、创新型小企业 75 家"
        gap = t[prev_end:i]
        cut = max(gap.rfind("、"), gap.rfind("和"), gap.rfind("及"))
        start = prev_end + cut + 1 if cut >= 0 else prev_end
    while start < i and t[start] in " *":
        start += 1
    return start


# --- records of one sentence -------------------------------------------------------------------------------------


_LONG_SENTENCE = 2000  # characters; real report sentences stay far below this


def _sentence_records(
    ctx: _Context, s_start: int, s_end: int, items: list[tuple[Quantity, Section]]
) -> list[Achievement]:
    t = ctx.text
    out: list[Achievement] = []
    prev: Achievement | None = None  # last record of this sentence
    prev_q: Quantity | None = None
    prev_skipped = False
    from_texts: list[str] = []  # starting points of "从 A、B 增加到 C、D", matched in order
    from_subjects: list[str] = []
    sentence_start = s_start
    for k, (q, sec) in enumerate(items):
        if s_end - sentence_start > _LONG_SENTENCE:
            # A run-on "sentence" of thousands of characters (a table flattened to text, or hostile input):
            # look back a bounded window so each figure costs the same, instead of rescanning from its start.
            s_start = max(sentence_start, q.start - _LONG_SENTENCE // 2)
        clause_start_plain = _plain_clause_start(t, s_start, q.start)
        c_start = _clause_start(t, clause_start_plain, q.start, prev_q.end if prev_q else None)
        pre = t[c_start : q.start]
        pre_full = t[clause_start_plain : q.start]
        same_clause = prev_q is not None and not any(c in t[prev_q.end : q.start] for c in _CLAUSE_END)
        nxt = items[k + 1][0] if k + 1 < len(items) else None
        key = (q.value, q.unit, t[q.end : q.end + 3])
        if key in ctx.static or _skip(t, q, pre, pre_full, prev_skipped and same_clause, nxt):
            if q.unit in _COUNT_SUFFIX_UNITS and not q.chinese:
                ctx.static.add(key)  # "统筹 33 个居民区" here makes "实现 33 个居民区…全覆盖" later context too
            prev_q, prev_skipped = q, True
            continue
        prev_skipped = False
        m = _FROM_LIST_BEFORE.search(pre_full)
        if m and _FROM_LIST_AFTER.match(t, q.end):
            # "由 2010 年的 162.4 亿元增加到 287.9 亿元", "分别从771家、481家增加到1076家、636家": starting points
            if not from_subjects:
                cut = max(pre.rfind("从"), pre.rfind("由"))
                subject = _strip_noise(re.sub(r"分别\s*$", "", pre[: max(cut, 0)]))
                prev = Achievement(
                    quote="", start=0, end=0, extra={"subject": canonical_metric(subject)} if subject else {}
                )
                from_subjects = [x for x in (_strip_noise(p) for p in subject.split("、")) if x]
                from_texts = []
            from_texts.append(re.sub(r"\s+", "", t[q.start : q.end]))
            prev_q = q
            continue
        ratio_ok = prev is not None and prev.completion_ratio is None and prev.unit != "%" and prev.value is not None
        if q.unit == "%" and ratio_ok and _RATIO_BEFORE.search(pre_full):
            prev.completion_ratio = q.value
            prev.implied_target = round(prev.value / q.value * 100, 2) if q.value else None
            prev.end = ctx.nt.span(q.start, q.end)[1]
            prev.quote = clean_quote(ctx.original[prev.start : prev.end])
            prev_q = q
            continue
        rec = _record(ctx, sec, s_start, q, c_start, pre, pre_full, prev, prev_q)
        if from_texts:
            rec.extra["from"] = from_texts.pop(0)
            if from_subjects and len(from_subjects) == len(from_texts) + 1:
                name = from_subjects.pop(0)
                rec.metric = _finish_name(name, rec.relation or "absolute", rec.unit, pre)
                rec.extra["subject"] = canonical_metric(name)
            if not from_texts:
                from_subjects = []
        out.append(rec)
        prev, prev_q = rec, q
    _split_shared_subjects(ctx, out)
    _pair_respective_growth(out)
    return out


def _pair_respective_growth(records: list[Achievement]) -> None:
    """ "总资产 211 亿元，净资产 84 亿元，与 2016 年底相比增长 4.87%和 8.52%": the rates follow the levels in order."""
    growth = [
        r
        for r in records
        if r.relation == "growth" and (r.extra.get("context_subject") or r.metric in ("增速", "涨幅"))
    ]
    if len(growth) == 1 and growth[0].metric in ("增速", "涨幅"):
        _share_one_rate(records, growth[0])
        return
    if len(growth) < 2:
        return
    first = records.index(growth[0])
    if records[first : first + len(growth)] != growth:
        return
    for a, b in itertools.pairwise(growth):
        if (b.value_start or 0) - (a.value_end or 0) > 3:
            return  # only rates listed together ("增长 4.87%和 8.52%")
    levels = [r for r in records[:first] if r.relation == "absolute" and not r.metric.endswith("增量")]
    if len(levels) < len(growth):
        return
    for level, rate in zip(levels[-len(growth) :], growth, strict=True):
        base = level.extra.get("subject") or level.metric
        rate.metric = canonical_metric(base + ("涨幅" if rate.metric.endswith("涨幅") else "增速"))
        rate.extra["subject"] = base


def _share_one_rate(records: list[Achievement], rate: Achievement) -> None:
    """ "A、B 分别达 x、y，分别同比增长 7.8%": one rate for the listed levels, one record per level (same quote)."""
    k = records.index(rate)
    levels = [r for r in records[:k] if r.relation == "absolute"]
    listed = [r for r in levels if r.start == levels[-1].start] if levels else []
    suffix = "涨幅" if rate.metric.endswith("涨幅") else "增速"
    if not listed:
        return
    copies = []
    for level in listed:
        base = level.extra.get("subject") or level.metric
        copy = Achievement(**{**rate.__dict__, "extra": {**rate.extra, "subject": base}})
        copy.metric = canonical_metric(base + suffix)
        copies.append(copy)
    records[k : k + 1] = copies


def _skip(t: str, q: Quantity, pre: str, pre_full: str, prev_skipped: bool, nxt: Quantity | None) -> bool:
    if q.unit is None or (q.chinese and q.value == 0):
        return True  # 零部件
    if q.chinese and t[q.start - 1 : q.start] == "前":
        return True  # 跻身全球城市前五位: a class, not a count
    if t[q.end : q.end + 1] == "的" and _MILESTONE.search(pre):
        return True  # "成为全国首个经济总量突破5万亿元的城市": a milestone threshold
    if _CONVERSION_END.search(pre):
        return True  # a conversion of the figure before
    size_class = q.qualifier_text in ("以上", "以下") and nxt is not None and nxt.start - q.end < 24
    if size_class and not any(c in t[q.end : nxt.start] for c in _CLAUSE_END + "、"):
        return True  # "10 亿元以上重大产业项目 47 个": a size class, not a result
    if q.qualifier_text in ("以上", "以下") and q.unit not in _COUNT_SUFFIX_UNITS | {"%", "‰", "百分点"}:
        after = re.match(r"\s*(?:以上|以下)\s*([\u4e00-\u9fff])", t[q.end : q.end + 6])
        if after and after.group(1) not in "的和及、":
            return True  # "实施10蒸吨以下燃煤锅炉改造": the class of the things, not an amount
    if q.unit == "条" and _RULES.search(pre_full):
        return True  # "中央八项规定、自治区28条": a named set of rules
    if q.chinese and _QUOTED.search(t[max(0, q.start - 12) : q.start]):
        return True  # a name in quotation marks: “三站一场”, “新十条”
    if t[q.start - 1 : q.start] in '“"' and re.match(r"[^“”\",;。]{0,14}[”\"]", t[q.end : q.end + 16]):
        return True  # “15 分钟社区美好生活圈”, “两会期间”
    core = pre.strip(" *")
    if _SCOPE_ONLY.match(core) or _CONTEXT_VERB.search(core):
        return True  # 全镇 121 个小区, 统筹 33 个居民区: the scope, not a result
    if prev_skipped and core.strip("、和及与 ") == "":
        return True  # listed with a skipped scope figure: "召集 15 家条线部门…和 33 个居民区"
    if q.chinese and q.value == 1 and re.search(r"[不无每逐]\S?\s*$", t[max(0, q.start - 3) : q.start]):
        return True  # 不漏一人, 每一户
    if q.unit in ("家", "个") and _SCOPE_BEFORE_TOTAL.match(t, q.end):
        return True  # "92 家企业完成综合税收 6.09 亿元": the scope of the total that follows
    if q.chinese and t[q.start - 1 : q.start] in '”"':
        return True  # “健康风、活力范、智慧芯、时尚潮”四个关键字: a count of the slogan just quoted
    if (
        q.chinese
        and q.unit == "次"
        and (
            re.match(r"[、和]?[^,;。]{0,12}?会", t[q.end : q.end + 14])
            or re.search(r"第[一二三四五六七八九十]+次、$", t[max(0, q.start - 10) : q.start])
        )
    ):
        return True  # 人大一次会议, 第十次、十一次党代会: sessions, not counts
    if q.chinese and q.value == 1 and not q.rank and not _ONE_VERB.search(t[max(0, q.start - 6) : q.start]):
        return True  # 一场硬仗, 一批: idioms; "新建成一所幼儿园" is a count
    # a numeral in a name: 八项规定, 十个最受欢迎…, 司法惠民十项措施
    return q.chinese and t.startswith(("规定", "大", "个方面", "方面", "最", "佳", "措施", "举措", "条", "原则"), q.end)


def _record(
    ctx: _Context,
    sec: Section,
    s_start: int,
    q: Quantity,
    c_start: int,
    pre: str,
    pre_full: str,
    prev: Achievement | None,
    prev_q: Quantity | None,
) -> Achievement:
    t = ctx.text
    relation = _relation(q, pre, prev, prev_q, t)
    value = float(f"{q.value:.12g}")  # 287.9 亿 is 28789999999.999996 in binary
    if relation == "growth" and _DECLINE.search(_growth_word(pre, prev)):
        value = -abs(value)
    after_figure = prev_q is not None and not _LIST_OR_CLAUSE_SEP.search(t[prev_q.end : q.start])
    metric, subject, from_context = _metric(ctx, s_start, c_start, q, pre, pre_full, relation, prev, after_figure)
    if metric.endswith("增量") and _DECREASE_END.search(pre):
        value = -abs(value)  # 比上年减少 300 人
    start, end = ctx.nt.span(c_start, q.end)
    v_start, v_end = ctx.nt.span(q.start, q.end)
    as_of, forecast = _as_of(t, s_start, c_start, q.start, pre_full, sec, ctx.review_year)
    baseline = None
    if relation == "ratio" and q.unit == "倍":
        m = re.search(r"(?:是|为|相当于)([^,;]{1,16}?)的?\s*$", t[c_start : q.start])
        baseline = re.sub(r"[\s“”\"]", "", m.group(1)) if m else None
    if relation == "growth":
        m = _last_match(_BASELINE_RE, t, t.rfind(";", s_start, q.start) + 1 or s_start, q.start)
        if m:
            baseline = re.sub(r"\s+", "", next(g for g in m.groups() if g))
    return Achievement(
        quote=clean_quote(ctx.original[start:end]),
        start=start,
        end=end,
        metric=metric,
        value=value,
        unit=q.unit,
        unit_text=q.unit_text,
        value_text=clean_quote(ctx.original[v_start:v_end]),
        value_start=v_start,
        value_end=v_end,
        relation=relation,
        baseline=baseline,
        qualifier=q.qualifier,
        as_of=as_of,
        is_forecast=forecast,
        period_year=_period(t, s_start, q.start, sec),
        section=sec.path,
        extra={
            "subject": subject,
            **({"context_subject": True} if from_context else {}),
            **({"chinese_numeral": True} if q.chinese else {}),
        },
    )


def _growth_word(pre: str, prev: Achievement | None) -> str:
    m = _GROWTH_TAIL.search(_QUALIFIER_TAIL.sub("", pre.rstrip(" 、和及")))
    if m:
        return m.group(0)
    if prev is not None and prev.relation == "growth" and pre.strip(" 、和及") == "":
        return "下降" if prev.value is not None and prev.value < 0 else "增长"
    return ""


def _relation(q: Quantity, pre: str, prev: Achievement | None, prev_q: Quantity | None, t: str) -> str:
    if q.rank:
        return "rank"
    if q.unit == "ratio":
        return "ratio"
    if q.unit == "倍" and re.search(r"(?:是|为|相当于)[^,;]{0,16}?的?\s*$", pre):
        return "ratio"  # "是 2010 年的 2.6 倍"
    if q.unit in ("%", "‰", "百分点", "倍"):
        core = _QUALIFIER_TAIL.sub("", pre.rstrip(" "))
        if _GROWTH_TAIL.search(core) or _GROWTH_HINT.search(core[-6:]):
            return "growth"
        if q.unit in ("百分点", "倍"):
            return "growth"
        if prev is not None and prev.relation == "growth" and core.strip(" 、和及") == "":
            return "growth"  # "增长 4.87%和 8.52%", "分别下降 32.3%、300%"
        return "share"
    return "absolute"


# --- metric ----------------------------------------------------------------------------------------------------


_UNPARSED_FIGURE = re.compile(
    r"(?:为|达到|达|是)?\s*\d[\d.]*[^\s,;、\u4e00-\u9fff]*(?:[\u4e00-\u9fff]{0,3}/[^\s,;、]*)?、?\s*$"
)


def _metric(
    ctx: _Context,
    s_start: int,
    c_start: int,
    q: Quantity,
    pre: str,
    pre_full: str,
    relation: str,
    prev: Achievement | None,
    after_figure: bool = False,
) -> tuple[str, str, bool]:
    """(metric, subject, from_context): the subject is the indicator without a growth/rank suffix, reused by
    later clauses; from_context tells that the clause itself did not name it."""
    t = ctx.text
    core = pre
    for marker in ("累计", "共计", "合计", "总计", "共"):  # "在各居民区累计开设…" -> "开设…"
        k = core.rfind(marker)
        rest = core[k + len(marker) :].strip(" ") if k > 0 else ""
        named = _strip_noise(_GROWTH_TAIL.sub("", _QUALIFIER_TAIL.sub("", rest)))
        if len(named) >= 2 and (marker != "共" or _VERB_START.match(rest)):
            core = rest  # "单位生产总值能耗累计下降 14%" keeps its indicator
    core = _BASELINE_RE.sub("", core)
    core = _UNPARSED_FIGURE.sub("", core)  # "PM2.5年均浓度为26.3微克/立方米、下降 7.4%"
    core = _YEAR_WORD.sub("", core)
    m = _DONE_LEAD.match(core)
    if m and not _VERB_ONLY.match(core[: m.end()]):
        core = core[m.end() :]  # "企业完成综合税收" -> 综合税收
    increment = ""
    if relation == "absolute":
        m = _CHANGE_END.search(core)
        if m and (_COMPARED.search(pre) or not core[: m.start()].strip()):
            increment = "增量"  # "比 2010 年增加 13480 元"
            core = core[: m.start()]
    if relation == "growth":
        core = _GROWTH_TAIL.sub("", _QUALIFIER_TAIL.sub("", core.rstrip(" ")))
    if relation == "rank":
        core = _RANK_TAIL.sub("", core.rstrip(" "))
    if relation == "ratio" and q.unit == "倍":
        core = re.sub(r"(?:是|为|相当于)[^,;]{0,16}?的?\s*$", "", core)
    core = _strip_noise(core)
    m = _LOCATIVE.match(core)
    if m:
        core = m.group(1)
    clause = pre_full  # the whole clause before the figure
    if core.endswith(("等", "在内")) or ("、" in clause and _TOTAL_END.search(pre)):
        core = ""  # "和欣国际、新梅绿岛苑等 8 个社区花园": names, the object follows
    own = len(core) >= 2 and not _VERB_ONLY.match(core)
    if len(core) < 2:
        core = ""
    subject = ""
    takes_object = relation == "absolute" and q.unit in _COUNT_SUFFIX_UNITS | _AREA_UNITS
    if takes_object and ((after_figure and len(core) <= 4) or (q.chinese and "、" in pre)):
        # "7 家企业 18 名企业高管…": 企业 is what the 7 counts; "培育刘三、中泾两处生境花园": names, then the thing
        post = _post_object(t, q.end)
        if post:
            core, own = (core + post if _VERB_ONLY.match(core) else post), True
    if "分别" in t[s_start : q.start]:
        own = bool(core)  # subjects listed before 分别 are assigned afterwards; none: the levels' (pairing)
    elif not own:
        post = _post_object(t, q.end) if relation not in ("growth", "rank", "ratio") and not increment else ""
        if post:
            core = (core + post) if core else post
            own = True
        else:
            subject = _context_subject(t, s_start, c_start, prev, previous_clause=not core)
            core = subject + core if subject and subject != core else core
    elif (
        relation == "absolute"
        and not increment
        and q.unit in _COUNT_SUFFIX_UNITS | _AREA_UNITS
        and (post := _post_object(t, q.end))
        and _ACTION_END.search(post)
        and not core.endswith(post)
    ):
        core = core + post  # "8 个老旧小区 22 万平方米精品小区建设": the area is of the 建设 that follows
    elif relation == "growth" and canonical_metric(core) in _GENERIC_RATE:
        subject = _context_subject(t, s_start, c_start, prev)  # "…实现长效增长，年均增长率 20.52%"
        core = subject + core if subject else core
        subject = ""
    elif relation == "share" and len(core) <= 3 and core.endswith("率"):
        subject = _context_subject(t, s_start, c_start, prev)  # "…，满意率 98.4%": whose satisfaction
        core = subject + core if subject and len(subject) <= 12 and not subject.endswith("率") else core
        subject = ""
    elif q.unit == "%" and relation == "share":
        m = re.match(r"\s*(满意|达标|覆盖|完成|合格|知晓)", t[q.end : q.end + 4])
        if m and not core.endswith("率"):
            core += m.group(1) + "率"  # "代表对办理结果 100%满意"
    if len(core) > 24:
        core = core[-24:]
    subject = subject or canonical_metric(core)
    if increment:
        core += "增量"  # the commitments' name for an absolute change (比上年增加 1.6 万亿元)
    else:
        core = _finish_name(core, relation, q.unit, pre, canonical=False)
    return canonical_metric(core), subject, not own


def _finish_name(core: str, relation: str, unit: str | None, pre: str, canonical: bool = True) -> str:
    """The suffix the commitments use for the kind of figure: 增速/涨幅, 排名, 倍数, 面积, 数/人数/户数."""
    if relation == "growth" and not _RATE_NAME_END.search(core):
        core += "涨幅" if _PRICE_RISE.search(pre[-6:]) else "增速"
    elif relation == "rank" and not core.endswith(("排名", "名次")):
        core += "排名"
    elif relation == "ratio" and unit == "倍":
        core += "倍数"
    elif relation == "absolute" and core and unit in _AREA_UNITS:
        core += "" if core.endswith("面积") else "面积"
    elif relation == "absolute" and core and unit in _COUNT_SUFFIX_UNITS and not core.endswith(("数", "量", "率")):
        core += {"人": "人数", "户": "户数"}.get(unit, "数")  # as the commitments: 国民体质测试人数
    return canonical_metric(core) if canonical else core


# Where the object after a figure stops: the first of these within 30 characters (one search, not one find each).
_POST_STOPS = (*_CLAUSE_END, "、", "和", "以及", "及", "与", "获", "被", "成为", "开展", "实现", "达到", "纳入")
_POST_STOP = re.compile("|".join(map(re.escape, _POST_STOPS)))


def _post_object(t: str, end: int) -> str:
    """What a figure counts when it follows the verb: "完成 20 户家庭适老化改造" -> 家庭适老化改造."""
    m = _POST_STOP.search(t, end, end + 30)
    stop = m.start() if m else len(t)
    post = t[end:stop].strip(" *")
    digit = _DIGIT.search(post)
    if digit:
        post = post[: digit.start()]
        post = post[: post.rfind("的")] if "的" in post else post
    post = post.strip(" *")
    post = _EVALUATIVE.sub("", _QUOTE_MARKS.sub("", post))
    if not post or len(post) > 20:
        return ""
    post = _POST_LEAD.sub("", post)
    post = _POST_TAIL.sub("", post)  # "6 个地块约 300 亩": the next figure's
    post = _POST_NOISE.sub("", post)
    return post if 2 <= len(post) <= 16 else ""


def _context_subject(t: str, s_start: int, c_start: int, prev: Achievement | None, previous_clause: bool = True) -> str:
    """The subject a clause leaves out: that of the previous figure of the sentence, else the sentence's opening
    clause ("加装电梯成片化成效显著，全年完工 16 台")."""
    if prev is not None and prev.extra.get("subject"):
        return prev.extra["subject"]
    before = t[s_start:c_start]
    clauses = [c for c in re.split(r"[,;:]", before) if c.strip()] if before else []
    for clause in clauses[:1] + (clauses[-1:] if previous_clause else []):  # opening clause, else the one before
        name = re.split(r"\d", _strip_noise(clause))[0]
        name = _strip_noise(_EVALUATIVE.sub("", _strip_noise(name)))
        name = re.sub(r"^(?:推动|推进|做好|加强|加快|开展|深化|强化)", "", name)
        if 2 <= len(name) <= 16:
            return name
    return ""


def _split_shared_subjects(ctx: _Context, records: list[Achievement]) -> None:
    """Subjects listed before 分别 get one figure each: "A类、B类、C类案件接警数分别下降 1%、2%、3%"."""
    t = ctx.text
    i = 0
    while i < len(records):
        r = records[i]
        n_start = _to_norm(ctx.nt, r.start)
        n_value = _to_norm(ctx.nt, r.value_start or r.start)
        pre = t[n_start:n_value]
        k = pre.find("分别")
        if k < 0:
            i += 1
            continue
        group = [r]
        j = i + 1
        while j < len(records) and _to_norm(ctx.nt, records[j].start) >= n_value:
            gap = t[_to_norm(ctx.nt, group[-1].value_end) : _to_norm(ctx.nt, records[j].value_start)]
            if gap.strip(" ") not in ("、", "和", "及", ",", "，"):
                break
            group.append(records[j])
            j += 1
        subjects = [s for s in re.split(r"[、和及]", pre[:k]) if s.strip()]
        if len(subjects) != len(group):
            subjects = [s for s in pre[:k].split("、") if s.strip()]  # "金融业、软件和信息服务业增加值"
        if len(group) == 2 and len(subjects) == 1 and "城乡" in subjects[0]:
            # "城乡常住居民人均可支配收入分别完成37820元、28104元": 城镇 then 农村
            subjects = [subjects[0].replace("城乡", "城镇", 1), subjects[0].replace("城乡", "农村", 1)]
        if len(subjects) == len(group) > 1:
            names = [_strip_noise(s) or s.strip(" *") for s in subjects]
            tail = _shared_tail(names[0], names[-1])
            for name, rec in zip(names, group, strict=True):
                if tail and not name.endswith(tail):
                    name += tail
                rec.metric = _finish_name(name, rec.relation or "absolute", rec.unit, pre)
                rec.extra["subject"] = canonical_metric(name)
                rec.start, rec.quote = r.start, clean_quote(ctx.original[r.start : group[-1].value_end])
                rec.end = group[-1].value_end
        i = j


_PARALLEL = frozenset({"城镇", "农村", "城市", "乡村", "农牧", "牧区", "城乡", "男性", "女性", "出口", "进口"})
_INDICATOR_NOUN = re.compile(
    r"(?:进出口总额|进出口额|投资|增加值|收入|销售额|营业额|产值|产量|总额|利润|进出口额|出口额|进口额|贷款余额|余额|接警数|人数|户数|面积)$"
)


def _shared_tail(first: str, last: str) -> str:
    """What the listed subjects share, written once after the last one (报警类、…毒品类案件接警数 -> 案件接警数)."""
    if not first or not last:
        return ""
    k = last.rfind(first[-1])
    if 0 < k < len(last) - 1:
        return last[k + 1 :]  # the first subject ends where the shared part begins in the last one
    k = max(last.rfind(c) for c in "区省市县镇类业")
    if 0 < k < len(last) - 1:
        return last[k + 1 :]  # "全国和自由贸易试验区负面清单条数" -> 负面清单条数
    if len(last) <= len(first) + 1:
        return ""
    if first in _PARALLEL or last[: len(first)] in _PARALLEL:
        return last[len(first) :]  # "城镇和农村居民人均可支配收入": parallel short qualifiers
    m = _INDICATOR_NOUN.search(last)
    return m.group(0) if m and not first.endswith(m.group(0)) else ""


_MULTI_YEAR = re.compile(
    r"年均|五年|十[一二三四五六七八九]五|过去五年|(?:19|20)\d{2}\s*年(?:的|底)?[^,;。]{0,20}?(?:增加|提高|增长)到"
)


_SINCE_FOUNDING = re.compile(r"(?:成立|组建|建立|设立|运营)以来")


def _period(t: str, s_start: int, q_start: int, sec: Section) -> str | None:
    """The section's year, or the five years ending with it for 年均/五年/十二五 figures of a one-year review."""
    year = sec.year
    if _SINCE_FOUNDING.search(t, s_start, q_start):
        return "since founding"  # 自经联社成立以来累计分配收益 5.11 亿元
    if year and len(year) == 4 and _MULTI_YEAR.search(t, s_start, q_start):
        return f"{int(year) - 4}-{year}"
    return year


def _last_match(pattern: re.Pattern, t: str, start: int, end: int) -> re.Match | None:
    last = None
    for last in pattern.finditer(t, start, end):  # noqa: B007
        pass
    return last


def _as_of(t: str, s_start: int, c_start: int, q_start: int, clause_full: str, sec: Section, review_year: int | None):
    year = sec.year if sec.year and len(sec.year) == 4 else None
    y = int(year) if year else (int(sec.year[-4:]) if sec.year else review_year)
    clause = t[c_start:q_start]
    if _FORECAST_RE.search(clause_full) or _FORECAST_RE.search(clause):
        return "projection", True
    if _YEAR_FORECAST_RE.search(clause_full):
        return (f"{y}-forecast" if y else "forecast"), True
    m = _last_match(_UNTIL_RE, t, s_start, q_start)
    if m and y:
        if m.group(2):
            yy = int(m.group(1) or y)
            month = int(m.group(2))
            day = int(m.group(3)) if m.group(3) else calendar.monthrange(yy, month)[1] if 1 <= month <= 12 else 1
            if 1 <= month <= 12:
                return f"{yy}-{month:02d}-{day:02d}", False
        if m.group(5):
            yy = int(m.group(4) or y)
            month = int(m.group(5))
            if 1 <= month <= 12:
                return f"{yy}-{month:02d}-{calendar.monthrange(yy, month)[1]:02d}", False
        if m.group(6):
            month = {"前三季度": 9, "上半年": 6, "一季度": 3, "第一季度": 3}[m.group(6)]
            return f"{y}-{month:02d}-{calendar.monthrange(y, month)[1]:02d}", False
        if m.group(7):
            return f"{y}-ytd", False
        if m.group(8):
            return f"{y}-{int(m.group(8)):02d}", False
    if sec.year and len(sec.year) > 4:
        return f"{sec.year[-4:]}-ytd", False
    return (year or (str(y) if y else None)), False
