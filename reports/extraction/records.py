"""Records returned by extraction: plain dataclasses, no Django.

Offsets (`start`/`end`, `value_start`/`value_end`) index the text exactly as it
was passed in (the decoded document the user sees); values are in base units.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Commitment:
    quote: str
    start: int
    end: int
    kind: str  # quantitative | deliverable | condition
    metric: str = ""
    value: float | None = None
    value_max: float | None = None  # ranges only
    unit: str | None = None  # base unit: 元, 平方米, 人, 个, %, ratio …
    unit_text: str | None = None  # the unit as written (亿元, 万平方米)
    value_text: str | None = None  # the number with its unit as written
    value_start: int | None = None
    value_end: int | None = None
    comparator: str = "="  # = | >= | <= | range | ~
    relation: str | None = None  # absolute | growth | share | ratio | rank
    baseline: str | None = None  # 2022年预计完成数, 同比, 市下达指标 …
    stretch_value: float | None = None
    plan_year: str | None = None  # "2023" or "2022-2026"
    section: str = ""
    list_item: str | None = None
    confidence: float = 0.5
    # where the stretch figure sits (力争超额完成 24亿元 lies outside the target's own clause)
    stretch_text: str | None = None
    stretch_start: int | None = None
    stretch_end: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Achievement:
    quote: str
    start: int
    end: int
    metric: str = ""
    value: float | None = None
    unit: str | None = None
    unit_text: str | None = None
    value_text: str | None = None
    value_start: int | None = None
    value_end: int | None = None
    relation: str | None = None  # absolute | growth | share | ratio | rank
    baseline: str | None = None
    qualifier: str | None = None  # more_than | approx | at_least
    as_of: str | None = None  # "2022", "2022-11-30", "2022-forecast", "2021-ytd", "projection"
    is_forecast: bool = False
    completion_ratio: float | None = None
    implied_target: float | None = None
    period_year: str | None = None
    section: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)
