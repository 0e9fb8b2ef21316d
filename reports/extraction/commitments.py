"""Commitments (目标任务) of the plan sections of a report: quantitative targets, deliverables, conditions.

Pipeline: normalise the text (offsets kept), split it into sections (review / plan), cut the plan sections into
sentences (。；！？ and section starts) and clauses (，：), then read each clause:

* every value from the number layer becomes a quantitative record; the words before it give the metric,
  the relation (增长 -> growth, …率 -> share, 1:4 -> ratio) and the comparator (不少于 -> >=, 以内 -> <=,
  左右 -> ~, 3-5 -> range, 力争 X -> >=); a later clause "力争超额完成 Y" becomes the stretch of the target
  before it; one figure for several metrics ("先行联系率、按时办结率100%") gives one record per metric;
* clauses without a value are checked for hard conditions (确保无重大安全事故, 完成区下达的…指标,
  控制在市下达指标以内, 不低于全区平均水平) and deliverables (a checkable verb with a named project or facility:
  完成/建成/建设/开工/启用/启动/打造 …, or "X 投入使用 / 开工 / 竣工");
* inline numbered lists ("（一）…；（二）…；") give one deliverable per item.

Offsets (`start`/`end`, `value_start`/`value_end`, `stretch_start`/`stretch_end`) index the original text;
`quote` is the original span with line breaks removed (gold convention).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from reports.extraction.numbers import Quantity, find_quantities
from reports.extraction.records import Commitment
from reports.extraction.sections import Section, split_sections
from reports.extraction.text import NormalisedText, clean_quote, normalise, unify_width
from reports.extraction.units import chinese_to_int

_SENTENCE_END = re.compile(r"[。;!?]")
# "," separates clauses except inside a thousands group (1,200); ":" ends a lead-in. Same matches as
# r"(?<!\d),|,(?!\d{3}(?!\d))|(?<!\d):|:(?!\d)", written to start with the literal so the engine jumps from one
# candidate character to the next instead of trying four alternatives at every position (~4x faster).
_CLAUSE_SEP = re.compile(r",(?:(?<!\d,)|(?!\d{3}(?!\d)))|:(?:(?<!\d:)|(?!\d))")

_LEAD = re.compile(
    r"^(?:\*+|\s+|[、(\[“”\"]|到?20\d\d\s*年(?:度|底)?|今年|明年|全年|年内|年底前?|到年底|本年度|其中|同时|并且?|以及|和|及|"
    r"要|将|力争|努力|争取|确保|全力以赴|全力|积极|继续|进一步|持续|着力|加快|全面|实现|预计|计划|拟|主要|"
    r"(?:主要)?(?:预期)?目标(?:任务)?(?:是|为)|安排|使|让|完成|左右|以上|以内|以下)+"
)
_TRAIL = re.compile(
    r"(?:\s|\*|[(\[“]|力争|达到|达|完成|实现|为|保持在|保持|控制在|稳定在|突破|超过|超|拟按|按|拟安排|安排|拟发行|发行|"
    r"计划|新增|累计|共|约|近|不少于|不低于|至少|不超过|不高于|均|都|分别|提高到|提高至|提升至|提升到|增加到|达成|确保|以上|"
    r"左右|以内|从|有|再|又|继续|进一步|全年|今年|年内|年底前|当年|全部|、|(?:提高|提升|增加|增长|扩大|上升|下降|降低|减少|缩短|压缩|控制|降)(?:到|至))+$"
)
_GROWTH_TAIL = re.compile(
    r"(?P<base>同比|比\s*[^,;。增提降减]{1,24}?|较\s*[^,;。增提降减]{1,16}?|按可比口径|年均)?\s*"
    r"(?P<verb>增长|增幅|增速|上涨|涨幅|降幅|提高|提升|下降|降低|减少|回落|压减|增加|递增|递减)(?:率)?"
    r"(?:为|达到|达|保持在|控制在|均为)?\s*(?:分别|均|都)?\s*(?:不低于|不少于|超过|至少|约|近|不超过)?\s*$"
)
# A clause that only raises the bar of the target before it: "，力争超额完成 24亿元" / "，力争 7%".
_STRETCH_LEAD = re.compile(
    r"^[\s*]*(?:并|且|同时)?(?:力争|争取)(?:超额完成|超额|突破|达到|实现|完成|超过)?\s*$|^[\s*]*(?:并|且)?力争超额"
)
_PAST = re.compile(r"截至|截止|目前|现有|已有|已经|过去|去年|上年|累计已")
_PAST_BASELINE = re.compile(r"(?:比|较)\s*(?:上年|去年)")
_CN_COUNT_VERB = re.compile(
    r"投入|投资|安排|拨付|筹措|完成|建成|新建|建设|打造|实施|新增|改造|培育|引进|开展|举办|创建|推出|设立|开设|启动|出让|落地"
)

_DECLINE = {"下降", "降低", "减少", "回落", "降幅", "压减", "递减"}
_AREA = {"平方米", "亩", "平方公里", "公顷"}
_MONEYISH = {"元", "美元", "欧元", "港元"}

# Conditions: hard conditions and targets tied to a figure the text does not give.
_CONDITIONS = [
    (re.compile(r"确保(?:全年)?(?:无|不发生|杜绝)(?P<m>[^,;。]{0,14}?(?:事故|事件|案件))"), None, None, None),
    (
        re.compile(
            r"(?:完成|落实)[^,;。]{0,12}?(?P<b>(?:区|市|县|省|自治区|上级|国家)(?:政府)?下达的?)(?P<m>[^,;。]{0,30}?(?:指标|任务|目标))"
        ),
        None,
        None,
        None,
    ),
    (
        re.compile(
            r"(?P<m>[^,;。]{0,24}?)控制在(?P<b>(?:市|区|县|省|上级|国家)下达的?[^,;。]{0,6}?指标)(?:以内|之内|范围内)"
        ),
        "<=",
        None,
        None,
    ),
    (
        re.compile(
            r"(?P<m>[^,;。]{0,24}?(?:增速|增幅|增长))(?:不低于|高于|快于|跑赢)(?P<b>(?:全区|全市|全县|全省|全国|全镇)平均(?:水平)?)"
        ),
        ">=",
        "growth",
        None,
    ),
    (
        re.compile(
            r"(?P<m>[^,;。]{0,24}?)(?:增长|增速)?(?:与|和|同)(?P<b>(?:经济|GDP|地区生产总值|国内生产总值)(?:增长)?)"
            r"[^,;。]{0,6}?同步"
        ),
        "=",
        "growth",
        "增速",
    ),
    (
        re.compile(r"(?P<m>[^,;。]{0,30}?)(?:约束性)?指标(?:完成|达到)(?P<b>[^,;。]{0,12}?(?:要求|目标))"),
        None,
        None,
        None,
    ),
    (re.compile(r"(?P<m>[^,;。]{0,20}?)(?:实现正增长)"), ">=", "growth", "增速"),
    (re.compile(r"(?P<m>[^,;。]{2,24}?)(?:保持|位居|位列|稳居)(?P<b>全(?:区|市|省|国)前列)"), ">=", "rank", None),
]

_CONDITION_HINT = re.compile(r"确保|下达|平均|同步|指标|正增长|前列")
_STRONG_VERB = r"完成|建成|新建|开工建设|启动建设|建设|开工|启动|启用|打造|创建|争创|实施|举办|办好|迎接|试行"
_WEAK_VERB = r"开展|推进|推动|加快推进|加快|协调推进"
_DELIVERABLE_NOUN = (
    r"项目|工程|中心|平台|基地|公园|花园|街区|学校|小学|中学|初中|幼儿园|泵站|调蓄池|驿站|服务站|站点|图书馆|馆|广场|"
    r"道路|路网|管网|地块|小区|家园|苑|示范街镇|示范社区|示范区|示范镇|称号|整治|改造|修缮|大修|验收|移交|外审|征询|"
    r"复审|总部|综合体|楼宇|大厦|市场|医院|食堂|养老院|公厕|停车场|交付|贯通|开放|共同体|规则|制度|计划|景区|名录|"
    r"空间|之家|客厅|工作站|示范点|普查"
)
_VERB_FIRST = re.compile(
    rf"^(?P<verb>{_STRONG_VERB}|{_WEAK_VERB})(?P<obj>[^,;。]{{3,48}}?(?:{_DELIVERABLE_NOUN})(?:开工建设|建设|工作|项目|工程|提升)?[”\x22]?)$"
)
_DONE_VERB = (
    r"开工建设|启动建设|全面开工|开工|竣工|投入使用|投入运营|建成|交付使用|交付|验收移交|移交|完工|启用|开园|通车|"
    r"完成[^,;。]{0,8}?验收(?:移交)?"
)
_SUBJECT_FIRST = re.compile(
    rf"^(?P<obj>[^,;。]{{2,36}}?)(?:全面|按期|如期|实现|年内|年底前|正式)?(?P<verb>(?:{_DONE_VERB})(?:并?(?:{_DONE_VERB}))?)"
    r"(?:工作|任务)?$"
)
# Necessary for _SUBJECT_FIRST (its verb group ends in a _DONE_VERB at the end of the clause): a cheap search that
# spares the lazy, position-by-position match on the many clauses that end otherwise.
_DONE_AT_END = re.compile(rf"(?:{_DONE_VERB})(?:工作|任务)?$")
_VAGUE_OBJECT = re.compile(
    r"^(?:巩固|提升|深化|持续|做好|抢抓)|水平|能力|意识|氛围|格局|作用|效能|质量|成果|精神|理念|工作机制|体系建设|思想|作风|环境$|实效|机制$|新地标"
)

# List markers: (一) (1) and 1. / 1、 (not 5.5 nor 1.2万), as two patterns: each starts with a literal or a digit, so
# the engine skips straight to candidate characters, and their matches never overlap ("(" and ")" are in no dot
# marker, and the digits of "(12)" are followed by ")"), so together they give what the single pattern
# r"\((?P<n>[一二三四五六七八九十]{1,3}|\d{1,2})\)|(?<![\dA-Za-z.\-])(?P<d>\d{1,2})[.、](?!\d)" gives, ~3x faster.
# The look-behind of the dot marker sits after its first digit (same matches).
_PAREN_MARK = re.compile(r"\((?P<n>[一二三四五六七八九十]{1,3}|\d{1,2})\)")
_DOT_MARK = re.compile(r"(?P<d>\d(?<![\dA-Za-z.\-]\d)\d?)[.、](?!\d)")


def _list_marks(text: str) -> list[re.Match]:
    """Every list marker of text, in document order (group 1 is the number as written)."""
    return sorted([*_PAREN_MARK.finditer(text), *_DOT_MARK.finditer(text)], key=re.Match.start)


def _mark_number(m: re.Match) -> tuple[str, int | None]:
    """(marker kind, its number): kinds keep (一), (1) and 1. lists apart."""
    if m.re is _DOT_MARK:
        return "dot", int(m.group("d"))
    n = m.group("n")
    return ("paren", int(n)) if n.isdigit() else ("cn", chinese_to_int(n))


@dataclass
class _Clause:
    start: int  # normalised offsets
    end: int
    text: str


def extract_commitments(text: str) -> list[Commitment]:
    """Commitments of the plan sections of `text` (the decoded document), in document order."""
    nt = normalise(text)
    sections = split_sections(text)
    plans = [s for s in sections if s.mode == "plan"]
    if not plans:
        return []
    cuts = sorted(_section_cuts(nt, sections))
    records: list[Commitment] = []
    lists = _find_lists(nt, sections, cuts)
    list_starts = [a for a, _, _ in lists]
    for _, _, listed in lists:
        records.extend(listed)
    locate = _section_locator(sections)
    to_read: list[tuple[int, int, Section]] = []
    for sentence_start, sentence_end in _sentences(nt.text, cuts):
        k = bisect_right(list_starts, sentence_start) - 1
        if k >= 0 and sentence_start < lists[k][1]:
            continue
        section = locate(nt.to_original(sentence_start))
        if section is None or section.mode != "plan":
            continue
        to_read.append((sentence_start, sentence_end, section))
    # The number layer is the costly part: scan only the sentences read (the same quantities a whole scan gives there).
    quantities = find_quantities(nt.text, within=_merged_spans([(a, b) for a, b, _ in to_read]))
    q_starts = [q.start for q in quantities]
    for sentence_start, sentence_end, section in to_read:
        records.extend(_read_sentence(nt, sentence_start, sentence_end, section, quantities, q_starts))
    records.sort(key=lambda r: (r.start, r.value_start or r.start))
    return records


def _merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with the adjacent ones joined (consecutive sentences make one span)."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _section_cuts(nt: NormalisedText, sections: list[Section]) -> set[int]:
    """Sentence boundaries at each section start and, for a heading line without a full stop, at its end."""
    cuts = set()
    for s in sections:
        p = nt.to_text(s.start)
        cuts.add(p)
        heading = unify_width(clean_quote(s.full_heading or s.heading))
        end = p + len(heading)
        if (
            heading
            and s.kind not in {"target", "lead", "colon", "footnote"}
            and nt.text.startswith(heading, p)
            and not (nt.text[end - 1 : end].isdigit() or nt.text[end - 1 : end] == ".")
        ):
            cuts.add(end)
    return cuts


def _section_locator(sections: list[Section]) -> Callable[[int], Section | None]:
    """Deepest section at an original offset. Sections nest, so it is the last one starting at or before the
    offset, or the nearest of its ancestors that still contains the offset."""
    order = sorted(range(len(sections)), key=lambda i: (sections[i].start, sections[i].level))
    starts = [sections[i].start for i in order]

    def locate(offset: int) -> Section | None:
        k = bisect_right(starts, offset) - 1
        index = order[k] if k >= 0 else None
        while index is not None:
            s = sections[index]
            if s.end > offset:
                return s
            index = s.parent
        return None

    return locate


def _sentences(text: str, cuts: list[int]):
    bounds = {0, len(text)}
    bounds.update(m.end() for m in _SENTENCE_END.finditer(text))
    bounds.update(c for c in cuts if 0 < c < len(text))
    ordered = sorted(bounds)
    for a, b in itertools.pairwise(ordered):
        if b > a:
            yield a, b


def _clauses(text: str, start: int, end: int) -> list[_Clause]:
    out = []
    pos = start
    for m in _CLAUSE_SEP.finditer(text, start, end):
        out.append(_Clause(pos, m.start(), text[pos : m.start()]))
        pos = m.end()
    out.append(_Clause(pos, end, text[pos:end]))
    return [c for c in out if c.text.strip(" *。;!?")]


def _read_sentence(
    nt: NormalisedText, start: int, end: int, section: Section, quantities: list[Quantity], q_starts: list[int]
) -> list[Commitment]:
    text = nt.text
    out: list[Commitment] = []
    # The subject a clause without one inherits ("…达到240亿元，同比增长21%"); the last clause without a record
    # is only read for it when needed, which keeps the common case cheap.
    state = {"subject": "", "pending": ""}

    def subject() -> str:
        if state["pending"]:
            found = _subject_of(state["pending"])
            state["pending"] = ""
            if found:
                state["subject"] = found
        return state["subject"]

    for clause in _clauses(text, start, end):
        lo = bisect_left(q_starts, clause.start)
        hi = bisect_left(q_starts, clause.end, lo)
        qs = [q for q in quantities[lo:hi] if q.end <= clause.end]
        made: list[Commitment] = []
        if qs:
            made, found = _quantitative(nt, clause, qs, section, subject, out)
            if found:
                state["subject"], state["pending"] = found, ""
        if not made:
            cond = _condition(nt, clause, section, subject)
            made = [cond] if cond is not None else _deliverables(nt, clause, section)
            if not made:
                state["pending"] = clause.text
        out.extend(made)
    return out


# ----------------------------------------------------------------------------------------------- quantitative


def _quantitative(
    nt: NormalisedText,
    clause: _Clause,
    qs: list[Quantity],
    section: Section,
    inherited_subject: Callable[[], str],
    earlier: list[Commitment],
) -> tuple[list[Commitment], str]:
    subject = ""
    text = nt.text
    out: list[Commitment] = []
    prev_end = clause.start
    lead = text[clause.start : qs[0].start]
    stretch_clause = _STRETCH_LEAD.match(lead) is not None
    first_prefix = ""
    last_verb: str | None = None
    for q in qs:
        prefix = text[prev_end : q.start]
        prev_end = q.end
        if not _keep(text, clause, q, prefix):
            continue
        if stretch_clause and _attach_stretch(nt, q, earlier + out):
            continue
        if out and re.fullmatch(r"[\s、,和及与]*", prefix) and out[-1].unit == q.unit:
            relation, verb, baseline = out[-1].relation, last_verb, out[-1].baseline  # 分别增长7%和8%
        else:
            relation, verb, baseline = _relation(q, prefix)
        last_verb = verb
        metric_subject = _metric_subject(prefix, relation)
        if not metric_subject and q is not qs[0]:
            metric_subject = first_prefix
        if metric_subject:
            first_prefix = metric_subject
            subject = _strip_growth_suffix(_clean_metric(metric_subject))
        base = metric_subject or subject or inherited_subject()
        inherited = not metric_subject
        metrics = _split_metrics(base, prefix)
        both = len(qs) == 2 and "分别" in text[clause.start : qs[1].start]
        if len(metrics) == 1 and "城乡" in metrics[0] and both:
            # 城乡居民人均可支配收入分别增长7%、8%: 城镇 then 农村, never two identical names
            metrics = [metrics[0].replace("城乡", "城镇" if q is qs[0] else "农村", 1)]
        elif len(metrics) == 1 and "城乡" in metrics[0] and len(qs) == 1 and "分别" in prefix[-12:]:
            metrics = [metrics[0].replace("城乡", "城镇", 1), metrics[0].replace("城乡", "农村", 1)]  # 分别增长7.5%
        value, value_max = q.value, q.value_max
        if re.search(r"从\s*$", prefix) and re.match(
            r"\s*(?:增加|增长|提高|提升|下降|降低|减少|扩大)?(?:到|至)", text[q.end :]
        ):
            continue  # 从 4.16万亿元 增加到 5.67万亿元: the first figure is the starting point
        if relation == "growth" and verb in _DECLINE:
            value, value_max = -value, (None if value_max is None else -value_max)
        comparator = _comparator(q, text[clause.start : q.start])
        if value < 0 and comparator in {">=", "<="}:
            comparator = "<=" if comparator == ">=" else ">="  # a decline of at least 3% is a growth of at most -3%
        for metric_base in metrics:
            metric = _metric_name(metric_base, relation, verb, q, text[q.end : clause.end], inherited)
            metric = metric or _clean_metric(text[clause.start : q.start]) or _clean_metric(clause.text)[:20]
            out.append(
                _record(
                    nt,
                    clause,
                    section,
                    kind="quantitative",
                    metric=metric,
                    q=q,
                    value=value,
                    value_max=value_max,
                    comparator=comparator,
                    relation=relation,
                    baseline=baseline,
                    confidence=0.6 if q.chinese or "预计" in text[clause.start : q.start] else 0.8,
                )
            )
    return out, subject


def _keep(text: str, clause: _Clause, q: Quantity, prefix: str) -> bool:
    before = text[clause.start : q.start]
    after = text[q.end : min(clause.end, q.end + 4)]
    if q.unit in {"天", "小时", "分钟", "月", "工作日"} and not re.search(
        r"压缩|缩短|控制|以内|不超过", before + after
    ):
        return False  # durations are schedules, not targets
    if after.startswith(("方面", "大", "内容为", "方面内容")) or before.endswith("以下"):
        return False  # 五个方面工作, 三大空间, 以下八个方面, 等6项内容为重点
    if q.chinese and (q.value < 2 or not _CN_COUNT_VERB.search(before)):
        return False
    return not (_PAST.search(before) and not _PAST_BASELINE.search(before))


def _attach_stretch(nt: NormalisedText, q: Quantity, earlier: list[Commitment]) -> bool:
    for rec in reversed(earlier[-4:]):
        if rec.kind == "quantitative" and rec.unit == q.unit and rec.value is not None and q.value > rec.value:
            rec.stretch_value = q.value
            rec.stretch_start, rec.stretch_end = nt.span(q.start, q.end)
            rec.stretch_text = clean_quote(nt.original[rec.stretch_start : rec.stretch_end])
            return True
    return False


def _relation(q: Quantity, prefix: str) -> tuple[str, str | None, str | None]:
    if q.rank:
        return "rank", None, None
    if q.unit in {"ratio", "倍"}:
        return "ratio", None, None
    tail = _TRAIL_QUALIFIERS.sub("", prefix[-80:])
    m = _GROWTH_TAIL.search(tail)
    baseline = None
    if m:
        base = m.group("base")
        if base:
            base = base.strip()
            if base == "同比":
                baseline = "同比"
            elif base.startswith(("比", "较")):
                baseline = base[1:].strip() or None
            elif base == "按可比口径":
                baseline = "可比口径"
    if q.unit in {"%", "百分点", "‰"}:
        if m:
            return "growth", m.group("verb"), baseline
        if re.search(r"(?:增长|增速|增幅|涨幅)(?:预期)?(?:目标)?(?:为|是)?\s*$", tail):
            return "growth", "增长", None  # 经济增长预期目标为5%左右
        return "share", None, None
    if m and m.group("verb") in {"增长", "增加", "提高", "下降", "减少"} and q.unit in _MONEYISH:
        return "growth", m.group("verb"), baseline  # 比上年增加1800亿元, 补助标准提高30元: an absolute change
    return "absolute", None, None


_TRAIL_QUALIFIERS = re.compile(r"(?:\s|不低于|不少于|超过|至少|约|近|不超过|以上|左右|力争|确保|达到|达)+$")


def _comparator(q: Quantity, before: str) -> str:
    before = before[-80:]
    if q.value_max is not None:
        return "range"
    if q.qualifier in {"at_least", "more_than"}:
        return ">="
    if q.qualifier == "at_most":
        return "<="
    if q.qualifier == "approx":
        return "~"
    if re.search(r"控制在\s*$|不超过|不高于|以内", before):
        return "<="
    if re.search(r"力争(?!超额)", before):
        return ">="
    return "="


def _metric_subject(prefix: str, relation: str) -> str:
    s = prefix[-160:]
    if relation == "growth":
        s = _TRAIL_QUALIFIERS.sub("", s)
        m = _GROWTH_TAIL.search(s)
        if m:
            s = s[: m.start()]
    s = _clean_metric(s, limit=80)
    return s if len(s) >= 2 else ""  # a lone 先 / 并 names nothing


def _clean_metric(s: str, limit: int = 24) -> str:
    s = s[-160:]  # the name sits next to the figure; capping keeps the anchored-at-end patterns linear
    s = s.replace("*", "")
    s = re.sub(r"\([^()]*\)?$", "", s)  # an open parenthesis before the value: 项目(15项)
    for _ in range(3):
        s = _LEAD.sub("", s)
        s = _TRAIL.sub("", s)
    s = s.strip(' 、,:()“”"')
    if len(s) > limit:
        cut = max(s.rfind("、"), s.rfind(","), s.rfind("的"))
        s = s[cut + 1 :] if cut >= 0 else s[-limit:]
    return s


def _strip_growth_suffix(s: str) -> str:
    return re.sub(r"(?:增速|增幅|涨幅)$", "", s)


def _split_metrics(base: str, prefix: str) -> list[str]:
    """One figure for several metrics: 先行联系率、按时办结率 100% / A、B均增长8%."""
    if "、" not in base:
        return [_clean_metric(base)]
    parts = [p.strip() for p in base.split("、") if p.strip()]
    if len(parts) < 2:
        return [_clean_metric(base)]
    if all(p.endswith(("率", "比例", "比重")) for p in parts) or re.search(r"均|都", prefix[-6:]):
        return [_clean_metric(p) for p in parts]
    return [_clean_metric(base)]


def _metric_name(base: str, relation: str, verb: str | None, q: Quantity, after: str, inherited: bool) -> str:
    base = _balance_quotes(base.strip())
    base = re.sub(r"(?<=.{2})各$", "", base)  # 研发平台及众创空间各1家
    if relation == "growth":
        base = re.sub(r"降幅$", "", base)
        if base.endswith(("增速", "增幅", "涨幅", "增量")):
            return base
        if q.unit not in {"%", "百分点", "‰"}:
            return base + "增量"  # 比上年增加1.6万亿元
        return base + ("涨幅" if verb in {"上涨", "涨幅"} else "增速")
    if relation == "rank":
        return base if base.endswith(("排名", "名次")) else base + "排名"
    if relation == "ratio" and q.unit == "倍":
        return base if base.endswith("倍数") else base + "倍数"
    if relation in {"share", "ratio"}:
        whole = re.match(r"^(?P<part>.{2,}?)(?:达到|达)(?P<whole>.{2,}?)的$", base)
        if whole and q.unit == "%" and not re.search(r"(?:比重|比例|占比|率)$", base):
            return f"{whole.group('part')}占{whole.group('whole').rstrip('的')}比例"  # 装配式建筑达到新建建筑面积的25%
        return base
    if q.unit in _MONEYISH and re.match(r"\s*(?:以上|左右)?\s*的", after):
        # 投资60.7亿元的神南抽水蓄能电站 / 抓好总投资321亿元的53个重点项目: the money of the thing after 的
        thing = _thing_after_de(after)
        if thing:
            money = "总投资" if "总投资" in base else "投资" if "投资" in base or not base else ""
            return thing + (money or _money_word(base))
    obj = _object_after(after)
    if obj and (q.unit in _AREA or (inherited and q.unit in _MONEYISH)):
        base = obj  # 5000亩沙区治理: what follows an area names it; money only when the clause has no subject
    if q.unit in _AREA:
        base = base or obj
        return base if base.endswith("面积") else base + "面积"
    if q.unit in _MONEYISH:
        return base or obj
    if obj and q.unit in _COUNTERS and _verb_only(base):
        base = ""  # 建成10个以上宜居宜业和美乡村: the verb before names nothing, the object after does
    noun = obj or base
    if not noun:
        return ""
    if q.unit in _LENGTHS:
        return noun if noun.endswith(("里程", "长度")) else noun + "里程"
    if q.unit in _CAPACITY:
        return noun if noun.endswith(("容量", "规模")) else noun + "装机容量"  # 100万千瓦抽水蓄能电站
    suffix = {"人": "人数", "户": "户数"}.get(q.unit or "", "数")
    return noun if noun.endswith(("数", "量")) else noun + suffix


_COUNTERS = frozenset({"个", "项", "家", "座", "所", "处", "件", "条", "台", "套", "户", "批", "栋", "幢", "支", "名"})
_LENGTHS = frozenset({"公里", "千米", "米", "延米"})
_CAPACITY = frozenset({"千瓦", "兆瓦", "瓦"})
_VERB_ONLY = re.compile(
    r"^(?:新|再|共|累计)?(?:建成|建设|新建|改建|新改建|打造|创建|争创|培育|引进|完成|实施|推进|启动|开工|新开工|改造|"
    r"提升|新增|增加|设立|组建|建立|举办|开展|创成|认定|申报|评选|招引|落地|签约|续建)?$"
)


def _verb_only(base: str) -> bool:
    return bool(_VERB_ONLY.match(base or ""))


def _balance_quotes(name: str) -> str:
    """A name cut inside a quotation (两品一标”认证) loses its stray quotation mark."""
    for left, right in (("“", "”"), ("《", "》")):
        if name.count(left) != name.count(right):
            name = name.replace(left, "").replace(right, "")
    return name.replace('"', "") if name.count('"') % 2 else name


def _thing_after_de(after: str) -> str:
    """The thing named after 的 (skipping its count: 的53个重点项目 -> 重点项目), up to the clause's end."""
    s = re.sub(r"^\s*(?:以上|左右)?\s*的\s*", "", after[:40])
    s = re.sub(r"^\d+(?:\.\d+)?\s*[万亿]?\s*(?:个|项|家|条|座|所|处|千瓦|兆瓦|平方米|亩|公里|吨)", "", s)
    s = re.sub(r"^([省市区县])、(?=[省市区县])", r"\1", s)  # 32个省、市重点项目
    s = re.split(r"[,、;。(]|等|建设|工作|前期", s, maxsplit=1)[0].strip(" *")
    return _balance_quotes(s) if 1 < len(s) <= 20 else ""


def _money_word(base: str) -> str:
    m = re.search(r"(?:总投资|投资|资金|产值|收入|营业收入|销售额|税收)$", base)
    return m.group(0) if m else "投资"


def _object_after(after: str) -> str:
    after = after[:60]
    s = re.sub(r"^\s*(?:以上|以内|左右)?", "", after)
    s = re.sub(r"\([^()]*\)", "", s)
    s = re.sub(r"^的", "", s.strip())
    s = re.sub(r"^([省市区县])、(?=[省市区县])", r"\1", s)  # 32个省、市重点项目
    s = re.split(r"以及|和(?![美谐])|[的,、;。及并等在与\d]", s, maxsplit=1)[0]
    s = s.strip(" *")
    trimmed = re.sub(r"(?:工作|建设|任务|工程|目标)$", "", s)
    s = trimmed if len(trimmed) > 2 else s  # 民生工程 stays 民生工程, not 民生
    return _balance_quotes(s) if 1 < len(s) <= 20 else ""


def _subject_of(clause: str) -> str:
    s = _clean_metric(clause)
    return s if 1 < len(s) <= 16 else ""


# ------------------------------------------------------------------------------------- conditions, deliverables


def _condition(
    nt: NormalisedText, clause: _Clause, section: Section, subject: Callable[[], str] = str
) -> Commitment | None:
    body = clause.text
    if not _CONDITION_HINT.search(body):
        return None
    for pattern, comparator, relation, suffix in _CONDITIONS:
        m = pattern.search(body)
        if not m:
            continue
        metric = _clean_metric(m.groupdict().get("m") or "") or subject() or body.strip()
        baseline = m.groupdict().get("b")
        if baseline and "下达" in baseline and "指标" not in baseline:
            # 完成区下达的各项就业指标: the external figure is the target itself, not a baseline
            metric = baseline.replace("的", "") + re.sub(r"^(?:各项|各类|全部)", "", metric)
            baseline = None
        if suffix and not metric.endswith(suffix):
            metric += suffix
        if relation == "growth" and not metric.endswith(("增速", "增幅", "增长")):
            metric += "增速"
        metric = metric.replace("增长增速", "增速")
        if relation == "rank" and not metric.endswith("排名"):
            metric += "排名"
        if metric.endswith("增长"):
            metric = metric[:-2] + "增速"
        s, e = clause.start + _lstrip_len(body), clause.end - _rstrip_len(body)
        return _record(
            nt,
            _Clause(s, e, nt.text[s:e]),
            section,
            kind="condition",
            metric=metric,
            comparator=comparator or "=",
            relation=relation,
            baseline=baseline.strip() if baseline else None,
            confidence=0.5 if relation == "rank" else 0.7,
        )
    return None


# Both halves of "A和B" must name a project of their own to be split ("道路大修及店招店牌整治" stays one).
_NAMED_END = re.compile(r"(?:项目|工程|中心|学校|幼儿园|公园)(?:开工建设|启动建设|建设)?[”\x22]?$|(?:开工|启动)建设$")


def _deliverables(nt: NormalisedText, clause: _Clause, section: Section) -> list[Commitment]:
    """One deliverable per named thing: "推动A项目工程建设和B项目开工建设" gives A and B."""
    found = _deliverable(nt, clause, section)
    if found is None:
        return []
    text = nt.text
    for sep in re.finditer("和", text[clause.start : clause.end]):
        cut = clause.start + sep.start()
        left, right = text[clause.start : cut], text[cut + 1 : clause.end].rstrip(" *。;!?")
        if len(right) >= 4 and _NAMED_END.search(left) and _NAMED_END.search(right) and "、" not in right[:2]:
            first = _deliverable(nt, _Clause(clause.start, cut, left), section)
            if first is None:
                continue
            second = _record(
                nt,
                _Clause(cut + 1, cut + 1 + len(right), right),
                section,
                kind="deliverable",
                metric=right.strip()[:40],
                comparator="=",
                relation=None,
                confidence=first.confidence,
            )
            return [first, second]
    return [found]


def _deliverable(nt: NormalisedText, clause: _Clause, section: Section) -> Commitment | None:
    body = clause.text
    core = _LEAD_ADVERB.sub("", body.strip(" *。;!?")).strip(" *")
    m = _VERB_FIRST.match(core) or (_SUBJECT_FIRST.match(core) if _DONE_AT_END.search(core) else None)
    if not m:
        return None
    obj = m.group("obj")
    if _VAGUE_OBJECT.search(obj) or len(obj.strip()) < 2:
        return None
    weak = m.re is _VERB_FIRST and re.fullmatch(_WEAK_VERB, m.group("verb")) is not None
    s, e = clause.start + _lstrip_len(body), clause.end - _rstrip_len(body)
    metric = re.sub(r"^(?:的|对)", "", obj).strip()
    return _record(
        nt,
        _Clause(s, e, nt.text[s:e]),
        section,
        kind="deliverable",
        metric=metric[:40],
        comparator="=",
        relation=None,
        confidence=0.4 if weak else 0.6,
    )


_LEAD_ADVERB = re.compile(
    r"^(?:20\d\d\s*年|年内|年底前|全年|今年|高质量|高标准|全面|加快|积极|着力|全力以赴|全力|力争|确保|继续|进一步|"
    r"稳步|有序|同时|并|重点|大力|切实|扎实|率先|争取|计划|要|创新|深入|努力|优先)+"
)


def _lstrip_len(s: str) -> int:
    return len(s) - len(s.lstrip(" *"))


def _rstrip_len(s: str) -> int:
    return len(s) - len(s.rstrip(" *。;!?"))


def _find_lists(
    nt: NormalisedText, sections: list[Section], cuts: list[int]
) -> list[tuple[int, int, list[Commitment]]]:
    """Inline numbered lists "(一)…;(二)…;(三)…。" (e.g. after "…民生实事项目(15项):"): one deliverable per item.

    Returns (start, end, records) per list, in normalised offsets; the caller skips those spans.
    """
    text = nt.text
    locate = _section_locator(sections)
    by_kind: dict[str, list[re.Match]] = {}
    for m in _list_marks(text):
        by_kind.setdefault(_mark_number(m)[0], []).append(m)
    out = []
    for marks in by_kind.values():
        out.extend(_runs(nt, marks, locate, cuts))
    out.sort(key=lambda x: x[0])
    return out


_ListSpan = tuple[int, int, list[Commitment]]


def _runs(nt: NormalisedText, marks: list[re.Match], locate: Callable, cuts: list[int]) -> list[_ListSpan]:
    text = nt.text
    out = []
    i = 0
    while i < len(marks):
        kind, first = _mark_number(marks[i])
        head = text[max(0, marks[i].start() - 40) : marks[i].start()].rstrip(" *")
        by_line = head.endswith(":")  # a list laid out one item per line needs a lead-in ending in a colon
        run = [marks[i]]
        j = i + 1
        while j < len(marks):
            between = text[run[-1].end() : marks[j].start()]
            if (
                _mark_number(marks[j]) != (kind, first + len(run))
                or len(between) > 80
                or "。" in between
                or not (between.rstrip(" *").endswith(";") or (by_line and nt.is_break(marks[j].start())))
            ):
                break
            run.append(marks[j])
            j += 1
        if len(run) >= 3 and first == 1:
            section = locate(nt.to_original(run[0].start()))
            if section is not None and section.mode == "plan":
                end = _list_end(nt, run[-1].end())
                k = bisect_left(cuts, run[0].start()) - 1  # the last cut before the first item
                head_start = cuts[k] if k >= 0 else 0
                out.append((run[0].start(), end, _list_records(nt, run, end, section, head_start)))
            i = j
        else:
            i += 1
    return out


def _list_end(nt: NormalisedText, last: int) -> int:
    """End of the last item: its full stop or semicolon, else the line break after it."""
    text = nt.text
    stop = re.compile(r"[。;!?]").search(text, last, last + 120)
    k = bisect_right(nt.breaks, last)
    line_end = nt.breaks[k] if k < len(nt.breaks) else len(text)
    if stop and stop.start() < line_end:
        return stop.end()
    return min(line_end, last + 120, len(text))


def _list_records(
    nt: NormalisedText, run: list[re.Match], end: int, section: Section, head_start: int
) -> list[Commitment]:
    text = nt.text
    punct = max(text.rfind(c, 0, run[0].start()) for c in "。;")
    head_start = max(head_start, punct + 1, run[0].start() - 60)
    head = text[head_start : run[0].start()]
    name = _list_name(head)
    out: list[Commitment] = []
    for i, m in enumerate(run):
        item_end = run[i + 1].start() if i + 1 < len(run) else end
        item = text[m.end() : item_end].rstrip(" ;。*")
        s, e = m.end(), m.end() + len(item)
        label = f"{name}（{m.group(1)}）"
        out.append(
            _record(
                nt,
                _Clause(s, e, item),
                section,
                kind="deliverable",
                metric=item[:40],
                comparator="=",
                relation=None,
                confidence=0.7,
                list_item=label,
            )
        )
        # An item with a figure ("新建社区食堂2家") is also a quantitative target.
        qs = find_quantities(item)
        if qs:
            shifted = [dataclasses.replace(q, start=q.start + s, end=q.end + s) for q in qs]
            made, _ = _quantitative(nt, _Clause(s, e, item), shifted, section, str, [])
            for rec in made:
                rec.list_item = label
            out.extend(made)
    return out


def _list_name(head: str) -> str:
    s = re.sub(r"\(\s*\d+\s*[项个]\s*\)|[:\s*]", "", head)
    s = re.sub(r"^20\d\d年(?:度)?", "", s)
    s = re.sub(r"^(?:主要|重点)(?=.{4})", "", s)
    return s[-16:] if s else ""


# --------------------------------------------------------------------------------------------------- records


def _record(
    nt: NormalisedText,
    clause: _Clause,
    section: Section,
    *,
    kind: str,
    metric: str,
    comparator: str,
    relation: str | None,
    confidence: float,
    q: Quantity | None = None,
    value: float | None = None,
    value_max: float | None = None,
    baseline: str | None = None,
    list_item: str | None = None,
) -> Commitment:
    cs = clause.start + _lstrip_len(clause.text)
    ce = clause.end - _rstrip_len(clause.text)
    start, end = nt.span(cs, ce)
    rec = Commitment(
        quote=clean_quote(nt.original[start:end]),
        start=start,
        end=end,
        kind=kind,
        metric=metric,
        comparator=comparator,
        relation=relation,
        baseline=baseline,
        plan_year=section.year,
        section=section.path,
        list_item=list_item,
        confidence=confidence,
    )
    if q is not None:
        vs, ve = nt.span(q.start, q.end)
        rec.value = value
        rec.value_max = value_max
        rec.unit = q.unit
        rec.unit_text = q.unit_text
        rec.value_start, rec.value_end = vs, ve
        rec.value_text = clean_quote(nt.original[vs:ve])
    return rec
