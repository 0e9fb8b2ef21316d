"""Year-end reconciliation as pure Python: match target figures to a review's achievements and propose verdicts.

No Django here. Targets come in as `TargetFigure` (built from a Target row or straight from an extraction
`Commitment` record); achievements are anything with the attributes of `reports.extraction.records.Achievement`
(the extraction record itself, or the `reports.models.Achievement` row). Every proposal carries its reasons:
the similarity score, unit and period of the chosen achievement, the close candidates it beat, the arithmetic,
and warnings, so a supervisor can see why and overrule it.

Matching is general: character bigrams over canonical metric names (Jaccard blended with containment), unit
families and relation compatibility. Nothing here knows a particular report's sentences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from reports.extraction.achievements import canonical_metric
from reports.reconciliation import outcomes
from reports.reconciliation.vocabulary import DEFAULT as DEFAULT_VOCABULARY
from reports.reconciliation.vocabulary import Vocabulary

MET = "met"
PARTLY_MET = "partly_met"
MISSED = "missed"
NO_EVIDENCE = "no_evidence"
CONTRADICTED = "contradicted"
VERDICTS = (MET, PARTLY_MET, MISSED, NO_EVIDENCE, CONTRADICTED)
VERDICT_LABELS = {
    MET: "完成",
    PARTLY_MET: "基本完成",
    MISSED: "未完成",
    NO_EVIDENCE: "无法核实",
    CONTRADICTED: "存在矛盾",
}

DEFAULT_PARTLY_MET_SHARE = 0.9
MATCH_THRESHOLD = 0.5  # below this a candidate is shown as "close" but not used
CANDIDATE_FLOOR = 0.25
APPROX_POINTS = 0.5  # 左右 on a rate: within half a percentage point
APPROX_SHARE = 0.03  # 左右 on a level: within 3 %
STAFF_DISAGREEMENT = 0.10  # staff figure vs review figure, relative

# Measures where lower is better. A target phrased as a reduction (能耗下降 3%) is a floor on the reduction.
CEILING_WORDS = (
    "失业率",
    "失业人数",
    "价格涨幅",
    "居民消费价格",
    "物价",
    "CPI",
    "能耗",
    "排放",
    "事故",
    "死亡人数",
    "赤字率",
)
REDUCTION_WORDS = ("下降", "降低", "减少", "削减", "压减", "减排")

# Words that say nothing about which indicator is meant (removed before comparing names).
_NAME_NOISE = re.compile(
    r"计划|入库|完成|实现|达到|全年|年度|累计|预计|力争|确保|同比|总额|总量|规模|以上|以内|左右|工作|任务|目标|"
    r"主要|指标|本级|全口径|可比口径|预期|的"
)
# A verb before the thing says nothing (建成四好农村路 = 新建四好农村路里程), nor does which word counts it (里程,
# 个数 -> 数); 新增 stays, it tells an increment from a stock.
_NAME_VERB = re.compile(r"^(?:新建成|建成|新建|创建|完成|实施|打造|开展|争创)(?=.{2})")
_NAME_MEASURE = re.compile(r"(?<=.{2})(?:个数|数量|里程|长度)$")
_GROWTH_SUFFIX = re.compile(r"(?:增速|增幅|增长率|增长|涨幅)$")

# Percent and percentage points compare as rates; counters that count the same things come from the vocabulary.
_PERCENT_UNITS = frozenset({"%", "个百分点", "百分点"})

# Words at the edges of a deliverable's name that are not the name (完成…改造, 建设…工程); inside a name they stay
# (G03-10地块配套初中 keeps 配套).
_KEYWORD_LEAD = re.compile(
    r"^(?:建成|创建|争创|新建|扩建|改建|修缮|实施|推进|加快|启动|完成|开工|打造|开展|继续|进一步|深入|全面|重点|实现|"
    r"镇域|全镇|全区|全县|好|的|[“”\"《》])+"
)
_KEYWORD_TAIL = re.compile(
    r"(?:工程建设|项目建设|建设工程|工程|项目|建设|改造|新建|扩建|提升|整新|迁建|启动|开工|打造|开放|启用|投入使用|"
    r"验收交付|验收移交|验收|交付|移交|等|的|及|配套|[“”\"《》])+$"
)
_CONTEXT_NOISE = re.compile(
    r"[\d.,，、；;：:%（）()“”\"\s]+|亿元|万元|亿|万|元|个|项|完成|实现|达到|全年|确保|推进|实施|建设|工程|项目|投资|的|了"
)
# Names that identify nothing without their sentence (投资 of which project? 面积 of what?).
_GENERIC_KEY = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,5}?(?:实施|推进|启动|建设|完成))?总?(?:投资|面积|资金|金额|数量|规模|项目|户数|人数|个数|长度|道路|工程|企业|设施|点位)数?$"
)
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")


# --- inputs -------------------------------------------------------------------------------------------------------


@dataclass
class TargetFigure:
    """One figure a target commits to (a target stated as level and rate is two figures)."""

    id: Any
    metric: str
    value: float | None
    unit: str | None = None
    comparator: str = "="
    relation: str | None = None
    kind: str = "quantitative"
    quote: str = ""
    value_max: float | None = None
    plan_year: int | None = None
    baseline_value: float | None = None
    stretch_value: float | None = None
    staff_value: float | None = None  # the last cumulative figure staff reported
    staff_percent: float | None = None
    department: str = ""
    section: str = ""  # the commitment's section path (a numbered list's heading names the list)

    @classmethod
    def from_commitment(cls, record: Any, *, id: Any = None) -> TargetFigure:
        """Build from an extraction `Commitment` record or a `reports.models.Commitment` row."""
        plan_year = getattr(record, "plan_year", None)
        try:
            year = int(str(plan_year)[:4]) if plan_year else None
        except ValueError:
            year = None
        return cls(
            id=id if id is not None else getattr(record, "pk", None),
            metric=record.metric or "",
            value=record.value,
            value_max=record.value_max,
            unit=record.unit or None,
            comparator=record.comparator or "=",
            relation=record.relation or None,
            kind=record.kind,
            quote=record.quote,
            plan_year=year,
            stretch_value=record.stretch_value,
            section=getattr(record, "section", "") or "",
        )


@dataclass
class Candidate:
    index: int
    metric: str
    value: float | None
    unit: str | None
    score: float
    similarity: float
    reasons: list[str] = field(default_factory=list)
    usable: bool = True


@dataclass
class Proposal:
    target_id: Any
    metric: str
    relation: str | None
    unit: str | None
    comparator: str
    target_value: float | None
    verdict: str
    achieved_value: float | None = None
    ratio: float | None = None  # achieved / target (for a ceiling: target / achieved)
    achievement_index: int | None = None
    commitment_quote: str = ""
    achievement_quote: str = ""
    evidence_start: int | None = None
    evidence_end: int | None = None
    details: dict = field(default_factory=dict)

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def to_dict(self) -> dict:
        return asdict(self)


# --- metric similarity -----------------------------------------------------------------------------------------


def metric_key(name: str, vocabulary: Vocabulary | None = None, *, bare: bool = True) -> str:
    """Canonical name (synonyms spelled one way) without the words that do not identify the indicator.

    `bare`: also without a leading verb and with one counting word (建成四好农村路 ~ 新建四好农村路里程).
    """
    name = (vocabulary or DEFAULT_VOCABULARY).canonical(canonical_metric(name or ""))
    name = _NAME_NOISE.sub("", name) or name
    return _NAME_MEASURE.sub("数", _NAME_VERB.sub("", name)) if bare else name


def base_metric(name: str) -> str:
    """The indicator a growth rate is a rate of (地区生产总值增速 -> 地区生产总值)."""
    name = canonical_metric(name or "")
    return _GROWTH_SUFFIX.sub("", name) or name


@lru_cache(maxsize=65536)
def is_generic(name: str) -> bool:
    key = metric_key(name)
    return len(key) <= 1 or (bool(_GENERIC_KEY.match(key)) and len(key) <= 8)


def _bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def metric_grams(name: str, vocabulary: Vocabulary | None = None) -> frozenset[str]:
    """Character bigrams of the cleaned name (memoised per vocabulary: a run compares the same names many times)."""
    return _gram_pair(name, vocabulary)[0]


def _gram_pair(name: str, vocabulary: Vocabulary | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Bigrams of the bare key and of the key as written (公厕新建改造 vs 新建改造公厕 needs the verb kept)."""
    vocabulary = vocabulary or DEFAULT_VOCABULARY
    memo = vocabulary.cache.setdefault("grams", {})
    pair = memo.get(name)
    if pair is None:
        base = base_metric(name or "")
        bare, written = metric_key(base, vocabulary), metric_key(base, vocabulary, bare=False)
        grams = frozenset(_bigrams(bare))
        pair = memo[name] = (grams, grams if bare == written else frozenset(_bigrams(written)))
    return pair


metric_grams.cache_clear = lambda: DEFAULT_VOCABULARY.cache.clear()  # type: ignore[attr-defined]  # bench/reconcile.py


def metric_similarity(a: str, b: str, vocabulary: Vocabulary | None = None) -> float:
    """0..1: 0.7 × Jaccard + 0.3 × containment of character bigrams of the two cleaned names."""
    (ka, ra), (kb, rb) = _gram_pair(a or "", vocabulary), _gram_pair(b or "", vocabulary)
    if ka is ra and kb is rb:
        return _overlap(ka, kb)
    return max(_overlap(ka, kb), _overlap(ra, rb))


def _overlap(ka: frozenset[str], kb: frozenset[str]) -> float:
    if not ka or not kb:
        return 0.0
    common = len(ka & kb)
    jaccard = common / len(ka | kb)
    containment = common / min(len(ka), len(kb))
    return round(0.7 * jaccard + 0.3 * containment, 3)


def _context_bigrams(quote: str, metric: str) -> set[str]:
    text = _CONTEXT_NOISE.sub(" ", quote or "")
    grams = {g for g in _bigrams(text) if " " not in g}
    return grams - _bigrams(metric_key(metric))


def context_overlap(target_quote: str, target_metric: str, achievement: Any) -> int:
    """Shared bigrams of the two sentences beyond the metric name (what a generic name like 投资 is about)."""
    mine = _context_bigrams(target_quote, target_metric)
    theirs = _context_bigrams(getattr(achievement, "quote", "") or "", achievement.metric or "")
    return len(mine & theirs)


def unit_factor(target_unit: str | None, achieved_unit: str | None, vocabulary: Vocabulary | None = None) -> float:
    """1 for the same unit, 0.8 within a family of counted things (the vocabulary's), 0 when incompatible."""
    if not target_unit or not achieved_unit:
        return 0.5
    if target_unit == achieved_unit:
        return 1.0
    if {target_unit, achieved_unit} <= _PERCENT_UNITS:
        return 0.8
    if (vocabulary or DEFAULT_VOCABULARY).same_family(target_unit, achieved_unit):
        return 0.8
    return 0.0


def _relation_class(relation: str | None, unit: str | None) -> str:
    if relation == "growth":
        return "growth"
    if relation in ("share", "ratio") or unit == "%":
        return "share"
    if relation == "rank":
        return "rank"
    return "level"


def relation_factor(target: TargetFigure, achievement: Any) -> float:
    t = _relation_class(target.relation, target.unit)
    a = _relation_class(getattr(achievement, "relation", None), getattr(achievement, "unit", None))
    if t == a:
        return 1.0
    if {t, a} == {"share", "growth"}:
        return 0.0
    return 0.0


def is_ceiling(target: TargetFigure) -> bool:
    if target.comparator == "<=":
        return True
    name = target.metric or ""
    if any(word in name for word in REDUCTION_WORDS):
        return False
    return any(word in name for word in CEILING_WORDS)


_MULTI_YEAR = re.compile(r"年均|五年|[一二三四五六七八九十]+年来|十[一二三四五六七八九]五(?:期间|时期)?")


def _period_ok(achievement: Any, year: int | None) -> tuple[bool, str]:
    """Is the achievement about the target's year? Returns (usable, description)."""
    if _MULTI_YEAR.search(getattr(achievement, "quote", "") or ""):
        return False, "多年合计或年均数"
    period = str(getattr(achievement, "period_year", None) or "")
    as_of = str(getattr(achievement, "as_of", None) or "")
    if year is None or not (period or as_of):
        return True, as_of or period or "未注明"
    y = str(year)
    if period and not period.startswith(y) and "-" not in period:
        return False, f"{period}年"
    if as_of == "projection":
        return False, "规划数"
    return True, as_of or period


def _describe_period(achievement: Any) -> tuple[str, list[str]]:
    """Human label of the figure's period and the marks a supervisor must see (forecast, partial year)."""
    marks: list[str] = []
    as_of = str(getattr(achievement, "as_of", None) or "")
    if getattr(achievement, "is_forecast", False) or as_of.endswith("forecast"):
        marks.append("预计数（全年预计）")
    if re.match(r"^\d{4}-\d{2}(-\d{2})?$", as_of) and not as_of.endswith("12-31"):
        marks.append(f"非全年数（截至 {as_of}）")
    if as_of.endswith("ytd"):
        marks.append("非全年数（年内累计）")
    return as_of or str(getattr(achievement, "period_year", None) or ""), marks


# --- candidates ------------------------------------------------------------------------------------------------


class GramIndex:
    """Which records share a bigram with a name: only those can reach CANDIDATE_FLOOR, so only those are scored."""

    def __init__(self, records: Sequence[Any], vocabulary: Vocabulary | None = None) -> None:
        self.records = records
        self.vocabulary = vocabulary or DEFAULT_VOCABULARY
        self.postings: dict[str, list[int]] = {}
        for i, record in enumerate(records):
            for gram in metric_grams(getattr(record, "metric", "") or "", self.vocabulary):
                self.postings.setdefault(gram, []).append(i)

    def near(self, name: str) -> list[int]:
        hits: set[int] = set()
        for gram in metric_grams(name or "", self.vocabulary):
            hits.update(self.postings.get(gram, ()))
        return sorted(hits)


_INDEXES: list[tuple[Sequence[Any], GramIndex]] = []


def _index_for(records: Sequence[Any], vocabulary: Vocabulary | None = None) -> GramIndex | None:
    """A gram index for a long record list, kept for the few lists a run uses (held, so ids stay unique)."""
    if len(records) < 50:
        return None
    vocabulary = vocabulary or DEFAULT_VOCABULARY
    for held, index in _INDEXES:
        if held is records and index.vocabulary is vocabulary:
            return index
    index = GramIndex(records, vocabulary)
    _INDEXES.insert(0, (records, index))
    del _INDEXES[4:]
    return index


def paragraph_lead(review: tuple[str, int], achievement: Any) -> str:
    """The first sentence of the review paragraph holding an achievement (its topic: 城市品质…, 全力振兴乡村…)."""
    text, offset = review
    at = (getattr(achievement, "start", None) or 0) - offset
    if not text or not 0 <= at < len(text):
        return ""
    start = text.rfind("\n", 0, at) + 1
    end = _SENTENCE_END.search(text, start)
    return text[start : end.start() if end and end.start() < at else at]


_DONE_OF_TOTAL = re.compile(r"[^，,。；;]{0,16}?(?:完成|建成|竣工|落实|办结|实现)\s*\d+\s*(?:项|个|件)")


def is_list_total(review: tuple[str, int], achievement: Any) -> bool:
    """15 项民生实事项目完成 11 项: the 15 is how many there were, not how many were done."""
    text, offset = review
    end = (getattr(achievement, "end", None) or 0) - offset
    if not text or not 0 < end <= len(text):
        return False
    return bool(_DONE_OF_TOTAL.match(text, end))


def target_scope_text(target: TargetFigure) -> str:
    """The words of the commitment before its figure: where its scope (城镇/农村, 全镇/全区) is said."""
    quote = target.quote or ""
    return _before_figure(quote)


def _scope_text(achievement: Any) -> str:
    return _before_figure(getattr(achievement, "quote", "") or "")


@lru_cache(maxsize=65536)
def _before_figure(quote: str) -> str:
    match = re.search(r"\d", quote)
    head = quote[: match.start()] if match else quote
    return re.split(r"[，,；;。]", head)[-1] if head else ""


_INCREMENT = re.compile(r"新开通|新开|新增|新建|新引进|新培育|新认定")
_STOCK = re.compile(r"达到|达|累计|总数|共有|总量|突破|增加到|增至|提高到")


def increment_vs_stock(target: TargetFigure, achievement: Any) -> bool:
    """A target for new things (新开 3 条航线) is not checked against the total reached (航线达到 34 条)."""
    if target.relation == "growth" or not _INCREMENT.search(target.quote or ""):
        return False
    quote = getattr(achievement, "quote", "") or ""
    name = achievement.metric or ""
    return not _INCREMENT.search(quote + name) and bool(_STOCK.search(quote))


def rank_candidates(
    target: TargetFigure,
    achievements: Sequence[Any],
    *,
    year: int | None = None,
    index: GramIndex | None = None,
    vocabulary: Vocabulary | None = None,
    review: tuple[str, int] | None = None,
) -> list[Candidate]:
    """Every achievement with some likeness to the target, best first, each with why (not) usable.

    `review`: (review text, its offset in the report), to read the paragraph an achievement stands in.
    """
    year = year if year is not None else target.plan_year
    vocabulary = vocabulary or DEFAULT_VOCABULARY
    found: list[Candidate] = []
    index = index or _index_for(achievements, vocabulary)
    target_context = target_scope_text(target)
    positions = index.near(target.metric) if index is not None else range(len(achievements))
    for position in positions:
        achievement = achievements[position]
        if getattr(achievement, "value", None) is None and getattr(achievement, "completion_ratio", None) is None:
            continue
        similarity = metric_similarity(target.metric, achievement.metric or "", vocabulary)
        if similarity < CANDIDATE_FLOOR:
            continue
        reasons = [f"指标相似度 {similarity:.2f}"]
        if is_generic(target.metric) or is_generic(achievement.metric or ""):
            shared = context_overlap(target.quote, target.metric, achievement)
            if shared < 2:
                similarity = round(similarity * 0.4, 3)
                reasons.append("指标名称过于笼统且上下文不同")
            else:
                reasons.append(f"指标名称笼统，上下文共有 {shared} 个词组")
        uf = unit_factor(target.unit, achievement.unit or None, vocabulary)
        rf = relation_factor(target, achievement)
        usable = True
        if uf == 0.0:
            reasons.append(f"单位不符（{achievement.unit or '无'} ≠ {target.unit or '无'}）")
            usable = False
        elif uf < 1.0 and target.unit != achievement.unit and vocabulary.same_family(target.unit, achievement.unit):
            reasons.append(f"单位同类（{target.unit}/{achievement.unit}）")
        scope = vocabulary.scope_conflict(
            target.metric, target_context, achievement.metric or "", _scope_text(achievement)
        )
        if review and is_list_total(review, achievement):
            reasons.append("复核数值为总数（其后说明完成若干项），不是完成数")
            usable = False
        if not scope and review and target.section:
            # the paragraph's topic: a city paragraph's 公厕 9 座 does not answer a 乡村振兴 section's 公厕 100 座
            scope = vocabulary.topic_conflict(target.section, paragraph_lead(review, achievement))
        if scope:
            reasons.append(f"范围不符（目标为{scope[0]}，复核为{scope[1]}）")
            usable = False
        if rf == 0.0:
            reasons.append("口径不符（增速/总量/比率）")
            usable = False
        elif increment_vs_stock(target, achievement):
            reasons.append("口径不符（目标为新增量，复核为累计总量）")
            usable = False
        ok, period = _period_ok(achievement, year)
        if not ok:
            reasons.append(f"年度不符（{period}）")
            usable = False
        score = round(similarity * (uf if uf else 1.0) * (rf if rf else 1.0), 3)
        if usable and score < MATCH_THRESHOLD:
            reasons.append("相似度不足")
            usable = False
        found.append(
            Candidate(
                position,
                achievement.metric or "",
                achievement.value,
                achievement.unit,
                score,
                similarity,
                reasons,
                usable,
            )
        )
    found.sort(key=lambda c: (not c.usable, -c.score, c.index))
    return found


# --- verdicts on figures ---------------------------------------------------------------------------------------


def judge(
    target: TargetFigure, achieved: float, *, partly_share: float = DEFAULT_PARTLY_MET_SHARE
) -> tuple[str, float | None, str]:
    """Verdict of one achieved figure against the target: (verdict, ratio, arithmetic shown to people)."""
    goal = target.value
    if goal is None:
        return NO_EVIDENCE, None, "目标无数值"
    is_rate = target.unit == "%" or target.relation == "growth"
    tolerance = APPROX_POINTS if is_rate else abs(goal) * APPROX_SHARE
    if is_ceiling(target):
        limit = target.value_max if target.comparator == "range" and target.value_max is not None else goal
        if target.comparator == "~":
            limit += tolerance
        if achieved <= limit + 1e-9:
            # no "completion share" for a ceiling kept: 0.2 % inflation under a 3 % cap is not "1500 %"
            return MET, None, f"实际 {_fmt(achieved)} ≤ 上限 {_fmt(limit)}"
        share = _safe_ratio(limit, achieved) if limit > 0 and achieved > 0 else None
        verdict = PARTLY_MET if share is not None and share >= partly_share else MISSED
        return verdict, share, f"实际 {_fmt(achieved)} > 上限 {_fmt(limit)}，上限/实际 = {_pct(share)}"
    floor = goal
    if target.comparator == "~":
        floor = goal - tolerance
    ratio = _safe_ratio(achieved, goal)
    if achieved >= floor - 1e-9:
        note = f"实际 {_fmt(achieved)} ≥ 目标 {_fmt(floor)}"
        if target.comparator == "~":
            note = f"实际 {_fmt(achieved)}，目标 {_fmt(goal)} 左右（容差 {_fmt(tolerance)}）"
        return MET, ratio, note
    verdict = PARTLY_MET if ratio is not None and ratio >= partly_share else MISSED
    return verdict, ratio, f"实际 {_fmt(achieved)} < 目标 {_fmt(floor)}，完成比例 {_pct(ratio)}"


def _safe_ratio(a: float, b: float) -> float | None:
    if b == 0 or a is None or b is None:
        return None
    if a < 0 < b or b < 0:
        return 0.0 if a < b else None
    return round(a / b, 4)


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1e8:
        return f"{value / 1e8:.4g}亿"
    if abs(value) >= 1e4:
        return f"{value / 1e4:.4g}万"
    return f"{value:.4g}"


def _pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f}%"


# --- deliverables and conditions ------------------------------------------------------------------------------

# Keywords too general to identify a project on their own (a review mentions 基础设施 everywhere).
_GENERIC_KEYWORD = re.compile(
    r"^(?:基础设施|配套设施|公共服务|公共服务设施|民生实事|民生工程|基础设施配套|设施|服务|功能|环境|品质|质量|水平|能力|"
    r"体系|机制|制度|平台|载体|示范|试点|规范化|标准化|信息化|智能化|数字化)+$"
)
# A clause after the one naming a thing still speaks of it when it opens with an outcome, an adverb or a cause.
_CARRIED_ON = re.compile(
    r"^\s*(?:已|均|全部|目前|现已|顺利|正在|尚|仍|因|受|由于|预计|将|于|并|现|已经|基本|主体|完成|建成|竣工|完工|实现|"
    r"开工|启动|顺延|延期|推迟|暂缓|未|没有|年内|\d{4}\s*年|投入|交付|通过)"
)
_CLAUSE_MARK = "，,；;。：:！？!?\n"
_LIST_COUNT = re.compile(r"[（(]\s*(\d+)\s*项\s*[)）]")
_COLLECTIVE_DONE = re.compile(r"全部完成|全面完成|均已完成|均已建成|全部建成|圆满完成|如期完成|全部落地|全部实现")


def deliverable_keywords(target: TargetFigure) -> list[str]:
    """Named parts of a deliverable (哈萨尔行宫、中华天竺苑等工程建设 -> 哈萨尔行宫, 中华天竺苑)."""
    name = target.metric or target.quote
    if target.quote and _letters(name) not in _letters(target.quote):
        name = target.quote  # a name that is not in its own quote was taken from elsewhere: trust the quote
    name = re.sub(r"[（(][^）)]*[）)]", "", name)  # (含菜市场), (芳菲路-洲海路): a gloss
    name = re.sub(r"\s+", "", name)
    parts = re.split(r"[、，,；;和及与/]|以及|等", name)
    cleaned = [_KEYWORD_TAIL.sub("", _KEYWORD_LEAD.sub("", part)).strip() for part in parts]
    cleaned = [re.sub(r"[“”\"《》]", "", c) for c in cleaned]  # quotation marks are matched loosely (_loose)
    cleaned = [c for c in dict.fromkeys(cleaned) if len(c) >= 3]
    # a three-character word among several (规模化、集约化) is a description, not a name, unless it names a place
    return cleaned if len(cleaned) == 1 else [c for c in cleaned if len(c) >= 4 or _PLACE_END.search(c)]


@lru_cache(maxsize=8)
def _compact(text: str) -> str:
    """The text without what `_loose` lets stand between a name's characters (a cheap first test)."""
    return re.sub(r"[\s“”\"]+|[（(][^）)]{0,12}[）)]", "", text)


@lru_cache(maxsize=8192)
def _loose(keyword: str) -> re.Pattern:
    """The keyword as written in running text: spaces, line breaks and quotation marks may stand between its
    characters (G02-02 地块, “城中村”B3-3 地块)."""
    gap = r"[\s“”\"]*(?:[（(][^）)]{0,12}[）)])?[\s“”\"]*"  # …街道（乡镇）特色… : a gloss may stand inside
    return re.compile(gap.join(re.escape(ch) for ch in keyword))


_PLACE_END = re.compile(r"[路街桥河浜港园馆院站村居苑楼厂场湖山]$")


def _letters(text: str) -> str:
    return re.sub(r"[^\w]|_", "", text or "")


def _spellings(keyword: str, vocabulary: Vocabulary) -> list[str]:
    """The keyword and its synonyms' spellings (口袋公园 -> 街角游园, 街心花园 …)."""
    out = [keyword]
    for group in vocabulary.synonyms:
        for term in group:
            if term in keyword:
                out.extend(keyword.replace(term, other) for other in group if other != term)
                break
    return list(dict.fromkeys(out))


def outcome_window(text: str, at: int, name_end: int) -> tuple[int, int]:
    """The clause naming a thing (from the mark before it), and the clauses after it that still speak of it."""
    start = at
    while start > 0 and text[start - 1] not in _CLAUSE_MARK:
        start -= 1
    end = name_end
    while end < len(text):
        cut = end
        while cut < len(text) and text[cut] not in _CLAUSE_MARK:
            cut += 1
        end = cut
        if cut >= len(text) or text[cut] in "。；;！？!?\n":
            break
        if not _CARRIED_ON.match(text[cut + 1 : cut + 12]):
            break
        end = cut + 1
    return start, end


_RANK = {
    outcomes.DEFERRED: 4,
    outcomes.NOT_STARTED: 4,
    outcomes.NEGATED: 4,
    outcomes.COMPLETE: 3,
    outcomes.PARTIAL: 2,
    outcomes.STARTED: 1,
    outcomes.NONE: 0,
}


def find_deliverable_evidence(
    target: TargetFigure, review_text: str, *, offset: int = 0, vocabulary: Vocabulary | None = None
) -> dict | None:
    """Per named part, the review clause that names it and the outcome it states (a negative one first)."""
    keywords = deliverable_keywords(target)
    if not keywords or not review_text:
        return None
    vocabulary = vocabulary or DEFAULT_VOCABULARY
    compact = _compact(review_text)
    found: dict[str, dict] = {}
    for keyword in keywords:
        for spelling in _spellings(keyword, vocabulary):
            if spelling not in compact:
                continue  # not there even with spaces, quotation marks and glosses removed: skip the loose search
            for hit in _loose(spelling).finditer(review_text):
                start, end = outcome_window(review_text, hit.start(), hit.end())
                # the name itself is not a statement (在建商品房 is not 在建; 竣工验收中心 is not 竣工)
                said = review_text[start : hit.start()] + "※" + review_text[hit.end() : end]
                outcome = outcomes.read_outcome(said)
                sentence_start, sentence_end = _sentence_bounds(review_text, hit.start())
                best = found.get(keyword)
                if best is None or _RANK[outcome.state] > _RANK[best["outcome"].state]:
                    found[keyword] = {
                        "outcome": outcome,
                        "clause": review_text[start:end].strip(),
                        "sentence": review_text[sentence_start:sentence_end].strip(),
                        "start": offset + sentence_start,
                        "end": offset + sentence_end,
                    }
    if not found:
        return None
    return {"keywords": keywords, "found": found}


def _judge_deliverable(
    target: TargetFigure, review_text: str, offset: int, proposal: Proposal, vocabulary: Vocabulary
) -> Proposal:
    if target.kind == "condition" and outcomes.condition_subject(target.quote):
        return _judge_condition(target, review_text, offset, proposal)
    evidence = find_deliverable_evidence(target, review_text, offset=offset, vocabulary=vocabulary)
    keywords = deliverable_keywords(target)
    proposal.details["keywords"] = keywords
    if evidence is None:
        if not _collective(target, review_text, offset, proposal):
            proposal.details["why"] = (
                "复核报告中未找到该事项的名称" if keywords else "事项名称过于笼统，无法在复核报告中检索"
            )
        return proposal
    found = evidence["found"]
    promise = outcomes.promised(target.quote)
    states = {k: found[k]["outcome"] if k in found else outcomes.Outcome(outcomes.NONE) for k in keywords}
    specific = [k for k in found if not _GENERIC_KEYWORD.match(k)]
    shown = max(found.values(), key=lambda f: _RANK[f["outcome"].state])
    proposal.achievement_quote = shown["sentence"]
    proposal.evidence_start, proposal.evidence_end = shown["start"], shown["end"]
    proposal.details["evidence"] = {
        "keywords": list(found),
        "outcomes": {k: f["outcome"].state for k, f in found.items()},
        "verb": shown["outcome"].cue or None,
        "clause": shown["clause"],
        "start": shown["start"],
        "end": shown["end"],
    }
    proposal.details["outcome"] = shown["outcome"].state
    negative = [k for k, o in states.items() if o.negative]
    kept = [k for k, o in states.items() if outcomes.satisfies(o, promise)]
    under_way = [k for k, o in states.items() if o.state in (outcomes.PARTIAL, outcomes.STARTED, outcomes.COMPLETE)]
    cue = shown["outcome"].cue
    if negative:
        first = found[negative[0]]["outcome"]
        proposal.verdict = PARTLY_MET if kept else MISSED
        proposal.details["why"] = (
            f"复核报告称“{negative[0]}”{first.label}（“{first.cue}”），否定或延期的表述优先于完成用语"
            + (f"；{'、'.join(kept)}已完成" if kept else "")
        )
    elif not specific:
        proposal.details["why"] = f"复核报告只在笼统的表述中提到“{'、'.join(found)}”，不足以认定完成"
    elif len(kept) == len(keywords):
        proposal.verdict = MET
        proposal.details["why"] = f"复核报告在点名该事项的句中称“{cue}”（{'、'.join(keywords)}）" + (
            "，目标只承诺开工/启动" if promise == outcomes.STARTED else ""
        )
    elif under_way:
        proposal.verdict = PARTLY_MET
        missing = [k for k in keywords if k not in kept]
        proposal.details["why"] = (
            f"复核报告称“{cue}”，未说明{'、'.join(missing)}建成/完成"
            if shown["outcome"].state != outcomes.COMPLETE
            else f"复核报告只说明{'、'.join(kept)}完成，{'、'.join(missing)}未见完成的表述"
        )
    else:
        proposal.details["why"] = "复核报告提及该事项，但未说明完成或开工"
    return proposal


def _collective(target: TargetFigure, review_text: str, offset: int, proposal: Proposal) -> bool:
    """An item of a numbered list (民生实事项目（15项）) the review accounts for only as a whole."""
    heading = (target.section or "").split(" > ")[-1]
    count = _LIST_COUNT.search(heading)
    core = re.sub(r"\d{4}\s*年|[（(].*$|主要|重点|项目|[:：]", "", heading).strip()
    if not count or len(core) < 3 or not review_text:
        return False
    for hit in re.finditer(re.escape(core[-4:]), review_text):
        start, end = outcome_window(review_text, hit.start(), hit.end())
        clause = review_text[start:end]
        sentence_start, sentence_end = _sentence_bounds(review_text, hit.start())
        done_count = re.search(r"(?:完成|建成|落实)\s*(\d+)\s*项", clause)
        if _COLLECTIVE_DONE.search(clause) and not outcomes.read_outcome(clause).negative and not done_count:
            proposal.verdict = MET
            said = _COLLECTIVE_DONE.search(clause).group(0)
            proposal.details["why"] = f"复核报告对“{core}”整体称“{said}”（未逐项列出）"
        elif done_count and int(done_count.group(1)) >= int(count.group(1)):
            proposal.verdict = MET
            proposal.details["why"] = f"复核报告称“{core}”完成 {done_count.group(1)} 项（共 {count.group(1)} 项）"
        elif done_count:
            proposal.details["why"] = (
                f"复核报告称“{core}”{count.group(1)} 项中完成 {done_count.group(1)} 项，未说明本项是否在内"
            )
        else:
            continue
        proposal.details["collective"] = True
        proposal.achievement_quote = review_text[sentence_start:sentence_end].strip()
        proposal.evidence_start, proposal.evidence_end = offset + sentence_start, offset + sentence_end
        return True
    return False


def _judge_condition(target: TargetFigure, review_text: str, offset: int, proposal: Proposal) -> Proposal:
    """确保无重大安全事故: met when the review says the event did not happen, missed when it says it did."""
    thing = outcomes.condition_subject(target.quote)
    proposal.details["keywords"] = [thing]
    head, tail = thing[:2], thing[-2:]
    best: tuple[int, outcomes.Outcome, int] | None = None
    for hit in re.finditer(re.escape(tail), review_text or ""):
        start, end = outcome_window(review_text, hit.start(), hit.end())
        clause = review_text[start:end]
        if head not in clause:
            continue
        outcome = outcomes.read_condition(clause, tail)
        rank = {outcomes.NEGATED: 2, outcomes.COMPLETE: 1}.get(outcome.state, 0)
        if best is None or rank > best[0]:
            best = (rank, outcome, hit.start())
    if best is None or best[0] == 0:
        proposal.details["why"] = f"复核报告未说明是否发生{thing}"
        return proposal
    _, outcome, at = best
    sentence_start, sentence_end = _sentence_bounds(review_text, at)
    proposal.achievement_quote = review_text[sentence_start:sentence_end].strip()
    proposal.evidence_start, proposal.evidence_end = offset + sentence_start, offset + sentence_end
    proposal.details["outcome"] = outcome.state
    if outcome.state == outcomes.COMPLETE:
        proposal.verdict = MET
        proposal.details["why"] = f"条件类目标：复核报告称“{outcome.cue}”"
    else:
        proposal.verdict = MISSED
        proposal.details["why"] = f"条件类目标：复核报告称{thing}“{outcome.cue}”"
    return proposal


def _sentence_bounds(text: str, at: int) -> tuple[int, int]:
    start = at
    while start > 0 and not _SENTENCE_END.match(text[start - 1]):
        start -= 1
    end_match = _SENTENCE_END.search(text, at)
    end = end_match.end() if end_match else len(text)
    return start, end


# --- one target ------------------------------------------------------------------------------------------------


def reconcile_target(
    target: TargetFigure,
    achievements: Sequence[Any],
    *,
    review_text: str = "",
    review_offset: int = 0,
    previous: Sequence[Any] = (),
    year: int | None = None,
    partly_share: float = DEFAULT_PARTLY_MET_SHARE,
    vocabulary: Vocabulary | None = None,
    taken: dict[int, Any] | None = None,
) -> Proposal:
    """Propose a verdict for one target figure, with the evidence and the reasons (`details["reason"]`).

    `taken`: achievements already answering another target ({index: that target's metric}), skipped here.
    """
    year = year if year is not None else target.plan_year
    vocabulary = vocabulary or DEFAULT_VOCABULARY
    proposal = Proposal(
        target_id=target.id,
        metric=target.metric,
        relation=target.relation,
        unit=target.unit,
        comparator=target.comparator,
        target_value=target.value,
        verdict=NO_EVIDENCE,
        commitment_quote=target.quote,
        details={"warnings": [], "marks": [], "candidates": [], "ceiling": is_ceiling(target)},
    )
    if target.kind != "quantitative" or target.value is None:
        _judge_deliverable(target, review_text, review_offset, proposal, vocabulary)
        proposal.details["reason"] = reason_text(proposal)
        return proposal

    review = (review_text, review_offset) if review_text else None
    ranked = rank_candidates(target, achievements, year=year, vocabulary=vocabulary, review=review)
    for candidate in ranked:
        if taken and candidate.index in taken and candidate.usable:
            candidate.usable = False
            candidate.reasons.append(f"该数值已用于核对“{taken[candidate.index]}”")
    usable = [c for c in ranked if c.usable]
    chosen = _choose(usable, achievements)
    proposal.details["candidates"] = [asdict(c) for c in ranked[:5] if chosen is None or c.index != chosen.index]

    if chosen is not None:
        achievement = achievements[chosen.index]
        _use_achievement(proposal, target, achievement, chosen, partly_share)
        rivals = [
            c for c in usable if c.index != chosen.index and c.score >= chosen.score - 0.05 and c.value != chosen.value
        ]
        if rivals:
            others = "、".join(f"{_fmt(c.value)}{c.unit or ''}" for c in rivals[:3])
            proposal.details["warnings"].append(f"复核报告中还有同样相近的数值：{others}，请核对所用数值")
    elif target.relation == "growth":
        _growth_from_levels(proposal, target, achievements, previous, year, partly_share, vocabulary)
    if proposal.verdict == NO_EVIDENCE and "why" not in proposal.details:
        proposal.details["why"] = "复核报告没有可核对的数值"
        if ranked:
            near = ranked[0]
            proposal.details["why"] += (
                f"；最接近的“{near.metric}”{_fmt(near.value)}{near.unit or ''}未采用（{near.reasons[-1]}）"
            )
    _staff_check(proposal, target, partly_share)
    proposal.details["reason"] = reason_text(proposal)
    return proposal


def reason_text(proposal: Proposal) -> str:
    """One line a supervisor reads: the verdict, the rule or computation, and the quote it rests on."""
    details = proposal.details
    parts = [f"{VERDICT_LABELS[proposal.verdict]}：{details.get('why') or '无'}"]
    if details.get("arithmetic"):
        parts.append(f"计算：{details['arithmetic']}")
    if proposal.achievement_quote:
        quote = re.sub(r"\s+", "", proposal.achievement_quote)
        parts.append(f"原文：“{quote[:80]}{'…' if len(quote) > 80 else ''}”")
    elif proposal.verdict == NO_EVIDENCE and details.get("candidates"):
        near = "、".join(f"{c['metric']}" for c in details["candidates"][:3])
        parts.append(f"相近候选：{near}")
    if proposal.verdict == CONTRADICTED and details.get("warnings"):
        parts.append(details["warnings"][0])
    return "；".join(parts)


def _prefer_full_year(candidates: list[Candidate], records: Sequence[Any]) -> Candidate:
    """Among near-equal candidates, a full-year figure (or the full-year forecast) beats a partial-year one."""
    top = candidates[0].score
    tied = [c for c in candidates if c.score >= top - 0.05]
    return min(tied, key=lambda c: (any("非全年" in m for m in _describe_period(records[c.index])[1]), c.index))


def _choose(usable: list[Candidate], achievements: Sequence[Any]) -> Candidate | None:
    """Best usable candidate; among equals a full-year figure beats a forecast or a partial-year one."""
    if not usable:
        return None
    top = usable[0].score
    tied = [c for c in usable if c.score >= top - 0.05]

    def partial(c: Candidate) -> int:
        _, marks = _describe_period(achievements[c.index])
        return len(marks) + (1 if achievements[c.index].value is None else 0)

    return min(tied, key=lambda c: (partial(c), -c.score, c.index))


_DECLINE_NAME = re.compile(r"降幅|下降率|减幅|降低率")


def achieved_figure(achievement: Any) -> float | None:
    """The achievement's value in the target's sign convention: a decline (降幅 3%) is a negative rate."""
    value = achievement.value
    if value is not None and value > 0 and _DECLINE_NAME.search(achievement.metric or ""):
        return -value
    return value


def _use_achievement(
    proposal: Proposal, target: TargetFigure, achievement: Any, chosen: Candidate, share: float
) -> None:
    period, marks = _describe_period(achievement)
    proposal.achievement_index = chosen.index
    proposal.achievement_quote = achievement.quote
    proposal.evidence_start = getattr(achievement, "start", None)
    proposal.evidence_end = getattr(achievement, "end", None)
    proposal.details.update(
        {
            "similarity": chosen.similarity,
            "score": chosen.score,
            "achievement_metric": achievement.metric,
            "achievement_unit": achievement.unit,
            "period": period,
            "why": "；".join([*chosen.reasons, f"单位 {achievement.unit or '—'}", f"时期 {period or '未注明'}"]),
        }
    )
    proposal.details["marks"].extend(marks)
    ratio_stated = getattr(achievement, "completion_ratio", None)
    if achievement.value is not None and unit_factor(target.unit, achievement.unit) > 0:
        proposal.achieved_value = achieved_figure(achievement)
        verdict, ratio, arithmetic = judge(target, proposal.achieved_value, partly_share=share)
        proposal.verdict, proposal.ratio = verdict, ratio
        proposal.details["basis"] = "value"
        proposal.details["arithmetic"] = arithmetic
        said = outcomes.read_outcome(_figure_clause(achievement))
        if said.state == outcomes.NEGATED and proposal.verdict == MET:
            proposal.verdict = CONTRADICTED
            proposal.details["warnings"].append(f"数值达到目标，但复核报告同一句称“{said.cue}”")
        if ratio_stated is not None and target.value and not is_ceiling(target):
            computed = achievement.value / target.value * 100
            if abs(computed - ratio_stated) > 5 and not marks:
                proposal.verdict = CONTRADICTED
                proposal.details["warnings"].append(
                    f"复核报告称完成目标的 {ratio_stated:g}%，但按原目标 {_fmt(target.value)} 计算为 {computed:.1f}%"
                )
        implied = getattr(achievement, "implied_target", None)
        if implied and target.value and abs(implied / target.value - 1) > 0.05:
            proposal.details["warnings"].append(
                f"目标疑被调整：复核报告隐含目标 {_fmt(implied)}，原目标 {_fmt(target.value)}"
            )
    elif ratio_stated is not None:
        proposal.ratio = round(ratio_stated / 100, 4)
        proposal.details["basis"] = "completion_ratio"
        proposal.details["arithmetic"] = f"复核报告称完成目标的 {ratio_stated:g}%"
        if proposal.ratio >= 1:
            proposal.verdict = MET
        elif proposal.ratio >= share:
            proposal.verdict = PARTLY_MET
        else:
            proposal.verdict = MISSED


def _figure_clause(achievement: Any) -> str:
    """The clause of an achievement's quote that holds its figure (what a 未完成 must share to count)."""
    quote = getattr(achievement, "quote", "") or ""
    return re.split(r"[；;。]", quote)[-1] if quote else ""


_COMPARABLE = re.compile(r"可比|同口径|按可比价")


def _growth_from_levels(
    proposal: Proposal,
    target: TargetFigure,
    achievements: Sequence[Any],
    previous: Sequence[Any],
    year: int | None,
    share: float,
    vocabulary: Vocabulary | None = None,
) -> None:
    """A growth target with no reported rate: rate = level this year / baseline - 1, shown step by step."""
    level_target = TargetFigure(
        id=None, metric=base_metric(target.metric), value=1.0, relation="absolute", unit=None, quote=target.quote
    )
    ranked = rank_candidates(level_target, achievements, year=year, vocabulary=vocabulary)
    if _COMPARABLE.search(f"{target.metric} {target.quote}"):
        # a 可比/同口径 rate removes price or scope changes that two levels cannot show
        near = [c for c in ranked if c.similarity >= MATCH_THRESHOLD and c.unit not in (None, "%")]
        if near:
            proposal.details["why"] = (
                f"目标为可比（同口径）增速，复核报告只给出总量 {_fmt(near[0].value)}{near[0].unit}，名义增速不能代替"
            )
            proposal.details["level_quote"] = achievements[near[0].index].quote
        return
    levels = [c for c in ranked if c.usable]
    levels = [c for c in levels if achievements[c.index].value is not None and achievements[c.index].unit != "%"]
    if not levels:
        return
    level = achievements[levels[0].index]
    baseline, source = target.baseline_value, "手工录入的基数"
    if baseline is None:
        prior_year = year - 1 if year else None
        prior = [
            c
            for c in rank_candidates(level_target, previous, year=prior_year, vocabulary=vocabulary)
            if c.usable and previous[c.index].unit == level.unit and previous[c.index].value
        ]
        if prior:
            base = previous[_prefer_full_year(prior, previous).index]
            baseline, source = base.value, f"上年报告：{base.quote}"
    if not baseline:
        proposal.details["why"] = f"复核报告只给出总量 {_fmt(level.value)}，缺少上年基数，无法计算增速"
        proposal.details["level_quote"] = level.quote
        return
    rate = round((level.value / baseline - 1) * 100, 2)
    verdict, ratio, arithmetic = judge(target, rate, partly_share=share)
    proposal.verdict, proposal.ratio, proposal.achieved_value = verdict, ratio, rate
    proposal.achievement_index = levels[0].index
    proposal.achievement_quote = level.quote
    proposal.evidence_start, proposal.evidence_end = getattr(level, "start", None), getattr(level, "end", None)
    proposal.details.update(
        {
            "basis": "computed_growth",
            "similarity": levels[0].similarity,
            "score": levels[0].score,
            "achievement_metric": level.metric,
            "achievement_unit": level.unit,
            "why": f"由总量推算增速（{source}）",
            "arithmetic": f"({_fmt(level.value)} ÷ {_fmt(baseline)} − 1) × 100 = {rate:.2f}%；{arithmetic}",
            "baseline_value": baseline,
        }
    )
    proposal.details["marks"].extend(_describe_period(level)[1])


def _staff_check(proposal: Proposal, target: TargetFigure, share: float) -> None:
    """The review figure against what staff last reported: a clear disagreement is a contradiction."""
    staff = target.staff_value
    if staff is None and target.staff_percent is not None and target.value is not None:
        staff = target.value * target.staff_percent / 100
    if staff is None:
        return
    proposal.details["staff_value"] = staff
    if proposal.achieved_value is None or proposal.details.get("basis") == "computed_growth":
        return
    staff_verdict, _, _ = judge(target, staff, partly_share=share)
    review = proposal.achieved_value
    gap = abs(staff - review) / max(abs(staff), abs(review), 1e-9)
    if (staff_verdict == MET) != (proposal.verdict == MET) or gap > STAFF_DISAGREEMENT:
        proposal.details["warnings"].append(
            f"复核报告数值 {_fmt(review)} 与科室最后填报 {_fmt(staff)} 不一致（相差 {gap * 100:.1f}%）"
        )
        proposal.details["proposed_before_staff_check"] = proposal.verdict
        proposal.verdict = CONTRADICTED


# --- cross-document checks -------------------------------------------------------------------------------------


def target_arithmetic(targets: Sequence[TargetFigure], previous: Sequence[Any]) -> dict[Any, str]:
    """A level and a growth rate set together must agree with the previous year's figure.

    Warns when baseline × (1 + rate), rounded as the level is written, is not the level
    (23.2 亿 said to be +25% on 18.5 亿: 18.5 × 1.25 = 23.125 ≈ 23.1 亿). Returns {target id: warning} for both figures.
    """
    warnings: dict[Any, str] = {}
    levels = [t for t in targets if t.relation != "growth" and t.value and t.unit and t.unit != "%"]
    for growth in (t for t in targets if t.relation == "growth" and t.value is not None):
        siblings = [(metric_similarity(growth.metric, t.metric), t) for t in levels]
        siblings = [(s, t) for s, t in siblings if s >= 0.6]
        if not siblings:
            continue
        _, level = max(siblings, key=lambda pair: pair[0])
        probe = TargetFigure(id=None, metric=level.metric, value=1.0, unit=level.unit, relation="absolute")
        year = (level.plan_year - 1) if level.plan_year else None
        prior = [c for c in rank_candidates(probe, previous, year=year) if c.usable]
        if not prior:
            prior = [c for c in rank_candidates(probe, previous, year=None) if c.usable]
        if not prior:
            continue
        base = previous[_prefer_full_year(prior, previous).index]
        if not base.value:
            continue
        computed = (level.value / base.value - 1) * 100
        implied = base.value * (1 + growth.value / 100)
        if not same_when_rounded(implied, level.value):
            text = (
                f"目标自身算术不符：{_fmt(level.value)} 相对上年 {_fmt(base.value)}（{base.quote.strip()}）"
                f"增长 {computed:.1f}%，而目标称增长 {growth.value:g}%（按 {growth.value:g}% 应为 {_fmt(implied)}）"
            )
            warnings[growth.id] = text
            warnings[level.id] = text
    return warnings


def _scale(value: float) -> float:
    """The unit a figure was written in (亿, 万 or one), judged from its size."""
    for scale in (1e8, 1e4):
        if abs(value) >= scale:
            return scale
    return 1.0


def same_when_rounded(computed: float, stated: float) -> bool:
    """Does `computed`, rounded to the precision `stated` was written with, give `stated`?

    23.2 亿 is written to 0.1 亿; 18.5 亿 × 1.25 = 23.125 亿 rounds to 23.1 亿, so "+25% = 23.2 亿" does not add up.
    """
    scale = _scale(stated)
    written = Decimal(repr(round(stated / scale, 6))).normalize()
    exponent = min(written.as_tuple().exponent, 0)
    quantum = Decimal(1).scaleb(exponent)
    rounded = Decimal(repr(computed / scale)).quantize(quantum, rounding=ROUND_HALF_UP)
    return rounded == written.quantize(quantum)


def duplicate_figures(achievements: Sequence[Any]) -> dict[int, str]:
    """The same figure reported for two different metrics (a copy-paste slip or a garbled table)."""
    seen: dict[tuple, list[int]] = {}
    for index, a in enumerate(achievements):
        value = getattr(a, "value", None)
        if value is None or not a.metric:
            continue
        if a.unit == "%" or (abs(value) < 100 and float(value).is_integer()):
            continue  # rates and small counts repeat by chance
        seen.setdefault((round(value, 6), a.unit), []).append(index)
    out: dict[int, str] = {}
    for (value, unit), indexes in seen.items():
        names = {achievements[i].metric for i in indexes}
        if len(indexes) < 2 or len(names) < 2:
            continue
        if all(metric_similarity(x, y) >= 0.6 for x in names for y in names):
            continue
        for i in indexes:
            others = "、".join(sorted(names - {achievements[i].metric}))
            out[i] = f"同一数值 {_fmt(value)}{unit or ''} 也报告为：{others}"
    return out


def restatements(targets: Sequence[TargetFigure], next_commitments: Sequence[Any]) -> dict[Any, str]:
    """A target of year Y given again in the next report with another value for the same year."""
    out: dict[Any, str] = {}
    for target in targets:
        if target.value is None or target.plan_year is None:
            continue
        for record in next_commitments:
            plan = str(getattr(record, "plan_year", "") or "")
            if not plan.startswith(str(target.plan_year)) or record.value is None:
                continue
            if (record.unit or None) != target.unit or (record.relation or None) != target.relation:
                continue
            if metric_similarity(target.metric, record.metric or "") < 0.8:
                continue
            if not math.isclose(record.value, target.value, rel_tol=0.01):
                out[target.id] = (
                    f"下一份报告把 {target.plan_year} 年目标改为 {_fmt(record.value)}（原为 {_fmt(target.value)}）"
                )
    return out


# --- a whole year ----------------------------------------------------------------------------------------------


def reconcile(
    targets: Iterable[TargetFigure],
    achievements: Sequence[Any],
    *,
    review_text: str = "",
    review_offset: int = 0,
    previous: Sequence[Any] = (),
    next_commitments: Sequence[Any] = (),
    year: int | None = None,
    partly_share: float = DEFAULT_PARTLY_MET_SHARE,
    vocabulary: Vocabulary | None = None,
) -> list[Proposal]:
    """Proposals for every target figure, with the cross-document warnings attached.

    `achievements`: the review of the year; `previous`: achievements of the report that set the targets
    (the year before's figures, baselines for growth); `review_text`: the review's text, for deliverables;
    `next_commitments`: commitments of the reviewing report, to spot a restated target; `vocabulary`:
    synonyms, unit families and scope words (`vocabulary.DEFAULT` unless the database's are given).
    """
    targets = list(targets)
    vocabulary = vocabulary or DEFAULT_VOCABULARY

    def run(target: TargetFigure, taken: dict[int, Any] | None = None) -> Proposal:
        return reconcile_target(
            target,
            achievements,
            review_text=review_text,
            review_offset=review_offset,
            previous=previous,
            year=year,
            partly_share=partly_share,
            vocabulary=vocabulary,
            taken=taken,
        )

    proposals = _one_to_one(targets, [run(t) for t in targets], achievements, run)
    arithmetic = target_arithmetic(targets, previous)
    duplicates = duplicate_figures(achievements)
    restated = restatements(targets, next_commitments)
    for proposal in proposals:
        warnings = proposal.details["warnings"]
        if proposal.target_id in arithmetic:
            warnings.append(arithmetic[proposal.target_id])
        if proposal.achievement_index is not None and proposal.achievement_index in duplicates:
            warnings.append(duplicates[proposal.achievement_index])
        if proposal.target_id in restated:
            warnings.append(restated[proposal.target_id])
    return proposals


# One figure may answer several targets only when the review says so (先行联系率、按时办结率均达到 100%).
_SHARED_FIGURE = re.compile(r"均|都|皆|全部|同为")


def _one_to_one(targets: list[TargetFigure], proposals: list[Proposal], achievements: Sequence[Any], run) -> list:
    """A review figure answers one target: when several same-kind targets took it, the closest keeps it.

    Closest = best match score, then the value nearest the target's. The others are proposed again without it
    (they may find their own figure, or end as no_evidence saying which target took it).
    """
    taken: dict[int, Any] = {}
    for _ in range(3):
        claims: dict[int, list[int]] = {}
        for i, proposal in enumerate(proposals):
            if proposal.achievement_index is not None and proposal.details.get("basis") == "value":
                claims.setdefault(proposal.achievement_index, []).append(i)
        losers: list[int] = []
        for index, claimants in claims.items():
            if len(claimants) < 2 or _SHARED_FIGURE.search(getattr(achievements[index], "quote", "") or ""):
                continue
            kinds = {(metric_key(targets[i].metric), targets[i].value, targets[i].unit) for i in claimants}
            if len(kinds) == 1:
                continue  # the same target written twice
            winner = min(claimants, key=lambda i: (-(proposals[i].details.get("score") or 0), _distance(proposals[i])))
            taken[index] = targets[winner].metric
            losers.extend(i for i in claimants if i != winner)
        if not losers:
            break
        for i in losers:
            proposals[i] = run(targets[i], dict(taken))
    return proposals


def _distance(proposal: Proposal) -> float:
    goal, got = proposal.target_value, proposal.achieved_value
    if not goal or not got or goal <= 0 or got <= 0:
        return math.inf
    return abs(math.log(got / goal))


def review_part(text: str, sections: Sequence[Any], year: int | None) -> tuple[str, int]:
    """The review sections of a report (for deliverable evidence): (text, offset of its first character).

    Falls back to the whole text when no section is marked as a review.
    """
    rows = [s if isinstance(s, dict) else vars(s) for s in sections]
    reviews = [s for s in rows if s.get("mode") == "review"]
    spans = [
        (s["start"], s["end"]) for s in reviews if year is None or not s.get("year") or str(year) in str(s["year"])
    ]
    if not spans:
        spans = [(s["start"], s["end"]) for s in reviews]
    if not spans:
        return text, 0
    start, end = min(a for a, _ in spans), max(b for _, b in spans)
    return text[start:end], start
