"""The task text a target gets from its commitment (「指标 + 比较 + 数值」, or the cleaned quote)."""

from __future__ import annotations

import re

from reports.extraction import titles
from reports.models import Commitment


def commitment_title(commitment: Commitment) -> str:
    """A readable task text (the rules live with extraction: `reports.extraction.titles`)."""
    return titles.target_title(
        kind=commitment.kind,
        metric=commitment.metric,
        value_text=commitment.value_text,
        relation=commitment.relation,
        comparator=commitment.comparator,
        quote=commitment.quote,
        value=commitment.value,
    )


def clean_quote(quote: str, limit: int = 200) -> str:
    """The quote without list numbering, line breaks and trailing punctuation, cut at `limit`."""
    text = re.sub(r"\s+", "", quote or "")
    text = re.sub(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])", "", text)
    text = text.rstrip("。；;，,")
    return text if len(text) <= limit else text[: limit - 1] + "…"
