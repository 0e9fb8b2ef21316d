"""The words commitments and targets share: kind, comparator and relation, defined once.

`reports.models.Commitment` and `targets.models.Target` both use these choices (the stored values are the
same strings as before), and the health rules and the services read them from here. (Unit families belong to the
reconciliation's vocabulary, `reports/reconciliation/`.)
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
    GE = ">=", "不低于"
    LE = "<=", "不高于"
    RANGE = "range", "区间"
    APPROX = "~", "左右"
