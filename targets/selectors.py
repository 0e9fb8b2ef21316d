"""Read queries for targets, shared by pages, the API and digests. Selectors never write.

Health is read from the dates the services store (`targets.health`): every list is one SQL query that filters,
counts, sorts and paginates by health on any date (`health_rank_sql`, `health_q`), and a page prefetches only
what its 50 rows show. A target written around the services has its dates repaired by
`manage.py refresh_health` (or `targets.services.refresh_health_basis`), never on read.
"""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from targets import permissions
from targets.health import (
    DUE_SOON,
    HEALTH_ORDER,
    OVERDUE,
    days_overdue,
    health_from_rank,
    health_q,
    health_rank_sql,
    overdue_order,
)
from targets.health_facts import latest_updates
from targets.models import Department, Evidence, Milestone, Organisation, ProgressUpdate, Target, TargetEvent

# Ids are bigints: a larger number names no row, and the database driver refuses to send it (a 500).
MAX_ID = 2**63 - 1


def is_id(value) -> bool:
    """Whether a number from a request can be a row id (callers answer "no rows" or 400 otherwise)."""
    return 0 < value <= MAX_ID


def _with_related(queryset: QuerySet[Target], *, history: bool = False) -> QuerySet[Target]:
    """What lists (and with `history`, the detail page) read; `target.updates.all()` is the latest update only
    unless `history` (a sliced prefetch: one window query, not every update of every target)."""
    if history:
        updates = ProgressUpdate.objects.select_related("author").order_by("created_at", "id")
        related = ("organisation", "lead_department", "commitment__report")
    else:
        updates = latest_updates(ProgressUpdate.objects.select_related("author"))
        # Lists show the source report's id only, not the report (its whole text). select_related rather than an
        # annotation: the page's COUNT(*) leaves a select_related join out, not an annotation's.
        related = ("organisation", "lead_department", "commitment")
    return queryset.select_related(*related).prefetch_related(*_related_lists(updates))


def _related_lists(updates: QuerySet[ProgressUpdate]) -> tuple:
    return (
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id")),
        Prefetch("updates", queryset=updates),
        "co_departments",
    )


def with_health(queryset: QuerySet[Target], *, on: date) -> QuerySet[Target]:
    """`queryset` with `health_rank` (HEALTH_ORDER on `on`) computed by the database."""
    return queryset.annotate(health_rank=health_rank_sql(on))


def overdue_q(*, on: date) -> Q:
    """Open targets overdue on `on`."""
    return health_q(OVERDUE, on=on)


def order_overdue(queryset: QuerySet[Target]) -> QuerySet[Target]:
    """Longest overdue first, then the nearest due date (the board's order among overdue rows, too)."""
    return queryset.order_by(*overdue_order())


def targets_visible(*, user) -> QuerySet[Target]:
    """Every target the user may read (their organisations', child organisations included)."""
    return Target.objects.filter(organisation__in=permissions.visible_organisations(user))


def targets_for_user(*, user) -> QuerySet[Target]:
    """The user's board: staff see their department's targets (as lead or co-department) first."""
    queryset = targets_visible(user=user)
    department_ids = permissions.user_department_ids(user)
    if department_ids:
        co = Target.co_departments.through.objects.filter(target_id=OuterRef("pk"), department_id__in=department_ids)
        queryset = queryset.annotate(
            mine=Case(
                When(lead_department_id__in=department_ids, then=Value(0)),
                When(Exists(co), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("mine", "due_date", "id")
    else:
        queryset = queryset.order_by("due_date", "id")
    return _with_related(queryset)


def target_detail(*, pk: int) -> Target:
    """One target with everything its page shows; raises Target.DoesNotExist."""
    return (
        _with_related(Target.objects.all(), history=True)
        .prefetch_related(
            Prefetch("events", queryset=TargetEvent.objects.select_related("actor").order_by("created_at", "id")),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at", "id")),
        )
        .get(pk=pk)
    )


def target_visible_to(*, user, pk: int) -> Target:
    """`target_detail` for someone allowed to see it; Http404 otherwise, so as not to reveal that another
    organisation's target exists. Pages and API share it."""
    try:
        target = target_detail(pk=pk)
    except Target.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_target(user, target):
        raise Http404
    return target


def target_for_write(*, user, pk: int) -> Target:
    """The target row alone (with what permission checks and the event snapshot read), for a lean write such as a
    progress report; Http404 when out of sight. The service's conditional UPDATE proves it is current."""
    # The visibility rule folded into the row's own query.
    target = targets_visible(user=user).filter(pk=pk).select_related("organisation", "lead_department").first()
    if target is None:
        raise Http404
    return target


def milestone_visible_to(*, user, pk: int) -> tuple[Milestone, Target]:
    """An open milestone and its target (as `target_visible_to` loads it); Http404 when either is out of sight."""
    target_id = Milestone.objects.filter(pk=pk).values_list("target_id", flat=True).first()
    if target_id is None:
        raise Http404
    target = target_visible_to(user=user, pk=target_id)
    milestone = next((m for m in target.milestones.all() if m.pk == pk), None)
    if milestone is None:
        raise Http404
    milestone.target = target
    return milestone, target


def filter_targets(
    queryset: QuerySet[Target],
    *,
    department: int | None = None,
    lifecycle: str | None = None,
    plan_year: int | None = None,
    organisation: int | None = None,
    due_before: date | None = None,
) -> QuerySet[Target]:
    if department and not is_id(department):
        return queryset.none()
    if department:
        co = Target.co_departments.through.objects.filter(target_id=OuterRef("pk"), department_id=department)
        # Exists() rather than a join keeps one row per target (no DISTINCT, ordering by annotations intact).
        queryset = queryset.filter(Q(lead_department_id=department) | Exists(co))
    if lifecycle:
        queryset = queryset.filter(lifecycle=lifecycle)
    if plan_year:
        queryset = queryset.filter(plan_year=plan_year)
    if organisation and not is_id(organisation):
        return queryset.none()
    if organisation:
        queryset = queryset.filter(organisation_id=organisation)
    if due_before:
        queryset = queryset.filter(due_date__lte=due_before)
    return queryset


def board(queryset: QuerySet[Target], *, on: date, health: str | None = None, by_department: bool = False):
    """The supervisor board on `on`, worst first (overdue, at risk, due soon, on track, closed), the longest overdue
    first among the overdue, then the nearest due date; one SQL query however many targets, to paginate.

    Staff see their own department's targets first (`mine`, from `targets_for_user`)."""
    queryset = with_health(queryset.prefetch_related(None).select_related(None), on=on)
    if health:
        queryset = queryset.filter(health_q(health, on=on))
    overdue_since = Case(When(health_rank=HEALTH_ORDER[OVERDUE], then=F("overdue_from")))
    order = [F("health_rank"), overdue_since.asc(nulls_last=True), F("due_date"), F("id")]
    if by_department:
        order = [F("lead_department__name").asc(nulls_last=True), *order]
    if "mine" in queryset.query.annotations:
        order = [F("mine"), *order]
    return queryset.order_by(*order)


def board_slice(queryset: QuerySet[Target], *, on: date, counts: dict, start: int, stop: int, health=None):
    """Rows `start:stop` of `board(queryset, on=on, health=health)`, one indexed query per health it spans instead
    of sorting every row: `counts` (from `board_counts`) says where each health's rows begin."""
    rows: list[Target] = []
    offset = 0
    for key in HEALTH_ORDER:  # worst first, closed last: the board's order
        if health and key != health:
            continue
        low, high = max(start - offset, 0), min(stop - offset, counts[key])
        if low < high:
            part = queryset.prefetch_related(None).select_related(None).filter(health_q(key, on=on))
            part = part.order_by(*overdue_order()) if key == OVERDUE else part.order_by("due_date", "id")
            rows += list(with_health(part, on=on)[low:high])
        offset += counts[key]
    return rows


def board_page(rows: list[Target], *, on: date) -> list[Target]:
    """What the board shows of one page of `board(...)` rows: names, the plan, the latest update with its author,
    the co-departments (a fixed number of queries), and each row's health and days."""
    prefetch_related_objects(rows, "organisation", "lead_department", *_related_lists(_latest_with_author()))
    for target in rows:
        target.health = health_from_rank(target.health_rank)
        target.days_overdue = days_overdue(target, on=on) if target.health == OVERDUE else None
        updates = list(target.updates.all())
        target.last_update = updates[-1] if updates else None
        target.last_update_on = timezone.localdate(target.last_update.created_at) if target.last_update else None
        target.days_since_update = (on - target.last_update_on).days if target.last_update_on else None
    return rows


def board_rows(targets: QuerySet[Target], *, on: date) -> list[Target]:
    """Every row of the board on `on`, in its order, with what the board shows of a row (the documents: 任务台账,
    督查通报). A fixed number of queries; the page itself uses `board_slice`."""
    return board_page(list(board(targets, on=on)), on=on)


def _latest_with_author() -> QuerySet[ProgressUpdate]:
    return latest_updates(ProgressUpdate.objects.select_related("author"))


def prefetch_for_rows(rows: list[Target]) -> list[Target]:
    """Load what the board's table and the ledger show of `rows`; a fixed number of queries."""
    prefetch_related_objects(rows, *_related_lists(_latest_with_author()))
    return rows


def board_counts(
    queryset: QuerySet[Target], *, on: date, organisations: dict | None = None, departments: dict | None = None
) -> dict:
    """Per lead department and in all: how many targets are in each health on `on` (closed ones apart), and the
    requests waiting for a supervisor; one GROUP BY query. Names come from `organisations` and `departments`
    (id -> name, what the page loaded anyway), or from one query each for those missing."""
    grouped = list(
        with_health(queryset.order_by(), on=on)
        .values("organisation_id", "lead_department_id", "health_rank", "lifecycle")
        .annotate(n=Count("id"))
    )
    organisations = _names(Organisation, {r["organisation_id"] for r in grouped}, organisations or {})
    departments = _names(Department, {r["lead_department_id"] for r in grouped} - {None}, departments or {})
    counts: dict[str | None, int] = dict.fromkeys(HEALTH_ORDER, 0)
    pending = {Target.Lifecycle.SIGNOFF_REQUESTED: 0, Target.Lifecycle.EXTENSION_REQUESTED: 0}
    groups: dict[tuple, dict] = {}
    for row in grouped:
        health = health_from_rank(row["health_rank"])
        counts[health] += row["n"]
        if row["lifecycle"] in pending:
            pending[row["lifecycle"]] += row["n"]
        key = (organisations[row["organisation_id"]], departments.get(row["lead_department_id"], "未分配"))
        group = groups.setdefault(
            key,
            {
                "organisation": key[0],
                "department": key[1],
                "pk": row["lead_department_id"],
                "organisation_id": row["organisation_id"],
                "counts": {k: 0 for k in HEALTH_ORDER if k is not None},
                "closed": 0,
                "total": 0,
            },
        )
        group["total"] += row["n"]
        if health is None:
            group["closed"] += row["n"]
        else:
            group["counts"][health] += row["n"]
    ordered = sorted(groups.values(), key=lambda g: (-g["counts"][OVERDUE], -g["counts"]["at_risk"], g["department"]))
    return {"counts": counts, "departments": ordered, "pending": pending}


def _names(model, ids: set[int], known: dict[int, str]) -> dict[int, str]:
    missing = ids - set(known)
    if not missing:
        return known
    return {**known, **dict(model.objects.filter(pk__in=missing).values_list("pk", "name"))}


def targets_by_health(
    *, on: date, health: str, user=None, organisation=None, queryset: QuerySet[Target] | None = None
) -> list[Target]:
    """Open targets with `health` on `on` (of `queryset`, or what `user` may see, or all); overdue ones longest
    overdue first, the others earliest due first."""
    if queryset is None:
        queryset = targets_visible(user=user) if user is not None else Target.objects.all()
    if organisation is not None:
        queryset = queryset.filter(organisation=organisation)
    queryset = queryset.filter(health_q(health, on=on))
    queryset = order_overdue(queryset) if health == OVERDUE else queryset.order_by("due_date", "id")
    rows = list(_with_related(queryset))
    for target in rows:
        target.health = health
    return rows


def health_filter(queryset: QuerySet[Target], *, on: date, health: str) -> QuerySet[Target]:
    """`queryset` narrowed to `health` on `on` (exact: the stored dates)."""
    return queryset.filter(health_q(health, on=on))


def overdue_queryset(queryset: QuerySet[Target], *, on: date) -> QuerySet[Target]:
    """The overdue ones of `queryset`, longest overdue first, prefetched: the API paginates it in SQL."""
    return _with_related(order_overdue(with_health(health_filter(queryset, on=on, health=OVERDUE), on=on)))


def targets_overdue(
    *, on: date, user=None, organisation=None, queryset: QuerySet[Target] | None = None
) -> list[Target]:
    """Red on `on`: a due date or milestone passed, not met."""
    return targets_by_health(on=on, health=OVERDUE, user=user, organisation=organisation, queryset=queryset)


def targets_due_soon(
    *, on: date, user=None, organisation=None, queryset: QuerySet[Target] | None = None
) -> list[Target]:
    """Blue on `on`: the next open date within TARGET_DUE_SOON_WORKING_DAYS working days."""
    return targets_by_health(on=on, health=DUE_SOON, user=user, organisation=organisation, queryset=queryset)


def departments_for_user(*, user) -> QuerySet[Department]:
    return Department.objects.filter(organisation__in=permissions.visible_organisations(user)).select_related(
        "organisation"
    )
