"""The default milestone plan of a new target, and the re-spread of open nodes when a due date moves."""

from __future__ import annotations

from datetime import date

from targets.models import Milestone, Target
from targets.vocabulary import Relation

RATE_RELATIONS = Relation.rates()


QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


DELIVERABLE_STEPS = ("启动实施", "推进实施", "基本完成", "全面完成")


def default_milestones(target: Target) -> list[Milestone]:
    """The default plan (unsaved): quarter ends up to the due date; one year-end node for conditions.

    Quantitative targets get 25/50/75/100 % (spread evenly when the due date
    cuts the year short); a level also gets the expected cumulative value, a
    rate (growth, share, ratio) only the percentage of the way.
    """
    due = target.due_date
    if target.kind == Target.Kind.CONDITION:
        return [Milestone(target=target, title="全年保持", due_date=due, expected_percent=100)]
    dates = [date(target.plan_year, m, d) for m, d in QUARTER_ENDS]
    dates = [d for d in dates if d < due] + [due]
    dates = dates[-4:]
    count = len(dates)
    level = target.kind == Target.Kind.QUANTITATIVE and target.relation not in RATE_RELATIONS
    milestones = []
    for index, due_on in enumerate(dates, start=1):
        share = index / count
        percent = round(share * 100, 1)
        if target.kind == Target.Kind.DELIVERABLE:
            step = DELIVERABLE_STEPS[len(DELIVERABLE_STEPS) - count + index - 1]
            title = f"{step}（{percent:g}%）"
        else:
            title = f"完成{percent:g}%"
        expected_value = None
        if level and target.target_value is not None:
            expected_value = round(target.target_value * share, 4)
        milestones.append(
            Milestone(
                target=target, title=title, due_date=due_on, expected_percent=percent, expected_value=expected_value
            )
        )
    return milestones


def respread_open_milestones(target: Target, *, start: date, end: date) -> list[dict]:
    open_milestones = list(target.milestones.filter(done_on__isnull=True).order_by("due_date", "id"))
    start = min(start, end)
    moved = []
    for index, milestone in enumerate(open_milestones, start=1):
        new_date = start + (end - start) * index / len(open_milestones)
        moved.append({"id": milestone.pk, "from": milestone.due_date.isoformat(), "to": new_date.isoformat()})
        milestone.due_date = new_date
    Milestone.objects.bulk_update(open_milestones, ["due_date"])
    return moved
