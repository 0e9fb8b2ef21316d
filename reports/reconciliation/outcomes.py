"""Outcomes told in prose: did the review say a project was done, half done, put off, not started or not done?

Pure Python. `read_outcome(clause)` reads one clause (the words around the thing's name, up to the next
subject) and answers with the strongest statement it makes, where "strongest" is the precision-first order a
supervisor would use: a deferral, a "not started" or a negated completion in the clause overrides any completion
word nearby (…修缮改造受疫情影响顺延至 2023 年 is deferred even though 完成 may stand two words away).

Conditions (确保无重大安全事故) are read by `read_condition`: the review must say the bad event did not occur
(未发生 / 无 / 零 …) in the clause naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMPLETE = "complete"
PARTIAL = "partial"
STARTED = "started"
DEFERRED = "deferred"
NOT_STARTED = "not_started"
NEGATED = "negated"
NONE = "none"

OUTCOME_LABELS = {
    COMPLETE: "已完成",
    PARTIAL: "部分完成",
    STARTED: "已开工/推进中",
    DEFERRED: "延期/暂缓",
    NOT_STARTED: "尚未开工",
    NEGATED: "未完成",
    NONE: "未说明结果",
}

# Outcomes that say the thing was not done: never evidence for 完成.
NEGATIVE = frozenset({DEFERRED, NOT_STARTED, NEGATED})

_DONE = (
    r"全面完成|圆满完成|顺利完成|如期完成|按期完成|提前完成|超额完成|全部完成|完成年度(?:计划|目标|任务)|"
    r"建成|竣工|完工|落成|投入使用|投入运营|投入运行|投用|交付使用|交付|通车|开园|开业|开馆|启用|"
    r"通过验收|验收合格|挂牌|上线运行|实现全覆盖|全覆盖|投产|达产|亮相|建成开放|成功创建|获评|获批|荣获|"
    r"通过[\u4e00-\u9fff]{0,8}?(?:复审|复核|验收|评估|考核|评审)|(?:顺利)?通过(?=※)|"
    r"控制在[^，,；;。]{0,12}以内|(?:对外|向[\u4e00-\u9fff]{1,4})?开放|全线贯通|贯通|运营|运行|完成"
)
_PARTIAL = (
    # a completion still ahead (即将通车, 预计年底竣工) is not a completion
    r"(?:即将|将于|将要|有望|预计|计划|争取|力争)[^，,；;。]{0,8}?(?:建成|竣工|完工|通车|投用|投入使用|交付|完成|开园|开业)|"
    r"基本完成|基本建成|基本完工|基本竣工|主体完工|主体结构封顶|主体封顶|结构封顶|封顶|部分完成|完成(?:年度)?(?:计划|目标)?的?\s*\d+(?:\.\d+)?\s*%|"
    r"正在建设|在建|加快建设|加紧建设|有序推进|稳步推进|正在推进|全力推进|扎实推进|深入推进|继续推进|持续推进|加快推进|"
    r"进展顺利|持续深化|深入实施|持续开展|扎实开展|深入开展|惠及|进入(?:收尾|扫尾)"
)
_STARTED = r"开工建设|开工|启动建设|启动|动工|开建|破土|签约|落地"
_DEFER = r"顺延|延期|推迟|延后|推后|暂缓|缓建|延至|移至|调整至\s*\d{4}\s*年|结转|停建|暂停|取消|未能如期|未如期|搁置"
_NOT_STARTED = (
    r"尚未开工|未开工|尚未启动|未启动|未动工|尚未动工|正在报批|尚在报批|仍在前期|前期(?:手续|工作)(?:正在|尚在|仍在)|"
    r"正在办理|尚未立项|未立项"
)
# A completion (or start) verb under a negation: 未完成, 尚未建成, 没有达到, 未能实现.
_NEGATED = (
    r"(?:未|尚未|没有|没能|未能|仍未|还未|并未)(?:能)?(?:按期|如期|全部|全面)?"
    r"(?:完成|建成|竣工|完工|实现|达到|达标|投用|投入使用|交付|通过|落实|到位)|滞后|进度缓慢|差距较大"
)

_PATTERNS = (
    (DEFERRED, re.compile(_DEFER)),
    (NOT_STARTED, re.compile(_NOT_STARTED)),
    (NEGATED, re.compile(_NEGATED)),
    (PARTIAL, re.compile(_PARTIAL)),
    (COMPLETE, re.compile(_DONE)),
    (STARTED, re.compile(_STARTED)),
)

# A 完成 that only reports an amount of money or work (完成投资 3 亿元, 完成年度投资的 80%) is not the thing done.
_SPEND_ONLY = re.compile(r"完成(?:年度|全年)?(?:计划)?投资|完成(?:年度|全年)?(?:计划)?的?\s*\d+(?:\.\d+)?\s*%")
# Things promised to be finished (a start already happened when they are topped out or under way).
_FINISH_PROMISE = re.compile(r"建成|完成|完工|竣工|投用|投入使用|交付|通车|开园|开业")
_START_PROMISE = re.compile(r"开工|启动|动工|开建|签约|落地|推进|加快|开展|实施")


@dataclass(frozen=True)
class Outcome:
    state: str
    cue: str = ""  # the words that decided it, quoted in the reason

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.state]

    @property
    def negative(self) -> bool:
        return self.state in NEGATIVE


def read_outcome(clause: str) -> Outcome:
    """The outcome one clause states, negative statements first (they override completion words)."""
    text = re.sub(r"\s+", "", clause or "")
    for state, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if state == COMPLETE and _SPEND_ONLY.match(text, match.start()):
                continue
            if state == COMPLETE and _negated_at(text, match.start()):
                continue
            return Outcome(state, match.group(0))
    return Outcome(NONE)


_NEGATION_BEFORE = re.compile(r"(?:未|没有|没能|未能|尚未|仍未|并未)(?:能)?(?:按期|如期|全部|全面)?$")


def _negated_at(text: str, at: int) -> bool:
    return bool(_NEGATION_BEFORE.search(text[max(0, at - 6) : at]))


def promised(quote: str) -> str:
    """What the commitment promised: `complete` (建成/完成 …) or `started` (开工/启动 only)."""
    text = quote or ""
    if _START_PROMISE.search(text) and not _FINISH_PROMISE.search(text.replace("完成投资", "")):
        return STARTED
    return COMPLETE


def satisfies(outcome: Outcome, promise: str) -> bool:
    """Does the stated outcome keep the promise? A start keeps a promised start; only completion keeps the rest.

    A stated shortfall (完成年度计划的 60%) keeps nothing, even a promise to get on with it.
    """
    if outcome.state == COMPLETE:
        return True
    if re.search(r"\d\s*%", outcome.cue):
        return False
    return promise == STARTED and outcome.state in (STARTED, PARTIAL)


# --- conditions --------------------------------------------------------------------------------------------------

_NO_EVENT = re.compile(
    r"(?:未发生|没有发生|无|零|杜绝|未出现|没有出现|实现零|保持零|控制在零)"
    r"(?:一起|任何)?(?:较大以上|重大|重特大|较大|一般以上)?(?:及以上)?"
)
_EVENT_COUNT = re.compile(r"\s*(?:\d+|[一二两三四五六七八九十]+)\s*起")


def condition_subject(quote: str) -> str:
    """The bad event a condition rules out: 确保无重大安全事故 -> 安全事故 (the words after the negation)."""
    text = re.sub(r"\s+", "", quote or "")
    match = re.search(
        r"(?:无|不发生|杜绝|零|防止|避免|坚决遏制|遏制)(?:较大以上|重大|重特大|较大|一般以上|群体性)?(?:及以上)?"
        r"(?P<thing>[\u4e00-\u9fff]{2,12}?(?:事故|事件|案件|疫情|火灾|伤亡|上访|违建|污染))",
        text,
    )
    return match.group("thing") if match else ""


def read_condition(clause: str, thing: str) -> Outcome:
    """A clause about the ruled-out event: complete when it says the event did not happen, negated when it did."""
    text = re.sub(r"\s+", "", clause or "")
    core = thing[-4:] if len(thing) > 4 else thing
    at = text.find(core)
    if at < 0:
        return Outcome(NONE)
    lo = max(0, at - 16)
    before, after = text[lo:at], text[at + len(core) : at + len(core) + 6]
    said = list(_NO_EVENT.finditer(before))
    if said:
        return Outcome(COMPLETE, text[lo + said[-1].start() : at + len(core)])
    count = _EVENT_COUNT.match(after)
    if count or re.search(r"发生|出现", before):
        return Outcome(NEGATED, text[lo:at] + core + (count.group(0) if count else ""))
    return Outcome(NONE)
