"""How figures are shown to people (display only; stored values stay in base units)."""

from __future__ import annotations

from targets.models import Target

COUNTABLE_UNITS = {
    "元",
    "平方米",
    "人",
    "人次",
    "户",
    "个",
    "平方公里",
    "吨",
    "台",
    "辆",
    "套",
    "亩",
    "米",
    "公里",
    "次",
}
COMPARATOR_LABELS = {"=": "", ">=": "不低于 ", "<=": "不高于 ", "~": "约 ", "range": ""}
RELATION_LABELS = {"growth": "增长 ", "share": "", "ratio": "", "rank": "排名 "}


def format_quantity(value: float | None, unit: str) -> str:
    """420000 平方米 -> 42万平方米; 2320000000 元 -> 23.2亿元 (display only; stored values stay in base units)."""
    if value is None:
        return ""
    if unit in COUNTABLE_UNITS:
        for scale, word in ((1e8, "亿"), (1e4, "万")):
            if abs(value) >= scale:
                return f"{round(value / scale, 2):g}{word}{unit}"
    return f"{round(value, 2):g}{unit}"


def display_target(target: Target) -> str:
    """The target figure as people write it: 增长 不低于 15%, 42万平方米（力争 50万平方米）."""
    if target.target_value is None:
        return ""
    text = format_quantity(target.target_value, target.unit)
    if target.comparator == "range" and target.target_value_max is not None:
        low = text[: -len(target.unit)] if target.unit else text
        text = f"{low}–{format_quantity(target.target_value_max, target.unit)}"
    text = RELATION_LABELS.get(target.relation, "") + COMPARATOR_LABELS.get(target.comparator, "") + text
    if target.stretch_value is not None:
        text += f"（力争 {format_quantity(target.stretch_value, target.unit)}）"
    return text
