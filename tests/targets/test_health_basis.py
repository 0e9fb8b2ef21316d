"""The stored health basis (`Target.progress`, `Target.late_after`): every write service keeps it fresh, and the SQL
overdue filter on it finds exactly the targets `target_health` calls overdue (a property test over random plans)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from targets_testdata import at

from targets import selectors, services
from targets.health import ALWAYS_LATE, DUE_SOON, NEVER_LATE, OVERDUE, health_basis, latest_update, target_health
from targets.models import Milestone, ProgressUpdate, Target


def stored(target: Target) -> tuple[float | None, date | None]:
    row = Target.objects.values_list("progress", "late_after").get(pk=target.pk)
    return row[0], row[1]


def recomputed(target: Target) -> tuple[float | None, date]:
    """The basis from a full reload of the target's plan and history (what the detail page reads)."""
    fresh = selectors.target_detail(pk=target.pk)
    return health_basis(fresh, milestones=list(fresh.milestones.all()), latest=latest_update(fresh))


def assert_fresh(target: Target) -> tuple[float | None, date | None]:
    basis = stored(target)
    assert basis == recomputed(target)
    return basis


def version(target: Target) -> int:
    target.refresh_from_db()
    return target.version


def open_dates(target: Target, *, above: float) -> list[date]:
    """Due dates of the milestones neither ticked nor met by a figure of `above` percent."""
    rows = Milestone.objects.filter(target=target, done_on__isnull=True, expected_percent__gt=above)
    return sorted(rows.values_list("due_date", flat=True))


# --- every write service refreshes the basis in its transaction ------------------------------------------------


@pytest.fixture
def target(make_target, dept_econ):
    """42万平方米 by 31 December, quarter-end milestones of 25 % (105,000) each."""
    return make_target(lead_department=dept_econ)


def test_accepting_a_commitment_stores_the_basis(target):
    assert assert_fresh(target) == (None, date(2023, 3, 31))


def test_progress_ticks_milestones_and_moves_the_basis(target, alice):
    services.progress_record(target=target, acting_user=alice, value=110000, expected_version=target.version)
    progress, late_after = assert_fresh(target)
    assert late_after == date(2023, 6, 30) and progress == pytest.approx(110000 / 420000 * 100)
    services.progress_record(target=target, acting_user=alice, percent=100, expected_version=version(target))
    assert assert_fresh(target) == (100, NEVER_LATE)


def test_milestone_services_move_the_basis(target, ada, alice):
    first = Milestone.objects.filter(target=target).order_by("due_date").first()
    services.milestone_update(
        milestone=first, acting_user=ada, expected_version=target.version, due_date=date(2023, 4, 15)
    )
    assert assert_fresh(target)[1] == date(2023, 4, 15)
    services.milestone_create(
        target=target, acting_user=ada, expected_version=version(target), title="前期", due_date=date(2023, 2, 15)
    )
    assert assert_fresh(target)[1] == date(2023, 2, 15)
    extra = Milestone.objects.get(target=target, title="前期")
    services.milestone_cancel(milestone=extra, acting_user=ada, expected_version=version(target))
    assert assert_fresh(target)[1] == date(2023, 4, 15)
    first.refresh_from_db()
    first.target = target
    services.milestone_mark_done(milestone=first, acting_user=alice, expected_version=version(target))
    assert assert_fresh(target)[1] == date(2023, 6, 30)


def test_target_edit_and_extension_move_the_basis(target, ada, sam, alice):
    services.progress_record(target=target, acting_user=alice, value=105000, expected_version=target.version)
    assert assert_fresh(target) == (25, date(2023, 6, 30))
    services.target_edit(
        target=target, acting_user=ada, expected_version=version(target), changes={"target_value": 210000}
    )
    assert assert_fresh(target) == (50, date(2023, 9, 30))
    services.target_extend(
        target=target,
        acting_user=sam,
        new_due_date=date(2024, 6, 30),
        expected_version=version(target),
        at=at(2023, 7, 1),
    )
    late_after = assert_fresh(target)[1]
    # The open nodes moved; the 50 % one is met by the figure, so the next (75 %) one counts.
    assert late_after == open_dates(target, above=50)[0] and late_after > date(2023, 9, 30)


def test_lifecycle_changes_keep_the_basis_and_closed_targets_leave_the_overdue_list(target, ada, dept_econ, alice):
    services.target_comment(target=target, acting_user=alice, text="现场照片")
    services.target_reassign(
        target=target, acting_user=ada, lead_department=dept_econ, expected_version=version(target)
    )
    assert assert_fresh(target)[1] == date(2023, 3, 31)
    assert selectors.targets_overdue(on=date(2023, 4, 3)) == [target]
    services.target_cancel(target=target, acting_user=ada, expected_version=version(target), note="调整")
    assert assert_fresh(target)[1] == date(2023, 3, 31)
    assert selectors.targets_overdue(on=date(2023, 4, 3)) == []


def test_condition_breach_and_ceiling_over_cap(make_target, dept_econ, alice):
    condition = make_target(lead_department=dept_econ, kind="condition", metric="重大安全事故", value=None)
    assert assert_fresh(condition)[1] == NEVER_LATE
    services.progress_record(target=condition, acting_user=alice, percent=90, expected_version=condition.version)
    assert assert_fresh(condition)[1] == ALWAYS_LATE
    ceiling = make_target(lead_department=dept_econ, metric="能耗", value=100, comparator="<=", relation="absolute")
    services.progress_record(target=ceiling, acting_user=alice, value=120, expected_version=ceiling.version)
    assert assert_fresh(ceiling)[1] == ceiling.due_date


def test_rows_written_around_the_services_get_a_basis_before_the_overdue_filter(target):
    Target.objects.filter(pk=target.pk).update(late_after=None, progress=None)
    assert selectors.targets_overdue(on=date(2023, 4, 3)) == [target]
    assert stored(target) == (None, date(2023, 3, 31))


def test_due_soon_narrowing_keeps_every_day_of_the_window(target, alice, ada):
    """Day by day up to a node: the SQL window for "due soon" (working days, holidays included) never drops a
    target Python calls due soon."""
    services.progress_record(
        target=target, acting_user=alice, percent=74, expected_version=target.version, at=at(2023, 9, 18)
    )
    seen = set()
    for offset in range(0, 20):
        on = date(2023, 9, 12) + timedelta(days=offset)
        python = target_health(selectors.target_detail(pk=target.pk), on=on)
        assert (selectors.targets_due_soon(on=on, user=ada) == [target]) == (python == DUE_SOON), on
        seen.add(python)
    assert DUE_SOON in seen and "on_track" in seen  # the sweep crossed the window's edge


# --- SQL overdue == target_health overdue, on random plans ------------------------------------------------------

DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2024, 3, 31))
PERCENT = st.one_of(st.none(), st.sampled_from([0, 10, 25, 50, 75, 90, 99.5, 100, 120]))
MILESTONE = st.fixed_dictionaries(
    {
        "due_date": DAYS,
        "expected_percent": PERCENT,
        "expected_value": st.one_of(st.none(), st.sampled_from([0, 50, 100, 250, 400])),
        "done": st.booleans(),
        "cancelled": st.booleans(),
    }
)
UPDATE = st.fixed_dictionaries(
    {
        "day": DAYS,
        "value": st.one_of(st.none(), st.sampled_from([0, 50, 99, 100, 150, 400, 500])),
        "percent": PERCENT,
    }
)
TARGET = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["quantitative", "deliverable", "condition"]),
        "comparator": st.sampled_from(["=", ">=", "<="]),
        "relation": st.sampled_from(["absolute", "growth"]),
        "target_value": st.one_of(st.none(), st.sampled_from([100, 400])),
        "due_date": DAYS,
        "lifecycle": st.sampled_from(["in_progress", "in_progress", "not_started", "signed_off", "cancelled"]),
        "milestones": st.lists(MILESTONE, max_size=4),
        "updates": st.lists(UPDATE, max_size=3),
    }
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(TARGET, min_size=1, max_size=6), days=st.lists(DAYS, min_size=1, max_size=4))
def test_sql_overdue_equals_target_health(org, ada, specs, days):
    with transaction.atomic():
        ids = [_write(org, ada, spec).pk for spec in specs]
        services.refresh_health_basis(ids)
        for on in [*days, date(2022, 12, 31), date(2025, 1, 1)]:
            in_sql = {t.pk for t in Target.objects.filter(selectors.overdue_q(on=on))}
            everything = selectors.targets_for_user(user=ada)
            in_python = {t.pk for t in everything if target_health(t, on=on) == OVERDUE}
            assert in_sql == in_python, on
            # The ordered, paginated query the API serves is the same set.
            assert {t.pk for t in selectors.overdue_queryset(Target.objects.all(), on=on)} == in_sql
            # The SQL narrowing for "due soon" keeps every target Python finds due soon.
            due_soon = {t.pk for t in selectors.targets_due_soon(on=on, user=ada)}
            assert due_soon == {t.pk for t in everything if target_health(t, on=on) == DUE_SOON}
        transaction.set_rollback(True)


def _write(org, author, spec: dict) -> Target:
    target = Target.objects.create(
        organisation=org,
        title="随机任务",
        kind=spec["kind"],
        comparator=spec["comparator"],
        relation=spec["relation"],
        target_value=spec["target_value"],
        plan_year=2023,
        due_date=spec["due_date"],
        lifecycle=spec["lifecycle"],
    )
    Milestone.all_objects.bulk_create(
        Milestone(
            target=target,
            title="节点",
            due_date=m["due_date"],
            expected_percent=m["expected_percent"],
            expected_value=m["expected_value"],
            done_on=m["due_date"] - timedelta(days=1) if m["done"] else None,
            cancelled_at=at(2023, 1, 2) if m["cancelled"] else None,
        )
        for m in spec["milestones"]
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(target=target, author=author, created_at=at(u["day"].year, u["day"].month, u["day"].day), **v)
        for u in spec["updates"]
        for v in [{"value": u["value"], "percent": u["percent"]}]
    )
    return target
