"""Which digests are due on a day and what they say: read from the database in a constant number of queries.

The whole board (open targets of every organisation a recipient belongs to,
their milestones, updates and last week's events) is loaded once per sweep;
each target's health is computed once; recipients are then assembled in
Python in batches, so the query count does not grow with users or targets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from notifications.emails import render_subject
from notifications.models import Notification
from notifications.plans import Planned, cn_date, iso_week, target_url
from notifications.workdays import first_working_day_of_week, is_working_day
from targets import rankings
from targets.health import AT_RISK, CLOSED, HEALTH_LABELS, NEVER, OVERDUE, health_from_rank, health_rank_sql, stale_q
from targets.health_facts import latest_updates
from targets.models import Department, Membership, Organisation, ProgressUpdate, Target, TargetEvent

LIST_LIMIT = 20  # items per list in one email; the rest is a count and a link to the board
SUPERVISING = (Membership.Role.SUPERVISOR, Membership.Role.ADMIN)
KIND_LABELS = {Notification.Kind.WEEKLY: "周报", Notification.Kind.DAILY: "日报"}


def digest_period(kind: str, on: date) -> str | None:
    """The period a digest sent on `on` covers, or None when none is due that day.

    Weekly: the first working day of the ISO week (a make-up Saturday counts); daily: every working day.
    """
    if kind == Notification.Kind.WEEKLY:
        return iso_week(on) if first_working_day_of_week(on) == on else None
    return on.isoformat() if is_working_day(on) else None


def previous_period(kind: str, on: date) -> str:
    if kind == Notification.Kind.WEEKLY:
        return iso_week(on - timedelta(days=7))
    return (on - timedelta(days=1)).isoformat()


def digest_recipients(kind: str):
    """Active users with an address who chose this digest (weekly when they never chose)."""
    chosen = Q(notification_preference__digest=kind)
    if kind == Notification.Kind.WEEKLY:
        chosen |= Q(notification_preference__isnull=True)
    return (
        get_user_model()
        .objects.filter(chosen, is_active=True, memberships__isnull=False)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def digests_due(*, on: date, kind: str = Notification.Kind.WEEKLY, batch_size: int = 500) -> Iterator[list[Planned]]:
    """The digests due on `on`, in batches of `batch_size` recipients."""
    period = digest_period(kind, on)
    if period is None:
        return
    users = list(digest_recipients(kind).only("pk", "email", "username", "first_name", "last_name"))
    # Recipients already recorded for this period (an earlier run today) need no board: the hourly re-runs
    # of beat cost one query each once the digests are out.
    recorded = set(Notification.objects.filter(kind=kind, period=period).values_list("recipient_id", flat=True))
    users = [u for u in users if u.pk not in recorded]
    if not users:
        return
    memberships: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.filter(user__in=digest_recipients(kind)).select_related("organisation"):
        memberships[membership.user_id].append(membership)
    board = Board(on=on, memberships=memberships)
    for start in range(0, len(users), batch_size):
        batch = users[start : start + batch_size]
        previous = dict(
            Notification.objects.filter(
                kind=kind, period=previous_period(kind, on), recipient__in=[u.pk for u in batch]
            ).values_list("recipient_id", "context")
        )
        yield [
            plan
            for user in batch
            if (plan := _plan(user, kind, period, on, memberships[user.pk], board, previous.get(user.pk)))
        ]


class Board:
    """Every open target the recipients may hear about, with health and last week's changes."""

    def __init__(self, *, on: date, memberships: dict[int, list[Membership]]) -> None:
        self.on = on
        supervised = {m.organisation_id for ms in memberships.values() for m in ms if m.role in SUPERVISING}
        member_of = {m.organisation_id for ms in memberships.values() for m in ms}
        self.children: dict[int, list[int]] = defaultdict(list)
        self.org_names: dict[int, str] = {}
        for org in Organisation.objects.filter(Q(pk__in=member_of) | Q(parent_id__in=supervised)):
            self.org_names[org.pk] = org.name
            if org.parent_id in supervised:
                self.children[org.parent_id].append(org.pk)
        open_targets = Target.objects.filter(organisation_id__in=self.org_names).exclude(lifecycle__in=CLOSED)
        self.department_names = dict(
            Department.objects.filter(organisation_id__in=self.org_names).values_list("id", "name")
        )
        # Health and staleness from the stored dates, by the same SQL the board runs (targets.health).
        stale = ExpressionWrapper(stale_q(on=on), BooleanField())
        targets = list(
            open_targets.annotate(health_rank=health_rank_sql(on), stale=stale)
            .order_by("id")
            .values(
                "id", "title", "lead_department_id", "owner_id", "organisation_id", "due_date", "deadline",
                "created_at", "health_rank", "stale",
            )
        )  # fmt: skip
        updates = latest_updates(ProgressUpdate.objects.filter(target__in=open_targets))
        last_updates = dict(updates.values_list("target_id", "created_at"))
        self.summaries: dict[int, dict] = {t["id"]: self._summarise(t, last_updates.get(t["id"])) for t in targets}
        self.by_department: dict[int, list[int]] = defaultdict(list)
        self.by_owner: dict[int, list[int]] = defaultdict(list)
        self.by_organisation: dict[int, list[int]] = defaultdict(list)
        for target in targets:
            if target["lead_department_id"]:
                self.by_department[target["lead_department_id"]].append(target["id"])
            if target["owner_id"]:
                self.by_owner[target["owner_id"]].append(target["id"])
            self.by_organisation[target["organisation_id"]].append(target["id"])
        co = Target.co_departments.through.objects.filter(target__in=open_targets).values_list(
            "department_id", "target_id"
        )
        for department_id, target_id in co:
            self.by_department[department_id].append(target_id)
        since = timezone.make_aware(datetime.combine(on - timedelta(days=7), time.min))
        self.changes: dict[int, list[dict]] = defaultdict(list)
        events = (
            TargetEvent.objects.filter(target__in=open_targets, created_at__gte=since)
            .order_by("created_at", "id")
            .values_list(
                "target_id", "created_at", "kind", "message", "actor__username", "actor__last_name", "actor__first_name"
            )
        )
        kinds = dict(TargetEvent.Kind.choices)
        for target_id, created_at, kind, message, username, last_name, first_name in events:
            self.changes[target_id].append(
                {
                    "when": timezone.localtime(created_at).strftime("%m-%d %H:%M"),
                    "who": f"{last_name}{first_name}" or username or "系统",  # 姓名: family name first
                    "what": kinds.get(kind, kind),
                    "message": message,
                }
            )
        # 按期完成率 and ranks of this year's targets, the board's rule (targets.rankings): one GROUP BY query.
        ranked_orgs = supervised | {child for children in self.children.values() for child in children}
        self.ranking_counts: dict[int, list[dict]] = defaultdict(list)
        this_year = Target.objects.filter(organisation_id__in=ranked_orgs, plan_year=on.year)
        for row in rankings.unit_counts(this_year, on=on):
            self.ranking_counts[row["organisation_id"]].append(row)
        self._overviews: dict[int, dict] = {}

    def _summarise(self, target: dict, last_update: datetime | None) -> dict:
        on = self.on
        health = health_from_rank(target["health_rank"])
        # The next date the plan holds the target to (health's `deadline`), or its due date.
        next_due = target["deadline"] if on <= target["deadline"] != NEVER else target["due_date"]
        last = timezone.localdate(last_update) if last_update else None
        department = self.department_names.get(target["lead_department_id"], "未分配")
        return {
            "id": target["id"],
            "title": target["title"],
            "department": department,
            "health": health or "",
            "next_due": next_due.isoformat(),
            "stale": target["stale"],
            # What the templates show: the only part stored in each Notification's context (kept small,
            # 3,000 digests are written in one sweep).
            "public": {
                "title": target["title"],
                "url": target_url(target["id"]),
                "department": department,
                "health_label": HEALTH_LABELS.get(health, ""),
                "next_due_cn": cn_date(next_due),
                "last_update": last.isoformat() if last else "",
            },
        }

    def organisation_overview(self, organisation_id: int) -> dict:
        """Overdue and at-risk targets of an organisation (and its children) by department, with counts."""
        if organisation_id in self._overviews:
            return self._overviews[organisation_id]
        org_ids = [organisation_id, *self.children.get(organisation_id, [])]
        departments: dict[str, dict] = {}
        totals = {"overdue": 0, "at_risk": 0, "total": 0}
        for org_id in org_ids:
            for target_id in self.by_organisation.get(org_id, []):
                summary = self.summaries[target_id]
                name = summary["department"]
                if org_id != organisation_id:
                    name = f"{self.org_names[org_id]}·{name}"
                row = departments.setdefault(
                    name, {"name": name, "overdue": 0, "at_risk": 0, "total": 0, "overdue_items": [], "risk_items": []}
                )
                row["total"] += 1
                totals["total"] += 1
                if summary["health"] == OVERDUE:
                    row["overdue"] += 1
                    totals["overdue"] += 1
                    row["overdue_items"].append(summary["public"])
                elif summary["health"] == AT_RISK:
                    row["at_risk"] += 1
                    totals["at_risk"] += 1
                    row["risk_items"].append(summary["public"])
        rows = sorted(departments.values(), key=lambda r: (-r["overdue"], -r["at_risk"], r["name"]))
        for row in rows:
            row["overdue_items"] = row["overdue_items"][:LIST_LIMIT]
            row["risk_items"] = row["risk_items"][:LIST_LIMIT]
        name = self.org_names[organisation_id]
        overview = {
            "id": organisation_id,
            "name": name,
            "totals": totals,
            "departments": rows,
            "rankings": self._rankings(org_ids),
        }
        self._overviews[organisation_id] = overview
        return overview

    def _rankings(self, org_ids: list[int]) -> dict:
        """Towns ranked for a district (it has organisations under it), departments for a town."""
        counts = [row for org_id in org_ids for row in self.ranking_counts.get(org_id, [])]
        by_organisation = len(org_ids) > 1
        units = rankings.rank_units(counts, by_organisation=by_organisation)
        return {
            "year": self.on.year,
            "unit_label": "镇（街道）" if by_organisation else "牵头单位",
            "compare_cn": cn_date(rankings.compare_date(self.on)),
            "rule": rankings.RULE,
            "rows": [
                {
                    "rank": u.now.rank,
                    "of": u.of,
                    "name": u.name,
                    "rate": f"{u.now.rate:.1f}%",
                    "overdue": u.now.overdue,
                    "total": u.now.total,
                    "change": u.change_label,
                }
                for u in units
            ],
        }


def _plan(user, kind: str, period: str, on: date, memberships, board: Board, previous: dict | None) -> Planned | None:
    if not memberships:
        return None
    mine: set[int] = set(board.by_owner.get(user.pk, []))
    for membership in memberships:
        if membership.department_id:
            mine.update(board.by_department.get(membership.department_id, []))
    summaries = sorted((board.summaries[i] for i in mine), key=lambda s: (s["next_due"], s["id"]))
    two_weeks = (on + timedelta(days=14)).isoformat()
    week_end = (on + timedelta(days=6)).isoformat()  # "this week": the seven days from the digest on
    today = on.isoformat()
    overdue = [s for s in summaries if s["health"] == OVERDUE]
    due_soon = [s for s in summaries if s["health"] != OVERDUE and today <= s["next_due"] <= two_weeks]
    stale = [s for s in summaries if s["stale"]]
    due_this_week = [s for s in due_soon if s["next_due"] <= week_end]
    changes = [
        {**change, "title": board.summaries[i]["title"], "url": board.summaries[i]["public"]["url"]}
        for i in sorted(mine)
        for change in board.changes.get(i, [])
    ]
    changes.sort(key=lambda c: c["when"])

    organisations = []
    previous_counts = _previous_counts(previous)
    for membership in memberships:
        if membership.role not in SUPERVISING:
            continue
        overview = board.organisation_overview(membership.organisation_id)
        organisations.append(_with_trends(overview, previous_counts))

    headline = _headline(len(overdue), len(due_this_week), len(stale), organisations)
    context = {
        "template": "digest",
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "period": period,
        "today": today,
        "today_cn": cn_date(on),
        "user_name": user.get_full_name() or user.get_username(),
        "headline": headline,
        "mine": {
            "count": len(summaries),
            "overdue": [t["public"] for t in overdue[:LIST_LIMIT]],
            "overdue_count": len(overdue),
            "due_soon": [t["public"] for t in due_soon[:LIST_LIMIT]],
            "due_soon_count": len(due_soon),
            "due_this_week_count": len(due_this_week),
            "stale": [t["public"] for t in stale[:LIST_LIMIT]],
            "stale_count": len(stale),
            "changes": changes[:LIST_LIMIT],
            "changes_count": len(changes),
        },
        "organisations": organisations,
        "stale_days": settings.TARGET_STALE_DAYS,
    }
    organisation_ids = {m.organisation_id for m in memberships}
    return Planned(
        kind=kind,
        recipient_id=user.pk,
        email=user.email,
        period=period,
        subject=render_subject("digest", context),
        context=context,
        object_ref="digest",
        # The log shows a row to the supervisors of its organisation: a digest about several has none.
        organisation_id=next(iter(organisation_ids)) if len(organisation_ids) == 1 else None,
    )


def _previous_counts(previous: dict | None) -> dict[tuple[str, str], dict]:
    counts: dict[tuple[str, str], dict] = {}
    for org in (previous or {}).get("organisations", []):
        counts[org["name"], ""] = org["totals"]
        for row in org["departments"]:
            counts[org["name"], row["name"]] = {"overdue": row["overdue"], "at_risk": row["at_risk"]}
    return counts


def _delta(now: int, before: dict | None, field: str) -> int | None:
    return None if before is None else now - before.get(field, 0)


def trend_label(delta: int | None) -> str:
    """How a count moved since the previous digest: "↑2", "↓1", "持平", or "" when there was none."""
    if delta is None:
        return ""
    if delta == 0:
        return "持平"
    return f"↑{delta}" if delta > 0 else f"↓{-delta}"


def _with_trends(overview: dict, previous: dict[tuple[str, str], dict]) -> dict:
    """A copy of the shared overview with this recipient's changes since their previous digest."""
    name = overview["name"]
    before = previous.get((name, ""))
    totals = {
        **overview["totals"],
        "overdue_delta": _delta(overview["totals"]["overdue"], before, "overdue"),
        "at_risk_delta": _delta(overview["totals"]["at_risk"], before, "at_risk"),
    }
    totals["overdue_trend"] = trend_label(totals["overdue_delta"])
    totals["at_risk_trend"] = trend_label(totals["at_risk_delta"])
    rows = []
    for row in overview["departments"]:
        row_before = previous.get((name, row["name"])) if previous else None
        if previous and row_before is None:
            row_before = {"overdue": 0, "at_risk": 0}
        overdue_delta = _delta(row["overdue"], row_before, "overdue")
        at_risk_delta = _delta(row["at_risk"], row_before, "at_risk")
        rows.append(
            {
                **row,
                "overdue_delta": overdue_delta,
                "at_risk_delta": at_risk_delta,
                "overdue_trend": trend_label(overdue_delta),
                "at_risk_trend": trend_label(at_risk_delta),
            }
        )
    return {**overview, "totals": totals, "departments": rows}


def _headline(overdue: int, due_this_week: int, stale: int, organisations: list[dict]) -> str:
    parts = []
    if overdue:
        parts.append(f"{overdue} 项逾期")
    if due_this_week:
        parts.append(f"{due_this_week} 项本周到期")
    if stale:
        parts.append(f"{stale} 项超过 {settings.TARGET_STALE_DAYS} 天未更新")
    sections = ["，".join(parts)] if parts else []
    for org in organisations:
        totals = org["totals"]
        if totals["overdue"] or totals["at_risk"]:
            sections.append(f"{org['name']} {totals['overdue']} 项逾期，{totals['at_risk']} 项有风险")
    return "；".join(sections) if sections else "暂无逾期和本周到期任务"
