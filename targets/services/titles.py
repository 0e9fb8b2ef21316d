"""The task text a target gets from its commitment (「指标 + 比较 + 数值」, or the cleaned quote)."""

from __future__ import annotations

import re

from reports.models import Commitment

COMPARATOR_WORDS = {"=": "达到", ">=": "不低于", "<=": "不高于", "range": "达到", "~": "达到"}


def commitment_title(commitment: Commitment) -> str:
    """A readable task text: 「指标 + 比较 + 数值」 for figures, the cleaned quote otherwise."""
    metric = (commitment.metric or "").strip()
    value_text = (commitment.value_text or "").strip()
    if commitment.kind == Commitment.Kind.QUANTITATIVE and metric and value_text:
        if commitment.relation == "growth" and "增" not in value_text:
            word = "增长不低于" if commitment.comparator == ">=" else "增长"
        elif commitment.comparator == "<=":
            return f"{metric}控制在{value_text}以内"[:500]
        else:
            word = COMPARATOR_WORDS.get(commitment.comparator, "达到")
        suffix = "左右" if commitment.comparator == "~" and "左右" not in value_text else ""
        return f"{metric}{word}{value_text}{suffix}"[:500]
    return clean_quote(commitment.quote) or metric or "未命名任务"


def clean_quote(quote: str, limit: int = 200) -> str:
    """The quote without list numbering, line breaks and trailing punctuation, cut at `limit`."""
    text = re.sub(r"\s+", "", quote or "")
    text = re.sub(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])", "", text)
    text = text.rstrip("。；;，,")
    return text if len(text) <= limit else text[: limit - 1] + "…"
