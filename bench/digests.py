"""Time and query count to build the weekly digests (and the reminder sweep) at scale: prints figures.

    .venv/bin/python bench/digests.py [--users 3000] [--targets 30000] [--orgs 10]

Runs on a throwaway test database (in-memory SQLite by default; `test_<name>` on PostgreSQL when
DATABASE_URL points there). Every organisation has departments of staff and one supervisor; every target
has four quarterly milestones, two progress updates and one event in the last week.
Goal (issue 4): building the weekly digests for 3,000 users over 30,000 targets in under 10 s, with a
constant number of queries per batch of recipients. Ends with one JSON line of figures (bench/common.py) and a
summary, like the other benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from common import emit, figure  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
ON = date(2023, 10, 9)  # first working day of ISO week 41, 2023


def populate(users: int, targets: int, orgs: int) -> None:
    from targets.models import Department, Membership, Milestone, Organisation, ProgressUpdate, Target, TargetEvent

    User = get_user_model()
    departments_per_org = 20
    staff_per_department = max(1, -(-(users - orgs) // (orgs * departments_per_org)))  # ceiling
    targets_per_department = max(1, targets // (orgs * departments_per_org))
    author = User.objects.create(username="bench-author", email="")
    for o in range(orgs):
        org = Organisation.objects.create(name=f"基准镇{o}")
        supervisor = User.objects.create(username=f"sup{o}", email=f"sup{o}@example.org")
        Membership.objects.create(user=supervisor, organisation=org, role="supervisor")
        departments = Department.objects.bulk_create(
            Department(organisation=org, name=f"部门{d}") for d in range(departments_per_org)
        )
        staff = User.objects.bulk_create(
            User(username=f"s{o}-{d}-{u}", email=f"s{o}-{d}-{u}@example.org")
            for d in range(departments_per_org)
            for u in range(staff_per_department)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=org, department=departments[i // staff_per_department], role="staff")
            for i, user in enumerate(staff)
        )
        rows = Target.objects.bulk_create(
            Target(
                organisation=org,
                lead_department=department,
                title=f"目标任务{o}-{d}-{t}",
                plan_year=2023,
                due_date=date(2023, 12, 31),
                kind="quantitative" if t % 2 else "deliverable",
                target_value=100,
            )
            for d, department in enumerate(departments)
            for t in range(targets_per_department)
        )
        # Nine targets in ten ticked their past milestones; the tenth is behind (overdue since Q1).
        Milestone.objects.bulk_create(
            Milestone(
                target=target,
                title=f"Q{q}",
                due_date=date(2023, 3 * q, 28),
                expected_percent=25 * q,
                done_on=date(2023, 3 * q, 25) if q < 4 and i % 10 else None,
            )
            for i, target in enumerate(rows)
            for q in range(1, 5)
        )
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                target=target,
                author=author,
                created_at=datetime(2023, month, 5 + i % 20, 10, tzinfo=SHANGHAI),
                percent=(i % 9) * 10 + month,
            )
            for i, target in enumerate(rows)
            for month in (6, 9 if i % 3 else 7)
        )
        TargetEvent.objects.bulk_create(
            TargetEvent(
                target=target,
                kind="progress",
                message="填报进展",
                created_at=datetime(2023, 10, 7, 15, tzinfo=SHANGHAI),
            )
            for target in rows
        )
    # Rows written around the services: their stored health dates, as a bulk loader must (not timed).
    from targets.services import refresh_health_basis

    refresh_health_basis(Target.objects.values_list("pk", flat=True))


GOAL_BUILD_SECONDS = 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--targets", type=int, default=30000)
    parser.add_argument("--orgs", type=int, default=10)
    args = parser.parse_args()

    from notifications.digests import digests_due
    from notifications.models import Notification
    from notifications.reminders import reminders_due
    from notifications.services import digests_sweep, notifications_record
    from notifications.workdays import is_working_day
    from targets.models import Milestone, Target

    figures: list[dict] = []
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        populate(args.users, args.targets, args.orgs)
        print(
            f"database: {connection.vendor}; {get_user_model().objects.count()} users, {Target.objects.count()} "
            f"targets, {Milestone.objects.count()} milestones (populated in {time.perf_counter() - started:.1f} s)"
        )
        is_working_day(ON)  # warm the calendar cache (one query a minute per process)

        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            built = list(digests_due(on=ON))
            build = time.perf_counter() - started
        batches = [len(batch) for batch in built]
        sizes = sorted(len(json.dumps(p.context, ensure_ascii=False).encode()) for batch in built for p in batch)
        del built
        figures += [
            figure("build weekly digests", round(build, 2), "s", f"<= {GOAL_BUILD_SECONDS} s",
                   build <= GOAL_BUILD_SECONDS),
            figure("weekly digests built", sum(batches), "digests"),
            figure("digest build queries", len(captured), "queries"),
        ]  # fmt: skip
        print(
            f"build weekly digests: {sum(batches)} digests in {len(batches)} batches, {build:.2f} s, "
            f"{len(captured)} queries ({len(captured) - len(batches)} for the board, 1 per batch of 500)"
        )

        print(
            f"stored context per digest: median {sizes[len(sizes) // 2] / 1024:.1f} KiB, "
            f"max {sizes[-1] / 1024:.1f} KiB, total {sum(sizes) / 2**20:.1f} MiB"
        )
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = digests_sweep(on=ON)
            sweep = time.perf_counter() - started
        figures.append(figure("digest sweep (build + record rows)", round(sweep, 2), "s"))
        print(
            f"digest sweep (build + record rows): {len(result.created_ids)} rows in {sweep:.2f} s, "
            f"{len(captured)} queries"
        )
        started = time.perf_counter()
        again = digests_sweep(on=ON)
        print(f"second sweep the same day: {len(again.created_ids)} new rows, {time.perf_counter() - started:.2f} s")

        notification = Notification.objects.filter(kind="weekly").order_by("pk").first()
        from notifications.emails import email_for

        started = time.perf_counter()
        for _ in range(100):
            message = email_for(notification)
            message.message()
        print(f"render one digest email (subject, text, html): {(time.perf_counter() - started) * 10:.1f} ms")

        # Reminders: one target in ten is overdue since Q1; every lead-department member is reminded of each.
        # 27 September: the Q3 milestones of all 30,000 targets are due the next day ("before" is long past).
        for day in (date(2023, 10, 9), date(2023, 9, 27)):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                planned = reminders_due(on=day)
                took = time.perf_counter() - started
            figures.append(figure(f"plan reminders {day} ({len(planned)} reminders)", round(took, 2), "s"))
            print(f"plan reminders {day}: {len(planned)} reminders in {took:.2f} s, {len(captured)} queries")
            if planned and len(planned) <= 100000:
                started = time.perf_counter()
                created = notifications_record(planned=planned)
                print(f"  record them: {len(created)} rows in {time.perf_counter() - started:.2f} s")
        emit(
            "digests",
            figures,
            f"digests: {figures[1]['value']} weekly digests for {args.users} users over {args.targets} targets "
            f"built in {figures[0]['value']} s ({figures[2]['value']} queries) on {connection.vendor}",
            users=args.users,
            targets=args.targets,
            orgs=args.orgs,
            database=connection.vendor,
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
