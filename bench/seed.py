"""A whole district for benchmarks: towns, departments, people, targets and a year of progress, bulk-loaded.

`seed_bench(orgs=100, targets_per_org=300, updates_per_target=10)` gives the issue's scale: one district with
100 towns, 10 departments each, 30 people per town (3,000 users, plus a district supervisor and administrator),
30,000 targets with quarterly milestones and 300,000 progress updates, with the history rows the services would
have written. Rows go in through `bulk_create` in chunks (no per-row services: those are what the benchmarks
measure); the password is hashed once and shared, so hashing does not dominate.

Every target follows one of five profiles laid out relative to `today` (any day of the year), so that on that day
the board shows every health colour in the cycle's proportions (`PROFILES`): on track (recent update, ahead of
plan), due soon (due within three days, nearly done), at risk (ahead of plan but silent for over 30 days),
overdue (due date passed, unfinished), and closed (signed off). The plan year is the one under way at least two
months before `today` (in January and February, last year's: its targets run on), so that a target can be
silent for over 30 days within its plan. Everything the seeder makes is named `基准…` / `bench-…`, which is how
`reset` finds it again. `bench_accounts()` lists the people it made (`seed_bench --json`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from notifications.models import Notification
from targets import services
from targets.health import planned_percent
from targets.models import (
    Department,
    Evidence,
    Membership,
    Milestone,
    Organisation,
    ProgressUpdate,
    Target,
    TargetEvent,
)

DISTRICT = "基准区"
USER_PREFIX = "bench-"
PASSWORD = "bench-password-2024"  # noqa: S105 (the benchmark accounts' shared password, printed in docs)  # nosec B105
DISTRICT_SUPERVISOR = "bench-district-sup"
DISTRICT_ADMIN = "bench-district-admin"
BATCH = 5000
DEPARTMENTS = (
    "党政办",
    "发展改革办",
    "经济发展办",
    "财政所",
    "农业农村办",
    "城建办",
    "社会事业办",
    "生态环境办",
    "应急管理办",
    "综合执法队",
)
# One cycle of 20 targets: 11 on track, 2 due soon, 3 at risk, 3 overdue, 1 closed, interleaved so that even a
# town of 20 targets shows every colour.
PROFILES = (
    "on_track", "overdue", "at_risk", "due_soon", "on_track", "on_track", "overdue", "on_track", "at_risk", "on_track",
    "closed", "on_track", "due_soon", "overdue", "on_track", "at_risk", "on_track", "on_track", "on_track", "on_track",
)  # fmt: skip
KINDS = ("quantitative", "quantitative", "quantitative", "deliverable", "deliverable", "condition")
METRICS = ("新增市场主体", "固定资产投资", "城镇新增就业", "改造老旧小区", "新建农村公路", "高标准农田")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class SeedResult:
    seeded: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    today: str = ""

    def as_dict(self) -> dict:
        return {"seeded": self.seeded, "today": self.today, **self.counts, "seconds": self.seconds}


def town_name(index: int) -> str:
    return f"基准区第{index + 1:03d}镇"


def town_user(town: int, role: str) -> str:
    """Usernames the benchmarks log in with: `town_user(0, "sup1")` is the first town's supervisor."""
    return f"{USER_PREFIX}t{town + 1:03d}-{role}"


def is_seeded() -> bool:
    return Organisation.objects.filter(name=DISTRICT).exists()


def bench_counts() -> dict[str, int]:
    towns = Organisation.objects.filter(parent__name=DISTRICT)
    targets = Target.objects.filter(organisation__in=towns)
    return {
        "organisations": towns.count(),
        "departments": Department.objects.filter(organisation__in=towns).count(),
        "users": get_user_model().objects.filter(username__startswith=USER_PREFIX).count(),
        "targets": targets.count(),
        "milestones": Milestone.all_objects.filter(target__in=targets).count(),
        "progress_updates": ProgressUpdate.objects.filter(target__in=targets).count(),
        "events": TargetEvent.objects.filter(target__in=targets).count(),
    }


def seed_bench(
    *,
    orgs: int,
    targets_per_org: int,
    updates_per_target: int,
    users_per_org: int = 30,
    today: date | None = None,
    reset: bool = False,
) -> SeedResult:
    """Load the district unless it is there already (`reset` deletes it first). Returns counts and timings."""
    today = today or timezone.localdate()
    result = SeedResult(seeded=False, today=today.isoformat())
    started = time.perf_counter()
    if reset:
        bench_delete()
        result.seconds["reset"] = round(time.perf_counter() - started, 2)
    if not is_seeded():
        with transaction.atomic():
            _Seeder(today, users_per_org, updates_per_target, result).run(orgs, targets_per_org)
        result.seeded = True
    result.counts = bench_counts()
    result.seconds["total"] = round(time.perf_counter() - started, 2)
    return result


@transaction.atomic
def bench_delete() -> None:
    """Delete what `seed_bench` made (and anything the benchmarks wrote on it) with plain DELETEs.

    The ORM's cascade collector would load every row first (the PROTECT references on progress updates make
    fast deletes impossible); these tables are only ever deleted here, in dependency order.
    """
    towns = Organisation.objects.filter(parent__name=DISTRICT)
    targets = Target.objects.filter(organisation__in=towns)
    users = get_user_model().objects.filter(username__startswith=USER_PREFIX)
    for queryset in (
        Notification.objects.filter(target__in=targets),
        Notification.objects.filter(recipient__in=users),
        Evidence.objects.filter(target__in=targets),
        TargetEvent.objects.filter(target__in=targets),
        ProgressUpdate.objects.filter(target__in=targets),
        Milestone.all_objects.filter(target__in=targets),
        Target.co_departments.through.objects.filter(target__in=targets),
        targets,
        Token.objects.filter(user__in=users),
        Membership.objects.filter(user__in=users),
        users,
        Department.objects.filter(organisation__in=towns),
        towns,
        Organisation.objects.filter(name=DISTRICT),
    ):
        queryset._raw_delete(connection.alias)


class _Seeder:
    def __init__(self, today: date, users_per_org: int, updates_per_target: int, result: SeedResult) -> None:
        self.today = today
        self.users_per_org = max(users_per_org, 3)
        self.updates_per_target = updates_per_target
        self.result = result
        self.password = make_password(PASSWORD)  # hashed once: 3,000 hashes would take minutes
        self.clock = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.result.seconds[name] = round(now - self.clock, 2)
        self.clock = now

    def run(self, orgs: int, targets_per_org: int) -> None:
        district = Organisation.objects.create(name=DISTRICT, level=Organisation.Level.DISTRICT)
        towns = Organisation.objects.bulk_create(
            Organisation(name=town_name(i), level=Organisation.Level.TOWN, parent=district) for i in range(orgs)
        )
        departments = Department.objects.bulk_create(
            (Department(organisation=town, name=name) for town in towns for name in DEPARTMENTS), batch_size=BATCH
        )
        by_town = [departments[i * len(DEPARTMENTS) : (i + 1) * len(DEPARTMENTS)] for i in range(orgs)]
        staff_by_department = self.people(district, towns, by_town)
        self.lap("organisations_users")
        targets = self.targets(towns, by_town, staff_by_department, targets_per_org)
        self.lap("targets")
        self.milestones_and_updates(targets, staff_by_department)
        # Rows written around the services: their health dates, explicitly (what the services do per write).
        services.refresh_health_basis([t.pk for t in targets])
        self.lap("health_dates")
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner keeps estimating the empty tables it saw before the load.
            with connection.cursor() as cursor:
                for model in (Organisation, Department, Target, Target.co_departments.through, Milestone):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
                for model in (ProgressUpdate, TargetEvent, Membership, get_user_model()):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            self.lap("analyze")

    def people(self, district, towns, by_town) -> dict[int, list]:
        User = get_user_model()
        specs: list[tuple[str, Organisation, str, Department | None]] = [
            (DISTRICT_SUPERVISOR, district, Membership.Role.SUPERVISOR, None),
            (DISTRICT_ADMIN, district, Membership.Role.ADMIN, None),
        ]
        for t, town in enumerate(towns):
            specs.append((town_user(t, "admin"), town, Membership.Role.ADMIN, None))
            specs += [(town_user(t, f"sup{s}"), town, Membership.Role.SUPERVISOR, None) for s in (1, 2)]
            for s in range(self.users_per_org - 3):
                department = by_town[t][s % len(DEPARTMENTS)]
                specs.append(
                    (town_user(t, f"d{s % len(DEPARTMENTS):02d}-s{s}"), town, Membership.Role.STAFF, department)
                )
        users = User.objects.bulk_create(
            (User(username=name, email=f"{name}@bench.example.org", password=self.password) for name, *_ in specs),
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            (
                Membership(user=user, organisation=org, role=role, department=department)
                for user, (_, org, role, department) in zip(users, specs, strict=True)
            ),
            batch_size=BATCH,
        )
        Token.objects.bulk_create((Token(key=Token.generate_key(), user=user) for user in users), batch_size=BATCH)
        staff: dict[int, list] = {}
        for user, (*_, department) in zip(users, specs, strict=True):
            if department is not None:
                staff.setdefault(department.pk, []).append(user)
        return staff

    def targets(self, towns, by_town, staff_by_department, per_org: int) -> list[Target]:
        rows = []
        for t, town in enumerate(towns):
            for i in range(per_org):
                lead = by_town[t][(i + i // len(PROFILES)) % len(DEPARTMENTS)]  # every department gets every profile
                profile = _profile(i)
                kind = KINDS[i % len(KINDS)]
                if profile in ("at_risk", "due_soon") and kind == "condition":
                    kind = "deliverable"  # a condition is green until breached: it has no amber or blue
                due = self.due_date(profile, i)
                staff = staff_by_department.get(lead.pk) or [None]
                plan_year = self.year_start().year
                target = Target(
                    organisation=town,
                    title=f"{METRICS[i % len(METRICS)]}任务{t + 1:03d}-{i + 1:04d}",
                    metric=METRICS[i % len(METRICS)] if kind == "quantitative" else "",
                    kind=kind,
                    lead_department=lead,
                    owner=staff[i % len(staff)],
                    plan_year=plan_year,
                    due_date=due,
                    target_value=1000 if kind == "quantitative" else None,
                    unit="个" if kind == "quantitative" else "",
                    comparator=">=" if kind == "quantitative" else "",
                    relation="absolute" if kind == "quantitative" else "",
                    lifecycle=Target.Lifecycle.SIGNED_OFF if profile == "closed" else Target.Lifecycle.IN_PROGRESS,
                )
                target.profile = profile
                rows.append(target)
        targets = Target.objects.bulk_create(rows, batch_size=BATCH)
        for target, row in zip(targets, rows, strict=True):
            target.profile = row.profile
        # auto_now_add stamped "now": the targets were accepted at the start of the year.
        Target.objects.filter(organisation__in=towns).update(created_at=self.at(self.year_start(), 9))
        # Every other target shares the work with the next department of its town.
        following = {d.pk: ds[(k + 1) % len(ds)].pk for ds in by_town for k, d in enumerate(ds)}
        through = Target.co_departments.through
        through.objects.bulk_create(
            (
                through(target_id=target.pk, department_id=following[target.lead_department_id])
                for i, target in enumerate(targets)
                if i % 2
            ),
            batch_size=BATCH,
        )
        return targets

    def milestones_and_updates(self, targets: list[Target], staff_by_department) -> None:
        milestones, updates, events = [], [], []
        created_at = self.at(self.year_start(), 9)
        counts = {"milestones": 0, "updates": 0, "events": 0}

        def flush() -> None:
            Milestone.objects.bulk_create(milestones, batch_size=BATCH)
            ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
            TargetEvent.objects.bulk_create(events, batch_size=BATCH)
            counts["milestones"] += len(milestones)
            counts["updates"] += len(updates)
            counts["events"] += len(events)
            milestones.clear()
            updates.clear()
            events.clear()

        for i, target in enumerate(targets):
            plan = services.default_milestones(target)
            final, last = self.final_progress(target, plan, i)
            for milestone in plan:
                if (milestone.expected_percent or 0) <= final and milestone.due_date <= last:
                    milestone.done_on = milestone.due_date
            milestones += plan
            events.append(
                TargetEvent(target=target, kind=TargetEvent.Kind.CREATED, message="采纳承诺", created_at=created_at)
            )
            author = (staff_by_department.get(target.lead_department_id) or [target.owner])[0]
            for k, (day, percent) in enumerate(self.history(final, last)):
                at = self.at(day, 9 + k % 8)
                value = round(1000 * percent / 100, 1) if target.kind == "quantitative" else None
                updates.append(
                    ProgressUpdate(
                        target=target,
                        author=author,
                        created_at=at,
                        value=value,
                        percent=None if value is not None else percent,
                        note=f"第{k + 1}次填报：按计划推进",
                    )
                )
                events.append(
                    TargetEvent(
                        target=target,
                        actor=author,
                        created_at=at,
                        kind=TargetEvent.Kind.PROGRESS,
                        message=f"填报进展：{percent:g}%",
                        after={"percent": percent},
                    )
                )
            if len(updates) >= 4 * BATCH:
                flush()
        flush()
        self.lap("milestones_updates_events")

    def final_progress(self, target: Target, plan: list[Milestone], i: int) -> tuple[float, date]:
        """The percent reached and the day of the last update for the target's profile."""
        profile = target.profile
        if target.kind == "condition":
            # A condition is kept (100) or breached (below 100, overdue).
            return (90.0 if profile == "overdue" else 100.0), self.today - timedelta(days=i % 7)
        planned = planned_percent(target, milestones=plan, on=self.today)
        if profile == "overdue":
            return float(40 + i % 40), self.today - timedelta(days=3 + i % 20)
        if profile == "due_soon":
            return 97.0, self.today - timedelta(days=i % 5)
        if profile == "closed":
            return 100.0, min(target.due_date, self.today) - timedelta(days=i % 10)
        ahead = min(99.0, round(planned + 5 + i % 10, 1))
        if profile == "at_risk":
            # Silent for 40 to 55 days: more than TARGET_STALE_DAYS, and after the plan year began.
            return ahead, self.today - timedelta(days=40 + i % 16)
        return ahead, self.today - timedelta(days=i % 10)

    def history(self, final: float, last: date) -> list[tuple[date, float]]:
        """`updates_per_target` cumulative figures rising to `final`, spaced from the year's start to `last`."""
        n = self.updates_per_target
        if n <= 0:
            return []
        first = min(self.year_start() + timedelta(days=10), last)
        step = (last - first).days / max(n - 1, 1)
        return [(first + timedelta(days=round(k * step)), round(final * (k + 1) / n, 1)) for k in range(n)]

    def due_date(self, profile: str, i: int) -> date:
        if profile == "overdue":
            return max(self.year_start() + timedelta(days=20), self.today - timedelta(days=1 + i % 60))
        if profile == "due_soon":
            return self.today + timedelta(days=1 + i % 3)
        return max(date(self.year_start().year, 12, 31), self.today + timedelta(days=60))

    def year_start(self) -> date:
        """1 January of the plan year under way: this year's from March, last year's in January and February."""
        return date((self.today - timedelta(days=59)).year, 1, 1)

    def at(self, day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def bench_accounts() -> list[dict]:
    """The people `seed_bench` made, as `demo --json` prints its accounts."""
    rows = (
        Membership.objects.filter(user__username__startswith=USER_PREFIX)
        .order_by("user__username")
        .values_list("user__username", "role", "organisation__name", "department__name")
    )
    return [
        {"username": username, "password": PASSWORD, "role": role, "organisation": organisation,
         "department": department or ""}
        for username, role, organisation, department in rows
    ]  # fmt: skip


def _profile(i: int) -> str:
    return PROFILES[i % len(PROFILES)]
