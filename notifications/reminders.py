"""Which reminders are due on a day: read from the database, nothing written.

For a deadline D (an open milestone, or the due date of a target without
milestones) and an organisation's policy (N days before, on the day, every K
while overdue, escalation after M):

- BEFORE N working days before D (period D);
- DUE on the last working day on or before D (a deadline on a holiday is
  announced the working day before);
- OVERDUE every K working days after D (period: D plus the K-multiple reached);
- ESCALATION to the supervisors once, M working days after D.

Sweeps only run on working days, so every send date is a working day. A send
day the sweeps missed (beat down) is caught up for CATCH_UP working days
(an escalation, once per deadline, however late); the
key's period makes the catch-up go out once. What an earlier run recorded is
dropped before anything is rendered, so the hourly re-runs cost a few queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from notifications.emails import render_subject
from notifications.models import Notification, NotificationItem, NotificationPreference
from notifications.plans import Planned, cn_date, target_url
from notifications.policy import Policy, policies_by_organisation
from notifications.workdays import add_working_days, is_working_day, previous_working_day, working_days_between
from targets.display import overdue_days
from targets.health import met_by_figure_q
from targets.models import Membership, Milestone, Target

# A target waiting for sign-off or closed needs no more reminders to its staff.
QUIET_LIFECYCLES = ("signed_off", "cancelled", "signoff_requested")
# How many working days late a missed reminder may still go out (a beat down for a day catches up).
CATCH_UP = 2


class _Dates:
    """Working-day arithmetic memoised per sweep: many deadlines share quarter ends."""

    def __init__(self) -> None:
        self._add: dict[tuple[date, int], date] = {}
        self._between: dict[tuple[date, date], int] = {}
        self._previous: dict[date, date] = {}

    def add(self, d: date, n: int) -> date:
        if (d, n) not in self._add:
            self._add[d, n] = add_working_days(d, n)
        return self._add[d, n]

    def between(self, a: date, b: date) -> int:
        if (a, b) not in self._between:
            self._between[a, b] = working_days_between(a, b)
        return self._between[a, b]

    def previous(self, d: date) -> date:
        if d not in self._previous:
            self._previous[d] = previous_working_day(d)
        return self._previous[d]


def reminder_kind(deadline: date, on: date, policy: Policy, dates: _Dates | None = None) -> tuple[str, str] | None:
    """(kind, period) of the staff reminder due on `on` for `deadline`, or None.

    A send day missed by the sweeps (beat down) is caught up for CATCH_UP working days, not more, so a
    sweep plans each reminder on one to three days, never on every day of a long overdue period.
    """
    dates = dates or _Dates()
    if deadline >= on:
        last_day = dates.previous(deadline)
        if policy.remind_on_day and last_day <= on:
            return Notification.Kind.DUE, deadline.isoformat()
        if policy.days_before and (not policy.remind_on_day or on < last_day):
            send_day = dates.add(deadline, -policy.days_before)
            if send_day <= on and dates.between(send_day, on) <= CATCH_UP:
                return Notification.Kind.BEFORE, deadline.isoformat()
        return None
    late = dates.between(deadline, on)
    every = max(1, policy.overdue_every)
    reached = late // every * every
    if reached and late - reached <= CATCH_UP:
        return Notification.Kind.OVERDUE, f"{deadline.isoformat()}+{reached}"
    return None


def escalation_due(deadline: date, on: date, policy: Policy, dates: _Dates | None = None) -> bool:
    """Escalation happens once per deadline, so it is caught up however late (its key's period is D)."""
    if deadline >= on or not policy.escalate_after:
        return False
    return (dates or _Dates()).between(deadline, on) >= policy.escalate_after


def reminders_due(*, on: date) -> list[Planned]:
    """Every reminder and escalation due on `on` and not recorded yet (empty on a non-working day)."""
    if not is_working_day(on):
        return []
    default, policies = policies_by_organisation()
    longest = max([default.days_before, *(p.days_before for p in policies.values())])
    horizon = add_working_days(on, longest + 1)
    history_on = default.remind_past_years or any(p.remind_past_years for p in policies.values())
    deadlines = _deadlines(horizon, since_year=None if history_on else on.year - 1)
    if not deadlines:
        return []

    dates = _Dates()
    staff_by_department, supervisors_by_org, opted_out = _recipients(deadlines)
    # First decide who gets what (cheap), then drop what an earlier run recorded, then render (costly).
    wanted: list[tuple[str, object, Target, Milestone | None, date, str, str]] = []
    for target, milestone, deadline in deadlines:
        policy = policies.get(target.organisation_id, default)
        if target.plan_year < on.year - 1 and not policy.remind_past_years:
            continue  # imported history: nobody is chased about a plan two or more years old
        found = reminder_kind(deadline, on, policy, dates)
        if found:
            kind, period = found
            people = {u.pk: u for u in staff_by_department.get(target.lead_department_id, [])}
            if target.owner is not None:
                people[target.owner.pk] = target.owner
            for user in people.values():
                if _reachable(user, opted_out):
                    wanted.append((kind, user, target, milestone, deadline, period, "reminder"))
        if escalation_due(deadline, on, policy, dates):
            for user in supervisors_by_org.get(target.organisation_id, []):
                if _reachable(user, opted_out):
                    wanted.append(
                        (
                            Notification.Kind.ESCALATION,
                            user,
                            target,
                            milestone,
                            deadline,
                            deadline.isoformat(),
                            "escalation",
                        )
                    )
    keys = [_key(kind, user, target, milestone, period) for kind, user, target, milestone, _d, period, _t in wanted]
    recorded = _recorded(keys)
    planned: list[Planned] = []
    for key, (kind, user, target, milestone, deadline, period, template) in zip(keys, wanted, strict=True):
        if key in recorded:
            continue
        context = {**_context(target, milestone, deadline, on, dates), "kind": kind}
        planned.append(_plan(kind, user, target, milestone, period, context, template))
    return planned


def _key(kind: str, user, target: Target, milestone: Milestone | None, period: str) -> str:
    object_ref = f"milestone:{milestone.pk}" if milestone else f"target:{target.pk}"
    return f"{kind}:{user.pk}:{object_ref}:{period}"


def _recorded(keys: list[str]) -> set[str]:
    """Keys already sent: as a message of their own (before grouping) or as an item of a grouped message."""
    found: set[str] = set()
    for start in range(0, len(keys), 2000):  # bounded IN lists (SQLite limits the parameters per query)
        chunk = keys[start : start + 2000]
        found.update(Notification.objects.filter(key__in=chunk).values_list("key", flat=True))
        found.update(NotificationItem.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def _deadlines(horizon: date, *, since_year: int | None = None) -> list[tuple[Target, Milestone | None, date]]:
    related = ("organisation", "lead_department", "owner")
    recent = {"target__plan_year__gte": since_year} if since_year is not None else {}
    milestones = (
        Milestone.objects.filter(done_on__isnull=True, due_date__lt=horizon, **recent)
        .exclude(target__lifecycle__in=QUIET_LIFECYCLES)
        .exclude(met_by_figure_q())  # met as health sees it (targets.health): the board shows it on track
        .select_related(*(f"target__{name}" for name in related))
        .order_by("due_date", "id")
    )
    bare = (
        Target.objects.filter(
            milestones__isnull=True,
            due_date__lt=horizon,
            **({"plan_year__gte": since_year} if since_year is not None else {}),
        )
        .exclude(lifecycle__in=QUIET_LIFECYCLES)
        .select_related(*related)
        .order_by("due_date", "id")
    )
    rows: list[tuple[Target, Milestone | None, date]] = [(m.target, m, m.due_date) for m in milestones]
    rows.extend((t, None, t.due_date) for t in bare)
    return rows


def _recipients(deadlines) -> tuple[dict[int, list], dict[int, list], set[int]]:
    department_ids = {t.lead_department_id for t, _m, _d in deadlines if t.lead_department_id}
    organisation_ids = {t.organisation_id for t, _m, _d in deadlines}
    staff: dict[int, list] = defaultdict(list)
    for membership in Membership.objects.filter(
        department_id__in=department_ids, role=Membership.Role.STAFF
    ).select_related("user"):
        staff[membership.department_id].append(membership.user)
    # Escalation goes to the supervisors; an organisation without one escalates to its administrators.
    by_role: dict[tuple[int, str], list] = defaultdict(list)
    for membership in Membership.objects.filter(
        organisation_id__in=organisation_ids, role__in=[Membership.Role.SUPERVISOR, Membership.Role.ADMIN]
    ).select_related("user"):
        by_role[membership.organisation_id, membership.role].append(membership.user)
    supervisors = {
        org: by_role.get((org, Membership.Role.SUPERVISOR)) or by_role.get((org, Membership.Role.ADMIN), [])
        for org in organisation_ids
    }
    user_ids = {u.pk for users in staff.values() for u in users} | {
        u.pk for users in supervisors.values() for u in users
    }
    user_ids |= {t.owner_id for t, _m, _d in deadlines if t.owner_id}
    opted_out = set(
        NotificationPreference.objects.filter(user_id__in=user_ids, reminders=False).values_list("user_id", flat=True)
    )
    return staff, supervisors, opted_out


def _reachable(user, opted_out: set[int]) -> bool:
    return bool(user.is_active and user.email) and user.pk not in opted_out


def _context(target: Target, milestone: Milestone | None, deadline: date, on: date, dates: _Dates) -> dict:
    return {
        "target": {
            "id": target.pk,
            "title": target.title,
            "url": target_url(target.pk),
            "organisation": target.organisation.name,
            "department": target.lead_department.name if target.lead_department else "",
            "owner": target.owner.get_full_name() or target.owner.get_username() if target.owner else "",
        },
        "milestone": milestone.title if milestone else "",
        "due": deadline.isoformat(),
        "due_cn": cn_date(deadline),
        "today": on.isoformat(),
        "on_the_day": deadline == on,
        "days_left": dates.between(on, deadline) if deadline >= on else 0,
        # "Overdue by" is counted one way everywhere: calendar days since the missed date (targets.display).
        "days_overdue": overdue_days(deadline, on) or 0,
        "working_days_overdue": dates.between(deadline, on) if deadline < on else 0,
    }


def _plan(kind: str, user, target: Target, milestone: Milestone | None, period: str, context: dict, template: str):
    object_ref = f"milestone:{milestone.pk}" if milestone else f"target:{target.pk}"
    return Planned(
        kind=kind,
        recipient_id=user.pk,
        email=user.email,
        period=period,
        subject=render_subject(template, context),
        context={**context, "template": template},
        object_ref=object_ref,
        organisation_id=target.organisation_id,
        target_id=target.pk,
        milestone_id=milestone.pk if milestone else None,
    )
