"""The stored health dates (`Target.overdue_from`, `at_risk_from`, `stale_from`, `deadline`, `progress`): every
write service keeps them fresh in its transaction, computed from the target's rows as the target page loads them;
selectors never write them (a row written around the services is repaired by `manage.py refresh_health`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from targets_testdata import at

from targets import selectors, services
from targets.health import HEALTH_FIELDS, NEVER, Figure, PlanNode, health_dates
from targets.health_facts import facts_of
from targets.models import Milestone, Target

DAY = timedelta(days=1)


def stored(target: Target) -> tuple[float | None, date]:
    """(progress, the last day before overdue): `overdue_from` - 1 day, NEVER when it cannot become overdue."""
    row = Target.objects.values(*HEALTH_FIELDS).get(pk=target.pk)
    overdue = row["overdue_from"]
    return row["progress"], overdue if overdue == NEVER else overdue - DAY


def recomputed(target: Target) -> dict:
    """The dates from a full reload of the target's plan and history (what the detail page reads)."""
    fresh = selectors.target_detail(pk=target.pk)
    updates = list(fresh.updates.all())
    latest = max(updates, key=lambda u: (u.created_at, u.pk)) if updates else None
    plan = [PlanNode(m.pk, m.due_date, m.expected_percent, m.expected_value, m.done_on) for m in fresh.milestones.all()]
    figure = Figure(latest.created_at, latest.value, latest.percent) if latest else None
    return health_dates(facts_of(fresh, plan=plan, latest=figure)).as_fields()


def assert_fresh(target: Target) -> tuple[float | None, date]:
    assert Target.objects.values(*HEALTH_FIELDS).get(pk=target.pk) == recomputed(target)
    return stored(target)


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
    assert assert_fresh(target) == (100, NEVER)


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
    assert assert_fresh(condition)[1] == NEVER
    services.progress_record(target=condition, acting_user=alice, percent=90, expected_version=condition.version)
    breached_on = Target.objects.get(pk=condition.pk).overdue_from
    assert assert_fresh(condition)[1] == breached_on - DAY  # overdue from the day the breach was reported
    ceiling = make_target(lead_department=dept_econ, metric="能耗", value=100, comparator="<=", relation="absolute")
    services.progress_record(target=ceiling, acting_user=alice, value=120, expected_version=ceiling.version)
    assert assert_fresh(ceiling)[1] == ceiling.due_date


def test_selectors_never_write_and_the_command_repairs(target):
    """A row written around the services keeps its dates until `refresh_health` repairs them; a GET writes nothing."""
    Target.objects.filter(pk=target.pk).update(overdue_from=NEVER, deadline=NEVER)
    assert selectors.targets_overdue(on=date(2023, 4, 3)) == []
    assert Target.objects.get(pk=target.pk).overdue_from == NEVER
    call_command("refresh_health", verbosity=0)
    assert assert_fresh(target)[1] == date(2023, 3, 31)
    assert selectors.targets_overdue(on=date(2023, 4, 3)) == [target]


def test_due_soon_window_follows_working_days(target, alice, ada):
    """Day by day up to a node: due soon exactly within TARGET_DUE_SOON_WORKING_DAYS working days (holidays)."""
    services.progress_record(
        target=target, acting_user=alice, percent=74, expected_version=target.version, at=at(2023, 9, 18)
    )
    seen = []
    for offset in range(0, 20):
        on = date(2023, 9, 12) + timedelta(days=offset)
        seen.append((on, selectors.targets_due_soon(on=on, user=ada) == [target]))
    soon = [on for on, due in seen if due]
    # Q3 ends on Saturday 30 Sep 2023 inside the National Day holiday: 22, 25-28 Sep are the 5 working days.
    assert soon[0] == date(2023, 9, 21) and soon[-1] == date(2023, 9, 30)
