"""Is a reported figure believable? Doubts in Chinese, asked back before the figure is saved.

Used by the progress form (a confirmation box) and the progress API (400 unless `confirm` is true). A doubt
never blocks for good: the person who knows better confirms and the figure is stored as typed.

Figures arrive in base units (元, 平方米, %); messages speak in the target's display unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from targets import permissions
from targets.display import display_unit, format_figure
from targets.health import CLOSED
from targets.models import ProgressUpdate, Target

# A cumulative figure this many times the target, or below this share of it, is most likely a unit slip
# (8.2 typed as 元 for 8.2 亿元 is 1e-8 of the target; 820000000 typed into an 亿元 field is 1e8 times it).
TIMES_TARGET = 10.0
SHARE_OF_TARGET = 0.001
# Two consecutive cumulative figures this many times apart: an order of magnitude off.
TIMES_PREVIOUS = 10.0
# A rate above this many percent (growth, share) is almost always a level typed into a rate.
RATE_CEILING = 100.0
# Reported completion this far above 100 % is more likely a typo than over-fulfilment.
PERCENT_CEILING = 150.0


@dataclass(frozen=True)
class Doubt:
    code: str
    message: str


def progress_doubts(
    target: Target, *, value: float | None, percent: float | None, previous: ProgressUpdate | None
) -> list[Doubt]:
    """Why `value` (base units) / `percent` look wrong against the target and the previous update."""
    doubts: list[Doubt] = []
    unit = display_unit(target)
    shown = format_figure(target, value, unit=unit) if value is not None else ""
    if value is not None and unit.rate:
        if abs(value) > RATE_CEILING:
            what = "增速" if target.relation == "growth" else "比例"
            doubts.append(
                Doubt(
                    "rate_above_100",
                    f"填报的{what} {shown} 超过 100%，请确认填写的是百分数（如 6.5 表示 6.5%），而不是总量。",
                )
            )
    elif value is not None and target.kind == Target.Kind.QUANTITATIVE:
        goal = target.target_value
        if goal and goal > 0 and value > 0:
            ratio = value / goal
            target_text = format_figure(target, goal, unit=unit)
            if ratio >= TIMES_TARGET * (1 - 1e-9):  # (tolerance: 10 × goal / goal may be 9.999999999)
                doubts.append(
                    Doubt(
                        "far_above_target",
                        f"填报值 {shown} 是目标值 {target_text} 的 {ratio:,.0f} 倍，"
                        f"请核对单位（本项按“{unit.label}”填写）。",
                    )
                )
            elif ratio < SHARE_OF_TARGET:
                doubts.append(
                    Doubt(
                        "far_below_target",
                        f"填报值 {shown} 不到目标值 {target_text} 的千分之一，请核对单位（本项按“{unit.label}”填写）。",
                    )
                )
        last = previous.value if previous is not None else None
        if last is not None and last > 0 and target.comparator != "<=":
            last_text = format_figure(target, last, unit=unit)
            if value < last:
                doubts.append(
                    Doubt(
                        "cumulative_down",
                        f"累计完成值 {shown} 比上次填报的 {last_text} 少；累计数一般不会减少，"
                        "如上次填错，请在进展记录中点“更正”。",
                    )
                )
            elif value >= last * TIMES_PREVIOUS * (1 - 1e-9) and not any(d.code == "far_above_target" for d in doubts):
                doubts.append(
                    Doubt(
                        "jump_from_previous",
                        f"填报值 {shown} 是上次填报 {last_text} 的 {value / last:,.0f} 倍，请核对单位。",
                    )
                )
    if percent is not None and percent > PERCENT_CEILING:
        doubts.append(Doubt("percent_above", f"完成比例 {percent:g}% 远超 100%，请确认。"))
    return doubts


def progress_doubts_for(
    user,
    target: Target,
    *,
    value: float | None,
    percent: float | None,
    corrects: ProgressUpdate | None,
    expected_version: int | None,
) -> list[Doubt]:
    """The doubts worth asking `user` about: none when the write would be refused anyway (no right to report,
    a closed target, a stale version), so a refusal is never hidden behind a question about the figure."""
    if expected_version != target.version:
        return []
    if target.lifecycle in CLOSED or not permissions.can_report_progress(user, target):
        return []
    if value is None and percent is None:
        return []
    previous = latest_update(target, excluding=corrects) if value is not None else None
    return progress_doubts(target, value=value, percent=percent, previous=previous)


def latest_update(target: Target, *, excluding: ProgressUpdate | None = None) -> ProgressUpdate | None:
    """The update a new figure is compared with (not the one it corrects)."""
    updates = ProgressUpdate.objects.filter(target=target)
    if excluding is not None:
        updates = updates.exclude(pk=excluding.pk)
    return updates.order_by("-created_at", "-id").only("id", "created_at", "value", "percent").first()


def doubts_message(doubts: list[Doubt]) -> str:
    return "；".join(d.message for d in doubts)
