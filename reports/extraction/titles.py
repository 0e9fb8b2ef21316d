"""The title a target gets from its commitment: a ledger line a department head would write by hand.

Pure Python. `target_title(...)` builds 「指标 + 动词/比较 + 数值 + 限定」 for figures, in the order Chinese
reports write them: 地区生产总值增长 6% 左右 (never 增速增长, never 左右 6%), 城镇登记失业率控制在 4% 以内,
居民消费价格涨幅 2% 左右, 单位地区生产总值能耗下降 3%; it falls back to the commitment's own words when the
extracted name is a fragment (内容为重点数, a name ending in 的 or 、), so no title is worse than its quote.
"""

from __future__ import annotations

import re

_GROWTH_SUFFIX = re.compile(r"(?:增速|增幅|增长率|增长|增量|降幅|下降率|减幅)$")
_RATE_NAME = re.compile(r"(?:率|涨幅|比重|比例|占比|指数|系数|覆盖率)$")
_DECLINE_WORDS = re.compile(r"下降|降低|减少|压减|回落|降幅")
_RAISE_WORDS = re.compile(r"提高|提升|上升")
# Names that are not a name: cut mid-phrase, a bare verb or a bare 数/投资, or a piece of a sentence.
_FRAGMENT = re.compile(
    r"^[、，,;；：:的和及与或等]|[、，,;；的和及与或抓]$|为重点|内容为|^(?:数|量|投资|总投资|面积|金额|资金|项目|个数)$"
)
_LIST_NUMBER = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])")


def target_title(
    *,
    kind: str,
    metric: str,
    value_text: str,
    relation: str | None,
    comparator: str | None,
    quote: str,
    value: float | None = None,
    limit: int = 500,
) -> str:
    """A readable task text; the cleaned quote when the figure's name is not fit to stand alone."""
    metric = re.sub(r"\s+", "", metric or "")
    number = re.sub(r"\s+", "", value_text or "").lstrip("-")
    if kind == "quantitative" and metric and number and not is_fragment(metric):
        return _figure_title(metric, number, relation, comparator or "=", quote, value)[:limit]
    return clean_quote(quote, limit=min(limit, 200)) or metric or "未命名任务"


def is_fragment(name: str) -> bool:
    """A name cut mid-phrase or naming nothing (内容为重点数, 抓前期、抓, 投资)."""
    if len(name) < 2 or _FRAGMENT.search(name):
        return True
    return any(name.count(a) != name.count(b) for a, b in (("“", "”"), ("（", "）"), ("(", ")"), ("《", "》")))


def _figure_title(metric: str, number: str, relation: str | None, comparator: str, quote: str, value) -> str:
    if relation == "growth":
        return _growth_title(metric, number, comparator, quote, value)
    if comparator == "<=":
        return f"{metric}控制在{number}以内"
    if comparator == "~":
        joiner = "" if _RATE_NAME.search(metric) else "达到"
        return f"{metric}{joiner}{number}左右"
    if comparator == ">=":
        return f"{metric}不低于{number}"
    return f"{metric}达到{number}"


def _growth_title(metric: str, number: str, comparator: str, quote: str, value) -> str:
    if metric.endswith("涨幅"):  # 居民消费价格涨幅 3% 左右: the rate is the name, no verb
        if comparator == "<=":
            return f"{metric}控制在{number}以内"
        return f"{metric}{number}" + ("左右" if comparator == "~" else "以内" if comparator == "<=" else "")
    base = re.sub(r"(?:预期)?目标$", "", _GROWTH_SUFFIX.sub("", metric) or metric) or metric
    if base.endswith("增长") and base != metric:  # 经济增长预期目标 5% 左右 -> 经济增长 5% 左右
        return f"{base}{number}" + {">=": "以上", "~": "左右", "<=": "以内"}.get(comparator, "")
    declining = (value is not None and value < 0) or bool(_DECLINE_WORDS.search(_near_figure(quote, number)))
    if declining:
        verb = "下降"
        comparator = (
            {">=": "<=", "<=": ">="}.get(comparator, comparator) if value is not None and value < 0 else comparator
        )
    elif _RAISE_WORDS.search(_near_figure(quote, number)):
        verb = "提高"
    elif number.endswith(("元", "人", "个", "项")) and not number.endswith("%"):
        verb = "增加"  # 比上年增加 1800 亿元: an absolute change
    else:
        verb = "增长"
    if comparator == ">=":
        return f"{base}{verb}不低于{number}"
    if comparator == "<=":
        return f"{base}{verb}不超过{number}"
    if comparator == "~":
        return f"{base}{verb}{number}左右"
    return f"{base}{verb}{number}"


def _near_figure(quote: str, number: str) -> str:
    """The words just before the figure in the quote (where 下降 / 提高 stands)."""
    text = re.sub(r"\s+", "", quote or "")
    digits = re.match(r"[\d.]+", number)
    at = text.find(digits.group(0)) if digits else -1
    return text[max(0, at - 8) : at] if at >= 0 else text[-12:]


def clean_quote(quote: str, limit: int = 200) -> str:
    """The quote without list numbering, line breaks, trailing punctuation or a dangling last word, cut at `limit`."""
    text = re.sub(r"\s+", "", quote or "")
    text = _LIST_NUMBER.sub("", text)
    text = text.rstrip("。；;，,、")
    text = re.sub(r"、[\u4e00-\u9fff]$", "", text)  # 抓前期、抓新开工、抓续建、抓 (a list cut in its last item)
    return text if len(text) <= limit else text[: limit - 1] + "…"
