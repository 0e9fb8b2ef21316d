"""The words commitments and targets share: kind, comparator, relation and unit families, defined once.

`reports.models.Commitment` and `targets.models.Target` both use these choices (the stored values are the
same strings as before), and the health rules, the services and the reconciliation read them from here.
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    QUANTITATIVE = "quantitative", "量化指标"
    DELIVERABLE = "deliverable", "项目任务"
    CONDITION = "condition", "约束条件"


class Relation(models.TextChoices):
    ABSOLUTE = "absolute", "总量"
    GROWTH = "growth", "增速"
    SHARE = "share", "比率"
    RATIO = "ratio", "比例"
    RANK = "rank", "排名"

    @classmethod
    def rates(cls) -> frozenset[str]:
        """Relations judged by the percentage of the way, never by a cumulative value."""
        return frozenset({cls.GROWTH, cls.SHARE, cls.RATIO, cls.RANK})


class Comparator(models.TextChoices):
    EQ = "=", "达到"
    AT_LEAST = ">=", "不低于"
    AT_MOST = "<=", "不高于"
    RANGE = "range", "区间"
    APPROX = "~", "左右"


# Units that measure the same kind of thing (a target in 亿元 and an achievement in 万元 are comparable).
UNIT_FAMILIES: dict[str, frozenset[str]] = {
    "money": frozenset({"元", "美元", "欧元"}),
    "percent": frozenset({"%", "个百分点", "百分点"}),
    "area": frozenset({"平方米", "平方公里", "亩", "公顷"}),
    "count": frozenset({"个", "项", "家", "座", "所", "处", "件", "条", "栋", "幢", "台", "套", "户", "批"}),
}


def unit_family(unit: str | None) -> str | None:
    """The family of `unit` (the unit itself when it belongs to none; None for no unit)."""
    if not unit:
        return None
    for family, units in UNIT_FAMILIES.items():
        if unit in units:
            return family
    return unit
