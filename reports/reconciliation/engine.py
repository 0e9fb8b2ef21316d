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
    r"主要|指标|本级|全口径|可比口径|的"
)
_GROWTH_SUFFIX = re.compile(r"(?:增速|增幅|增长率|增长|涨幅)$")

UNIT_FAMILIES = {
    "money": {"元", "美元", "欧元"},
    "percent": {"%", "个百分点", "百分点"},
    "area": {"平方米", "平方公里", "亩", "公顷"},
    "count": {"个", "项", "家", "座", "所", "处", "件", "条", "栋", "幢", "台", "套", "户", "批"},
}

_LOOSE_COUNTERS = {"个", "项", "家", "处"}

# Deliverables: the review must say the thing is done or under way.
_DONE_VERBS = re.compile(
    r"建成|完成|完工|竣工|投入使用|投入运营|投用|交付使用|开园|开业|通车|通过验收|顺利实施|全面实施|落地|实现|运营|挂牌|成立|上线"
)
_STARTED_VERBS = re.compile(r"开工|启动|开建|动工|实施|推进|签约|进展顺利|加快建设|主体完工")
_START_PROMISE = re.compile(r"开工|启动|动工|开建|推进|实施|争取")
_KEYWORD_NOISE = re.compile(
    r"工程建设|项目建设|建设工程|工程|项目|建设|改造|新建|扩建|提升|实施|推进|加快|启动|完成|开工|等|的|及|和|与|"
    r"配套|重点|全面|继续|进一步|深入|开展|打造|[“”\"《》()（）]"
)
_CONTEXT_NOISE = re.compile(
    r"[\d.,，、；;：:%（）()“”\"\s]+|亿元|万元|亿|万|元|个|项|完成|实现|达到|全年|确保|推进|实施|建设|工程|项目|投资|的|了"
)
# Names that identify nothing without their sentence (投资 of which project? 面积 of what?).
_GENERIC_KEY = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,5}?(?:实施|推进|启动|建设|完成))?总?(?:投资|面积|资金|金额|数量|规模|项目|户数|人数|个数|长度)数?$"
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


def metric_key(name: str) -> str:
    """Canonical name without the words that do not identify the indicator."""
    name = canonical_metric(name or "")
    return _NAME_NOISE.sub("", name) or name


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


@lru_cache(maxsize=65536)
def metric_grams(name: str) -> frozenset[str]:
    """Character bigrams of the cleaned name (cached: a year's run compares the same names many times)."""
    return frozenset(_bigrams(metric_key(base_metric(name or ""))))


def metric_similarity(a: str, b: str) -> float:
    """0..1: 0.7 × Jaccard + 0.3 × containment of character bigrams of the two cleaned names."""
    ka, kb = metric_grams(a or ""), metric_grams(b or "")
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


def unit_family(unit: str | None) -> str | None:
    if not unit:
        return None
    for family, units in UNIT_FAMILIES.items():
        if unit in units:
            return family
    return unit


def unit_factor(target_unit: str | None, achieved_unit: str | None) -> float:
    """1 for the same unit, 0.8 within a family of counted things, 0 when incompatible (% vs 元)."""
    if not target_unit or not achieved_unit:
        return 0.5
    if target_unit == achieved_unit:
        return 1.0
    if {target_unit, achieved_unit} <= _LOOSE_COUNTERS or {target_unit, achieved_unit} <= UNIT_FAMILIES["percent"]:
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

    def __init__(self, records: Sequence[Any]) -> None:
        self.records = records
        self.postings: dict[str, list[int]] = {}
        for i, record in enumerate(records):
            for gram in metric_grams(getattr(record, "metric", "") or ""):
                self.postings.setdefault(gram, []).append(i)

    def near(self, name: str) -> list[int]:
        hits: set[int] = set()
        for gram in metric_grams(name or ""):
            hits.update(self.postings.get(gram, ()))
        return sorted(hits)


_INDEXES: list[tuple[Sequence[Any], GramIndex]] = []


def _index_for(records: Sequence[Any]) -> GramIndex | None:
    """A gram index for a long record list, kept for the few lists a run uses (held, so ids stay unique)."""
    if len(records) < 50:
        return None
    for held, index in _INDEXES:
        if held is records:
            return index
    index = GramIndex(records)
    _INDEXES.insert(0, (records, index))
    del _INDEXES[4:]
    return index


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
    target: TargetFigure, achievements: Sequence[Any], *, year: int | None = None, index: GramIndex | None = None
) -> list[Candidate]:
    """Every achievement with some likeness to the target, best first, each with why (not) usable."""
    year = year if year is not None else target.plan_year
    found: list[Candidate] = []
    index = index or _index_for(achievements)
    positions = index.near(target.metric) if index is not None else range(len(achievements))
    for position in positions:
        achievement = achievements[position]
        if getattr(achievement, "value", None) is None and getattr(achievement, "completion_ratio", None) is None:
            continue
        similarity = metric_similarity(target.metric, achievement.metric or "")
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
        uf = unit_factor(target.unit, achievement.unit or None)
        rf = relation_factor(target, achievement)
        usable = True
        if uf == 0.0:
            reasons.append(f"单位不符（{achievement.unit or '无'} ≠ {target.unit or '无'}）")
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


# --- deliverables ----------------------------------------------------------------------------------------------


def deliverable_keywords(target: TargetFigure) -> list[str]:
    """Named parts of a deliverable (哈萨尔行宫、中华天竺苑等工程建设 -> 哈萨尔行宫, 中华天竺苑)."""
    name = target.metric or target.quote
    parts = re.split(r"[、，,；;和及与/]|以及|等", name)
    cleaned = [_KEYWORD_NOISE.sub("", part).strip() for part in parts]
    cleaned = [c for c in dict.fromkeys(cleaned) if len(c) >= 3]
    # a three-character word among several (规模化、集约化) is a description, not a name
    return cleaned if len(cleaned) == 1 else [c for c in cleaned if len(c) >= 4]


def find_deliverable_evidence(target: TargetFigure, review_text: str, *, offset: int = 0) -> dict | None:
    """The review sentence naming the deliverable with a completion (or start) verb, best first."""
    keywords = deliverable_keywords(target)
    if not keywords or not review_text:
        return None
    best: dict | None = None
    for keyword in keywords:
        for hit in re.finditer(re.escape(keyword), review_text):
            start, end = _sentence_bounds(review_text, hit.start())
            sentence = review_text[start:end]
            # the verb must belong to the clause naming the thing
            clause = _clause_window(review_text, hit.start(), end)
            done = _DONE_VERBS.search(clause)
            started = _STARTED_VERBS.search(clause)
            strength = 2 if done else 1 if started else 0
            matched = [k for k in keywords if k in sentence]
            score = strength * 10 + len(matched)
            if best is None or score > best["score"]:
                best = {
                    "score": score,
                    "strength": strength,
                    "sentence": sentence.strip(),
                    "start": offset + start,
                    "end": offset + end,
                    "keywords": matched,
                    "verb": (done or started).group(0) if (done or started) else None,
                }
    return best


def _clause_window(text: str, at: int, limit: int) -> str:
    start = at
    while start > 0 and text[start - 1] not in "，,；;。：:！？\n":
        start -= 1
    cut = re.search(r"[，,；;。]", text[at:limit])
    end = at + cut.end() if cut else limit
    return text[start:end]


def _sentence_bounds(text: str, at: int) -> tuple[int, int]:
    start = at
    while start > 0 and not _SENTENCE_END.match(text[start - 1]):
        start -= 1
    end_match = _SENTENCE_END.search(text, at)
    end = end_match.end() if end_match else len(text)
    return start, end


def _judge_deliverable(target: TargetFigure, review_text: str, offset: int, proposal: Proposal) -> Proposal:
    evidence = find_deliverable_evidence(target, review_text, offset=offset)
    keywords = deliverable_keywords(target)
    proposal.details["keywords"] = keywords
    if evidence is None:
        proposal.details["why"] = (
            "复核报告中未找到该事项的名称" if keywords else "事项名称过于笼统，无法在复核报告中检索"
        )
        return proposal
    promised_start = bool(_START_PROMISE.search(target.quote or "")) and not re.search(
        r"建成|完成|完工|竣工", target.quote or ""
    )
    proposal.achievement_quote = evidence["sentence"]
    proposal.evidence_start, proposal.evidence_end = evidence["start"], evidence["end"]
    proposal.details["evidence"] = {k: evidence[k] for k in ("keywords", "verb", "start", "end")}
    if evidence["strength"] == 2 or (evidence["strength"] == 1 and promised_start):
        proposal.verdict = MET
        proposal.details["why"] = f"复核报告称“{evidence['verb']}”（关键词：{'、'.join(evidence['keywords'])}）"
    elif evidence["strength"] == 1:
        proposal.verdict = PARTLY_MET
        proposal.details["why"] = f"复核报告仅称“{evidence['verb']}”，未说明建成/完成"
    else:
        proposal.details["why"] = "复核报告提及该事项，但未说明完成或开工"
    return proposal


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
) -> Proposal:
    """Propose a verdict for one target figure, with the evidence and the reasons."""
    year = year if year is not None else target.plan_year
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
        return _judge_deliverable(target, review_text, review_offset, proposal)

    ranked = rank_candidates(target, achievements, year=year)
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
        _growth_from_levels(proposal, target, achievements, previous, year, partly_share)
    if proposal.verdict == NO_EVIDENCE and "why" not in proposal.details:
        proposal.details["why"] = "复核报告没有可核对的数值" + ("（有相近指标，见候选）" if ranked else "")
    _staff_check(proposal, target, partly_share)
    return proposal


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


def _growth_from_levels(
    proposal: Proposal,
    target: TargetFigure,
    achievements: Sequence[Any],
    previous: Sequence[Any],
    year: int | None,
    share: float,
) -> None:
    """A growth target with no reported rate: rate = level this year / baseline - 1, shown step by step."""
    level_target = TargetFigure(id=None, metric=base_metric(target.metric), value=1.0, relation="absolute", unit=None)
    levels = [c for c in rank_candidates(level_target, achievements, year=year) if c.usable]
    levels = [c for c in levels if achievements[c.index].value is not None and achievements[c.index].unit != "%"]
    if not levels:
        return
    level = achievements[levels[0].index]
    baseline, source = target.baseline_value, "手工录入的基数"
    if baseline is None:
        prior_year = year - 1 if year else None
        prior = [
            c
            for c in rank_candidates(level_target, previous, year=prior_year)
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
) -> list[Proposal]:
    """Proposals for every target figure, with the cross-document warnings attached.

    `achievements`: the review of the year; `previous`: achievements of the report that set the targets
    (the year before's figures, baselines for growth); `review_text`: the review's text, for deliverables;
    `next_commitments`: commitments of the reviewing report, to spot a restated target.
    """
    targets = list(targets)
    proposals = [
        reconcile_target(
            t,
            achievements,
            review_text=review_text,
            review_offset=review_offset,
            previous=previous,
            year=year,
            partly_share=partly_share,
        )
        for t in targets
    ]
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
