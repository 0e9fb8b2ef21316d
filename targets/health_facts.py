"""The plain rows `targets.health` reads (open milestones, each target's latest update), loaded in bulk.

Shared by the board (health for every visible target) and the stored-basis refresh in the services: plain rows
rather than model instances or per-target prefetches, which cost more than the health rules themselves at a
district's scale.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from targets.models import Milestone, ProgressUpdate, Target


def latest_updates(updates: QuerySet[ProgressUpdate] | None = None) -> QuerySet[ProgressUpdate]:
    """Each target's latest update only (a window in SQL), of `updates` or of all, for prefetching into
    `target.updates`."""
    newest_first = [F("created_at").desc(), F("id").desc()]
    rank = Window(RowNumber(), partition_by=F("target_id"), order_by=newest_first)
    if updates is None:
        updates = ProgressUpdate.objects.select_related("author")
    # order_by(): the model's default ordering goes through the target (a join the window does not need).
    return updates.annotate(rank=rank).filter(rank=1).order_by()


class PlanNode(NamedTuple):
    """What health reads of a milestone."""

    pk: int
    due_date: date
    expected_percent: float | None
    expected_value: float | None
    done_on: date | None


class LatestFigure(NamedTuple):
    """What health reads of a target's latest progress update."""

    pk: int
    created_at: datetime
    value: float | None
    percent: float | None


def health_facts(queryset: QuerySet[Target]) -> tuple[dict[int, list[PlanNode]], dict[int, LatestFigure]]:
    """The open milestones (by target, in date order) and the latest update (by target) of `queryset`'s targets,
    as plain rows: two queries whatever the number of targets."""
    ids = queryset.order_by().values("pk")
    plans: dict[int, list[PlanNode]] = defaultdict(list)
    nodes = Milestone.objects.filter(target_id__in=ids).order_by("due_date", "id")
    for target_id, *node in nodes.values_list(
        "target_id", "pk", "due_date", "expected_percent", "expected_value", "done_on"
    ):
        plans[target_id].append(PlanNode(*node))
    figures = latest_updates(ProgressUpdate.objects.filter(target_id__in=ids)).values_list(
        "target_id", "pk", "created_at", "value", "percent"
    )
    latest = {target_id: LatestFigure(*figure) for target_id, *figure in figures}
    return plans, latest
