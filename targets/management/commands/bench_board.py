"""Time the supervisor board, its export, the list API and a target page; print queries and milliseconds.

    python manage.py bench_board                      # the current database (e.g. after `demo`)
    python manage.py bench_board --synthetic 2000     # plus 2,000 synthetic targets, rolled back afterwards

Runs in one transaction that is always rolled back, so the database is left as it was.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from targets.models import Membership, Milestone, Organisation, ProgressUpdate, Target
from targets.services import default_milestones


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "测量督查看板、导出、列表接口和任务页面的查询数与耗时"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--synthetic", type=int, default=0, help="另加 N 个合成任务（结束后回滚）")
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, **options) -> None:
        try:
            with transaction.atomic():
                self._run(options["synthetic"], options["repeat"])
                raise Rollback
        except Rollback:
            pass

    def _run(self, synthetic: int, repeat: int) -> None:
        user = get_user_model().objects.create_superuser("bench-board", "bench@example.org", "x")
        if synthetic:
            _synthetic(synthetic, user)
        client = Client()
        client.force_login(user)
        total = Target.objects.count()
        first = Target.objects.order_by("id").first()
        self.stdout.write(f"targets: {total}")
        pages = [("board /", "/"), ("export", "/targets/export.xlsx"), ("api list", "/api/targets/")]
        if first:
            pages.append(("target page", f"/targets/{first.pk}/"))
        for label, url in pages:
            timings, count = [], 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    if hasattr(response, "streaming_content"):
                        b"".join(response.streaming_content)
                    timings.append((time.perf_counter() - started) * 1000)
                count = len(queries.captured_queries)
                assert response.status_code == 200, (url, response.status_code)
            self.stdout.write(
                f"{label:12s} {count:3d} queries  {statistics.median(timings):8.1f} ms (median of {repeat})"
            )


def _synthetic(count: int, author) -> None:
    """`count` quantitative targets over 10 departments with quarterly milestones and two updates each."""
    organisation = Organisation.objects.create(name="合成镇-bench")
    departments = [organisation.departments.create(name=f"部门{i}") for i in range(10)]
    Membership.objects.create(user=author, organisation=organisation, role=Membership.Role.ADMIN)
    year = date.today().year
    targets = Target.objects.bulk_create(
        Target(
            organisation=organisation,
            title=f"合成任务{i:05d}",
            lead_department=departments[i % 10],
            plan_year=year,
            due_date=date(year, 12, 31) - timedelta(days=(i % 300)),
            target_value=1000,
            unit="个",
            comparator="=",
            relation="absolute",
            kind="quantitative",
        )
        for i in range(count)
    )
    Milestone.objects.bulk_create([m for t in targets for m in default_milestones(t)])
    tz = ZoneInfo("Asia/Shanghai")
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            target=t, author=author, created_at=datetime(year, month, 1, 10, tzinfo=tz), value=100 * month + i % 50
        )
        for i, t in enumerate(targets)
        for month in (3, 6)
    )
    Target.co_departments.through.objects.bulk_create(
        Target.co_departments.through(target_id=t.pk, department_id=departments[(i + 1) % 10].pk)
        for i, t in enumerate(targets)
    )
