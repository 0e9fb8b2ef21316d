"""The one loader of health facts (`targets.health.HealthFacts`): three queries for any number of targets.

Used by the services (through `targets.services.basis`) and the migration/command that repairs stored dates;
nothing else reads the facts, because everything else reads the stored dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from targets.health import Figure, HealthFacts, PlanNode, local_date

TARGET_FIELDS = ("id", "kind", "comparator", "relation", "target_value", "due_date", "plan_year", "created_at")
NODE_FIELDS = ("target_id", "pk", "due_date", "expected_percent", "expected_value", "done_on")
FIGURE_FIELDS = ("target_id", "created_at", "value", "percent")


def latest_updates(updates: QuerySet) -> QuerySet:
    """Each target's latest update only (a window in SQL, newest by time then id)."""
    newest_first = [F("created_at").desc(), F("id").desc()]
    rank = Window(RowNumber(), partition_by=F("target_id"), order_by=newest_first)
    # order_by(): the model's default ordering goes through the target (a join the window does not need).
    return updates.annotate(rank=rank).filter(rank=1).order_by()


def load_health_facts(target_ids: Iterable[int], *, models=None) -> dict[int, HealthFacts]:
    """The facts of these targets by id. `models` (Target, Milestone, ProgressUpdate) lets a migration pass its
    historical models; open milestones are those not cancelled."""
    if models is None:
        from targets.models import Milestone, ProgressUpdate, Target

        models = (Target, Milestone, ProgressUpdate)
    target_model, milestone_model, update_model = models
    ids = list(target_ids)
    plans: dict[int, list[PlanNode]] = defaultdict(list)
    nodes = milestone_model._base_manager.filter(target_id__in=ids, cancelled_at__isnull=True)
    for target_id, *node in nodes.order_by("due_date", "id").values_list(*NODE_FIELDS):
        plans[target_id].append(PlanNode(*node))
    figures = latest_updates(update_model.objects.filter(target_id__in=ids)).values_list(*FIGURE_FIELDS)
    latest = {target_id: Figure(*figure) for target_id, *figure in figures}
    facts = {}
    for row in target_model.objects.filter(pk__in=ids).values(*TARGET_FIELDS):
        facts[row["id"]] = facts_of(row, plan=plans.get(row["id"], ()), latest=latest.get(row["id"]))
    return facts


def facts_of(row, *, plan: Iterable[PlanNode], latest: Figure | None) -> HealthFacts:
    """HealthFacts from a target's fields (a dict of TARGET_FIELDS, or a Target) and its plan and latest figure."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    created_at = get("created_at")
    return HealthFacts(
        kind=get("kind"),
        comparator=get("comparator") or "",
        relation=get("relation") or "",
        target_value=get("target_value"),
        due_date=get("due_date"),
        plan_year=get("plan_year"),
        created_on=local_date(created_at) if created_at else None,
        plan=tuple(sorted(plan, key=lambda m: (m.due_date, m.pk or 0))),
        latest=latest,
    )
