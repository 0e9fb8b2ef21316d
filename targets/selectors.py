"""Read queries for targets, shared by pages, the API and digests.

Every list selector prefetches what `targets.health.target_health` and the
list templates read, so the number of queries does not grow with the number
of targets. Lists prefetch only each target's latest progress update (all
that health, the board and the ledger read); the detail prefetches the history.

Overdue is a SQL filter on the stored health basis (`Target.late_after`, kept
by the services), exact by construction: `target_health` takes its overdue
decision from the same `health_basis`. The other health values depend on the
day in ways SQL does not model (the plan's line, staleness, working days), so
they are computed in Python after SQL has dropped the closed and overdue rows.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import (
    Case,
    Exists,
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

from notifications.workdays import add_working_days
from targets import permissions, services
from targets.health import (
    CLOSED,
    DUE_SOON,
    HEALTH_ORDER,
    OVERDUE,
    last_update_date,
    overdue_since,
    progress_percent,
    target_health,
)
from targets.health_facts import health_facts, latest_updates
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
        updates = latest_updates()
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


def with_basis(queryset: QuerySet[Target]) -> QuerySet[Target]:
    """`queryset`, after computing the health basis of its rows that have none (written around the services: bulk
    loads, fixtures). One indexed query when there are none, so SQL filters on the basis stay exact."""
    missing = list(queryset.filter(late_after__isnull=True).values_list("pk", flat=True))
    if missing:
        services.refresh_health_basis(missing)
    return queryset


def overdue_q(*, on: date) -> Q:
    """Open targets overdue on `on` (the stored basis: see `targets.health.health_basis`)."""
    return Q(late_after__lt=on) & ~Q(lifecycle__in=CLOSED)


def order_overdue(queryset: QuerySet[Target]) -> QuerySet[Target]:
    """Longest overdue first (the earliest `late_after`), then the nearest due date."""
    return queryset.order_by("late_after", "due_date", "id")


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


def board_rows(targets, *, on: date, health: str | None = None, mine_first: bool = False) -> list[Target]:
    """The supervisor board: every target with its health, worst first (overdue, at risk, due soon, on track,
    closed), then the longest overdue and the nearest due date.

    Attaches `health`, `progress`, `last_update_on`, `days_since_update`, `days_overdue` to each row. Health
    reads plain rows of the plans and latest figures loaded in two queries (`health_facts`), not a prefetch into
    every target: a district's 30,000 targets would spend most of the page building related managers. Rows
    shown in full get their related objects from `prefetch_for_rows`.
    """
    queryset = targets.prefetch_related(None).select_related(None)
    plans, latest = health_facts(queryset)
    rows = list(queryset)
    _attach_owners(rows)
    for target in rows:
        plan, last = plans.get(target.pk, []), latest.get(target.pk)
        target.health = target_health(target, on=on, milestones=plan, latest=last)
    if health:
        rows = [t for t in rows if t.health == health]
    for target in rows:
        plan, last = plans.get(target.pk, []), latest.get(target.pk)
        target.progress = progress_percent(target, milestones=plan, latest=last)
        target.last_update_on = last_update_date(target, latest=last)
        target.days_since_update = (on - target.last_update_on).days if target.last_update_on else None
        since = overdue_since(target, on=on, milestones=plan, latest=last) if target.health == OVERDUE else None
        target.days_overdue = (on - since).days if since else None
    rows.sort(
        key=lambda t: (
            getattr(t, "mine", 0) if mine_first else 0,
            HEALTH_ORDER[t.health],
            -(t.days_overdue or 0),
            t.due_date,
            t.pk,
        )
    )
    return rows


def _attach_owners(rows: list[Target]) -> None:
    """Set each row's organisation and lead department from one query each (a district has a few hundred of
    them): joining them into every row would build two more objects per target."""
    organisations = Organisation.objects.in_bulk({t.organisation_id for t in rows})
    departments = Department.objects.in_bulk({t.lead_department_id for t in rows} - {None})
    for target in rows:
        target.organisation = organisations[target.organisation_id]
        target.lead_department = departments.get(target.lead_department_id)


def prefetch_for_rows(rows: list[Target]) -> list[Target]:
    """Load what the board's table and the ledger show of `rows` (from `board_rows`): the plan, the latest update
    with its author, the co-departments; a fixed number of queries."""
    prefetch_related_objects(rows, *_related_lists(latest_updates()))
    return rows


def department_counts(rows: list[Target]) -> list[dict]:
    """Per lead department, how many targets are in each health (closed ones apart), worst first."""
    groups: dict[tuple, dict] = {}
    for target in rows:
        department = target.lead_department
        key = (target.organisation.name, department.name if department else "未分配")
        group = groups.setdefault(
            key,
            {
                "organisation": key[0],
                "department": key[1],
                "pk": department.pk if department else None,
                "counts": {k: 0 for k in HEALTH_ORDER if k is not None},
                "closed": 0,
                "total": 0,
            },
        )
        group["total"] += 1
        if target.health is None:
            group["closed"] += 1
        else:
            group["counts"][target.health] += 1
    return sorted(groups.values(), key=lambda g: (-g["counts"][OVERDUE], -g["counts"]["at_risk"], g["department"]))


def with_health(targets, *, on: date) -> list[Target]:
    """Evaluate `targets` and attach `.health` to each (no extra queries when prefetched)."""
    rows = list(targets)
    for target in rows:
        target.health = target_health(target, on=on)
    return rows


def targets_with_health(targets, *, on: date, health: str | None = None) -> list[Target]:
    rows = with_health(targets, on=on)
    if health:
        rows = [t for t in rows if t.health == health]
    return rows


def targets_by_health(
    *, on: date, health: str, user=None, organisation=None, queryset: QuerySet[Target] | None = None
) -> list[Target]:
    """Open targets with `health` on `on` (of `queryset`, or what `user` may see, or all); overdue ones longest
    overdue first, the others earliest due first."""
    if queryset is None:
        queryset = targets_visible(user=user) if user is not None else Target.objects.all()
    if organisation is not None:
        queryset = queryset.filter(organisation=organisation)
    queryset = health_filter(queryset, on=on, health=health)
    queryset = order_overdue(queryset) if health == OVERDUE else queryset.order_by("due_date", "id")
    return targets_with_health(_with_related(queryset), on=on, health=health)


def health_filter(queryset: QuerySet[Target], *, on: date, health: str) -> QuerySet[Target]:
    """`queryset` narrowed in SQL for `health` on `on`: exact for overdue; for the others a superset (open and not
    overdue) that `targets_with_health` finishes in Python."""
    if health == OVERDUE:
        return with_basis(queryset).filter(overdue_q(on=on))
    queryset = queryset.exclude(lifecycle__in=CLOSED).exclude(late_after__lt=on)
    if health == DUE_SOON:
        # Only targets with a date (the due date, or any node of the plan) inside the window can be due soon.
        before = add_working_days(on, settings.TARGET_DUE_SOON_WORKING_DAYS + 1)
        near = Milestone.objects.filter(target_id=OuterRef("pk"), due_date__gte=on, due_date__lt=before)
        queryset = queryset.filter(Q(due_date__gte=on, due_date__lt=before) | Exists(near))
    return queryset


def overdue_queryset(queryset: QuerySet[Target], *, on: date) -> QuerySet[Target]:
    """The overdue ones of `queryset` (a plain one, e.g. `targets_visible`), longest overdue first, prefetched:
    the API paginates it in SQL and computes health for the page only."""
    return _with_related(order_overdue(health_filter(queryset, on=on, health=OVERDUE)))


def targets_overdue(
    *, on: date, user=None, organisation=None, queryset: QuerySet[Target] | None = None
) -> list[Target]:
    """Red on `on`: a due date or milestone passed, not met."""
    return targets_by_health(on=on, health=OVERDUE, user=user, organisation=organisation, queryset=queryset)


def targets_due_soon(
    *, on: date, user=None, organisation=None, queryset: QuerySet[Target] | None = None
) -> list[Target]:
    """Blue on `on`: a milestone within TARGET_DUE_SOON_WORKING_DAYS working days."""
    return targets_by_health(on=on, health=DUE_SOON, user=user, organisation=organisation, queryset=queryset)


def health_counts(targets: list[Target]) -> dict[str | None, int]:
    counts: dict[str | None, int] = dict.fromkeys(HEALTH_ORDER, 0)
    for target in targets:
        counts[getattr(target, "health", None)] += 1
    return counts


def departments_for_user(*, user) -> QuerySet[Department]:
    return Department.objects.filter(organisation__in=permissions.visible_organisations(user)).select_related(
        "organisation"
    )
