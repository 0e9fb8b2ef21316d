"""Numbers with units in report text: 23.2亿元, 3-5个, 百万余元, 三幅, 15%, 1:4 — traps excluded.

`find_quantities` scans once with a single linear regex (no nested quantifiers), then drops the
numbers that are names rather than values (see the gold README, "Numbers that are not values"):
hotlines, mechanism names (3+5+X), plot codes (G02-02, 15-03), versions, ordinals (第二批), age bands,
years used as labels, slogans built from numerals (一户一档, 千家万户, 两个确立).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reports.extraction.text import unify_width
from reports.extraction.units import CN_CHARS, CN_DIGITS, COUNT_UNITS, MULTIPLIERS, UNITS, chinese_to_int

UPPER_DIGITS = "壹贰叁肆伍陆柒捌玖"
UPPER_CHARS = UPPER_DIGITS + "拾佰仟"


@dataclass
class Quantity:
    start: int  # offsets into the string passed to find_quantities
    end: int
    text: str  # the number with its unit as written: "23.2亿元", "3-5个", "百万余元", "1:4", "第一名"
    value: float  # in base units
    value_max: float | None  # ranges only
    unit: str | None  # base unit; "ratio" for 1:4
    unit_text: str | None  # as written: 亿元, 万平方米
    qualifier: str | None  # more_than | approx | at_least | at_most | None
    chinese: bool  # written in Chinese numerals
    rank: bool = False  # 第四名 / 位列第二: value is the position
    qualifier_text: str | None = None  # the word that set the qualifier (不少于, 以上, 余 …)


# Possessive/atomic and anchored at the start of a digit (or numeral) run: a run is read once, so a long run of
# digits cannot make the scan quadratic.
_A = r"(?<![0-9])(?>\d{1,3}(?:,\d{3})+(?!\d)|\d++)(?:\.\d++)?"
# A Chinese numeral: sections joined by 万/亿 (一万二千三百, 三亿零五万), then an optional decimal part (三点五).
# A 万/亿 is taken into the numeral only when more numeral follows; otherwise it is the multiplier (五千万元).
_CN_FRACTION = "零〇一二三四五六七八九"
_LOW = f"[{CN_CHARS}]"
# The section group may give back (not possessive): in 三万千瓦时 the 千 is the unit's, so 万 is the multiplier.
# A numeral never starts inside another (after 三 or after 三万): one start per run keeps the scan linear.
_NOT_INSIDE = f"(?<![{CN_CHARS}{UPPER_CHARS}])(?<![{CN_CHARS}{UPPER_CHARS}][万亿])"
_C_LOW = f"{_NOT_INSIDE}(?:{_LOW}++[万亿]++(?={_LOW}))*{_LOW}++(?:点[{_CN_FRACTION}]++)?"
# 大写 (壹仟贰佰): only two characters or more, since 陆, 伍, 拾 alone are words (大陆, 队伍, 收拾, 陆家嘴).
_C_UP = (
    f"{_NOT_INSIDE}(?=[{UPPER_CHARS}零万亿]{{2}})"
    f"(?:[{UPPER_CHARS}零]++[万亿]++(?=[{UPPER_CHARS}零]))*[{UPPER_CHARS}零]++(?:点[{UPPER_DIGITS}零]++)?"
)
_C = f"(?:{_C_LOW}|{_C_UP})"
_SP = r"[ \t\u3000]{0,2}"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_MULT_ALT = r"万亿|千万|百万|亿|万|千(?![瓦米克])|百(?!分)"

_QUANTITY = re.compile(
    rf"""
    (?=[0-9{CN_CHARS}{UPPER_CHARS}第位排名列])  # cheap first-character gate: most positions fail here
    (?:(?P<rank>(?:位列|排名|名列|位居|排在|列)?第{_SP}(?P<rnum>{_A}|{_C}){_SP}(?P<runit>名|位)?)
    | (?<![0-9])(?P<ra>\d++(?:\.\d++)?)[:∶](?P<rb>\d++(?:\.\d++)?)(?![\d:])
    | 百分之(?P<pnum>{_A}|{_C})
    | (?P<n1>{_A}|{_C})
      (?:{_SP}(?P<pct1>%))?
      (?:{_SP}(?P<dash>-|~|至|到|—(?!—)|－){_SP}(?P<n2>{_A}|{_C}))?
      {_SP}(?P<more1>余|多)?
      (?P<mult>{_MULT_ALT})?
      (?P<more2>余|多)?
      {_SP}(?P<unit>{_UNIT_ALT}))
    """,
    re.VERBOSE,
)

_PREFIX_QUALIFIERS = [
    ("不少于", "at_least"),
    ("不低于", "at_least"),
    ("不小于", "at_least"),
    ("至少", "at_least"),
    ("最少", "at_least"),
    ("最低", "at_least"),
    ("不超过", "at_most"),
    ("不高于", "at_most"),
    ("不多于", "at_most"),
    ("不大于", "at_most"),
    ("最多", "at_most"),
    ("至多", "at_most"),
    ("低于", "at_most"),
    ("超过", "more_than"),
    ("突破", "more_than"),
    ("高于", "more_than"),
    ("多于", "more_than"),
    ("大于", "more_than"),
    ("超", "more_than"),
    ("逾", "more_than"),
    ("大约", "approx"),
    ("接近", "approx"),
    ("将近", "approx"),
    ("约", "approx"),
    ("近", "approx"),
]
_SUFFIX_QUALIFIERS = [
    ("以上", "more_than"),
    ("以内", "at_most"),
    ("以下", "at_most"),
    ("左右", "approx"),
    ("上下", "approx"),
]

# A Chinese numeral glued to these is part of a word (统一, 唯一, 进一步, 数十个), not a count.
_CN_WORD_BEFORE = set("统唯同单万逐划专均归合数几若每进之第多")
# Idioms and slogans that look like counts: 一条龙, 一次性, 一张蓝图, 一件事, 两个确立 …
_CN_IDIOM_AFTER = set("性龙蓝网事式流账") | set(CN_CHARS) | {"万", "亿"}
_SLOGAN_AFTER_GE = (
    "确立",
    "维护",
    "意识",
    "自信",
    "毫不动摇",
    "大局",
    "一百年",
    "务必",
    "结合",
    "先行",
    "责任",
    "全面",
)
_TIME_NAME_AFTER = re.compile(r"[ \t]?(?:[^\s，。；、,;]{0,8}圈|不打烊|全天候|值守|在线)")
# Chinese counts that are part of a name: 八项规定, 十项措施, 人大一次会议, 十个最受欢迎, 十一次党代会.
_CN_NAME_AFTER = re.compile(r"规定|措施|举措|最|佳|党代会|会议|全会|代表大会|全体会议")
_CLOSE_QUOTE = '”"’」』》'
_OPEN_QUOTE = '“"‘「『《'


def _number(s: str) -> tuple[float, bool] | None:
    if s[0].isdigit():
        if len(s) > 1 and s[0] == "0" and s[1].isdigit():
            return None  # 02, 07: plot codes, not values
        return float(s.replace(",", "")), False
    n = chinese_value(s)
    return None if not n else (n, True)  # 零部件 is not zero of anything


_MAX_NUMERAL = 48
_TO_LOWER = str.maketrans(UPPER_DIGITS + "拾佰仟", "一二三四五六七八九十百千")


def chinese_value(s: str) -> float | None:
    """Value of a Chinese numeral, 小写 or 大写, with 万/亿 sections and a decimal part (一万二千三百四十五,
    三亿零五万, 三点五, 壹仟贰佰); None when it is not a well-formed numeral (一二八, 百千, 三五)."""
    if len(s) > _MAX_NUMERAL:
        return None  # longer than any numeral below 10^16: a run of characters, not a number
    whole, _, fraction = s.translate(_TO_LOWER).partition("点")
    value = _sections(whole)
    if value is None or (fraction and "点" in fraction):
        return None
    if fraction:
        digits = [CN_DIGITS.get(ch) for ch in fraction]
        if None in digits or "两" in fraction:
            return None
        value += float("0." + "".join(map(str, digits)))
    return value


def _closes_sections(numeral: str, mult: str | None) -> bool:
    """三亿零五万: a multiplier after a numeral with 万/亿 sections closes its last section (3 x 10^8 + 5 x 10^4);
    it does not multiply the whole numeral."""
    return bool(mult) and not numeral[0].isdigit() and any(c in numeral for c in "万亿")


def _sections(s: str) -> float | None:
    """亿 splits before 万, each side read on its own: 一万二千 = 1 x 10^4 + 2000; 一万亿 = (1 x 10^4) x 10^8."""
    for separator, scale in (("亿", 1e8), ("万", 1e4)):
        head, found, tail = s.partition(separator)
        if found:
            high = _sections(head) if head else None
            low = _sections(tail) if tail else 0.0
            if not high or low is None or low >= scale:
                return None
            return high * scale + low
    n = chinese_to_int(s)
    return None if n is None else float(n)


_PREFIX_RE = re.compile(
    "(?:" + "|".join(re.escape(w) for w, _ in sorted(_PREFIX_QUALIFIERS, key=lambda x: -len(x[0]))) + r")[ \t]*$"
)
_PREFIX_KIND = dict(_PREFIX_QUALIFIERS)
_SUFFIX_RE = re.compile(r"[ \t]*(以上|以内|以下|左右|上下)")
_SUFFIX_KIND = dict(_SUFFIX_QUALIFIERS)


def _tidy(v: float) -> float:
    """287.9 x 1e8 is 28789999999.999996 in binary floating point: keep 12 significant digits."""
    return float(f"{v:.12g}")


def _qualifier_before(text: str, start: int) -> tuple[str, str] | None:
    window = text[max(0, start - 5) : start]
    m = _PREFIX_RE.search(window)
    if not m:
        return None
    word = m.group().rstrip(" \t")
    head = window[: m.start()]
    if word == "近" and head.endswith(("最", "附", "就", "临", "靠")):
        return None
    if word == "超" and head.endswith("额"):
        return None
    if word == "约" and head.endswith(("签", "预", "节", "合", "履", "公", "制", "特", "邀", "契")):
        return None  # 签约 85 台: a verb, not "about"
    if word in {"低于", "高于"} and head.endswith("不"):
        return None  # covered by 不低于 / 不高于 when the window allows; never read 不低于 as 低于
    return word, _PREFIX_KIND[word]


def _qualifier_after(text: str, end: int) -> tuple[str, str] | None:
    m = _SUFFIX_RE.match(text, end)
    return (m.group(1), _SUFFIX_KIND[m.group(1)]) if m else None


def _is_trap(text: str, m: re.Match, chinese: bool) -> bool:
    start, end = m.start(), m.end()
    before = text[start - 1] if start else "\0"
    before2 = text[start - 2] if start >= 2 else "\0"
    after = text[end] if end < len(text) else "\0"
    unit = m.group("unit")
    if not chinese and before.isascii() and (before.isalnum() or before in "._+/#"):
        return True  # G2, B3-3, 3+5+X, 2.0, 1/3
    if not chinese and before == "-" and before2.isascii() and before2.isalnum():
        return True  # second half of a plot code: 02-03, L-07
    if after == "+" or (after.isascii() and after.isalpha() and unit not in ("%",)):
        return True  # 100+, 5G
    if chinese:
        if before in _CN_WORD_BEFORE or before in CN_CHARS:
            return True
        if after in _CN_IDIOM_AFTER:
            return True  # 一户一档, 千家万户, 五位一体
        if (m.group("n1") == "二" or unit in {"起", "元", "天"}) and not m.group("mult"):
            return True  # counts say 两; 二次供水, 一起, 二元结构 are words (二万 is a number)
        if unit not in COUNT_UNITS and unit != "个百分点" and not m.group("mult"):  # 三个百分点 is a figure
            return True
        if unit in {"个", "项"} and text.startswith(_SLOGAN_AFTER_GE, end):
            return True  # 两个确立, 四个意识
        if _CN_NAME_AFTER.match(text, end):
            return True
        if before == "前" and unit in {"位", "名"}:
            return True  # 前五位: a top-N list, not people
        if _inside_short_quote(text, start, end):
            return True  # “三站一场”, “新十条”: part of a quoted name
    if before == "第":
        return True
    if before in _OPEN_QUOTE and any(c in text[end : end + 14] for c in _CLOSE_QUOTE):
        return True  # a figure opening a quoted name: “一件事”, “两个维护”, “15 分钟社区美好生活圈”
    if text.endswith("最后", 0, start) or text[max(0, start - 3) : start].rstrip(" ").endswith("最后"):
        return True  # 最后 100 米
    if unit in {"分钟", "小时", "天"} and _TIME_NAME_AFTER.match(text, end):
        return True  # 15 分钟服务圈, 24 小时不打烊
    if unit == "倍" and after == "增":
        return True  # 411 倍增计划
    # 产 is kept only as the 户 typo
    return unit == "产" and after in "业值品能出权"


def _inside_short_quote(text: str, start: int, end: int) -> bool:
    lead = text[max(0, start - 6) : start]
    opened = max(lead.rfind(c) for c in _OPEN_QUOTE)
    if opened < 0 or any(c in lead[opened + 1 :] for c in _CLOSE_QUOTE + ",。;"):
        return False
    tail = text[end : end + 8]
    return any(c in tail for c in _CLOSE_QUOTE)


def find_quantities(text: str, within: list[tuple[int, int]] | None = None) -> list[Quantity]:
    """Numbers with units in `text`, in order, traps excluded. Offsets index `text` itself.

    `within` (sorted, non-overlapping [start, end) spans): only the quantities starting inside them, exactly those a
    scan of the whole text would give there (the context around each span is read as usual)."""
    # one-for-one, offsets unchanged; skipped when there is nothing to unify (the normalised view)
    view = unify_width(text)
    out: list[Quantity] = []
    for m in _QUANTITY.finditer(view) if within is None else _matches_within(view, within):
        q = (
            _rank(view, m)
            if m.group("rank")
            else _ratio(m)
            if m.group("ra")
            else _percent_cn(m)
            if m.group("pnum")
            else _plain(view, m)
        )
        if q is None:
            continue
        q.text = text[q.start : q.end]
        out.append(q)
    return out


# No quantity contains sentence punctuation, so a scan of the whole text never runs across one: scanning from just
# after such a character (or from the start of a match of the whole scan) finds the same matches from there on, and a
# scan may end just after one (the pattern's look-aheads read one character past what it consumes).
_SYNC = "。;!?"
_SYNC_RE = re.compile(f"[{_SYNC}]")


def _matches_within(view: str, spans: list[tuple[int, int]]) -> Iterator[re.Match]:
    """The matches of _QUANTITY.finditer(view) that start inside one of `spans`, without scanning the rest.

    Each stretch of text is scanned at most about twice, so the cost stays linear however many spans there are."""
    resume = 0  # a point where the whole scan is known to be
    stop = -1  # the first sentence punctuation at or after the current span's end (len(view) when none)
    for a, b in spans:
        start = max(resume, max(view.rfind(c, resume, a) for c in _SYNC) + 1) if resume < a else resume
        if stop < b:
            found = _SYNC_RE.search(view, b)
            stop = found.start() if found else len(view)
        end = min(stop + 1, len(view))
        resume = end
        for m in _QUANTITY.finditer(view, start, end):  # look-behinds still see the text before `start`
            if m.start() >= b:
                resume = m.start()
                break
            if m.start() >= a:
                yield m


def _rank(text: str, m: re.Match) -> Quantity | None:
    # Only an explicit position is a value (第四名, 位列第二); 第二批 / 第十六届 are ordinals (traps).
    lead = m.group("rank")
    if not (m.group("runit") or not lead.startswith("第")):
        return None
    parsed = _number(m.group("rnum"))
    if parsed is None:
        return None
    value, chinese = parsed
    return Quantity(m.start(), m.end(), "", value, None, "名", m.group("runit"), None, chinese, rank=True)


def _ratio(m: re.Match) -> Quantity | None:
    a, b = float(m.group("ra")), float(m.group("rb"))
    if b == 0:
        return None
    return Quantity(m.start(), m.end(), "", a / b, None, "ratio", None, None, False)


def _percent_cn(m: re.Match) -> Quantity | None:
    parsed = _number(m.group("pnum"))
    if parsed is None:
        return None
    return Quantity(m.start(), m.end(), "", parsed[0], None, "%", "百分之", None, parsed[1])


def _plain(text: str, m: re.Match) -> Quantity | None:
    first = _number(m.group("n1"))
    if first is None:
        return None
    value, chinese = first
    if _is_trap(text, m, chinese):
        return None
    unit_text = m.group("unit")
    base, factor = UNITS[unit_text]
    mult = MULTIPLIERS[m.group("mult")] if m.group("mult") else 1.0
    if m.group("pct1") and unit_text != "%":
        return None
    value_max = None
    if m.group("n2"):
        second = _number(m.group("n2"))
        if second is None or second[0] <= value:
            return None  # 15-03, 2022-2021: codes, not ranges
        if _closes_sections(m.group("n2"), m.group("mult")):
            second = _number(m.group("n2") + m.group("mult"))
            if second is None:
                return None
            second = (second[0] / mult, True)
        value_max = _tidy(second[0] * mult * factor)
    if _closes_sections(m.group("n1"), m.group("mult")):
        first = _number(m.group("n1") + m.group("mult"))
        if first is None:
            return None  # 三亿零五万亿: not a numeral
        value = first[0] / mult
    qualifier = qualifier_text = None
    found = _qualifier_before(text, m.start())
    if m.group("more1") or m.group("more2"):
        qualifier, qualifier_text = "more_than", m.group("more1") or m.group("more2")
    after = _qualifier_after(text, m.end())
    if after:
        qualifier_text, qualifier = after
    if found:  # a leading word wins: 近 9000 余名 is approximate
        qualifier_text, qualifier = found
    unit_written = (m.group("mult") or "") + unit_text
    return Quantity(
        start=m.start(),
        end=m.end(),
        text="",
        value=_tidy(value * mult * factor),
        value_max=value_max,
        unit=base,
        unit_text=unit_written,
        qualifier=qualifier,
        chinese=chinese,
        qualifier_text=qualifier_text,
    )
