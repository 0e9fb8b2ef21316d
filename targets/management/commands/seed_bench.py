"""Load a whole district for the benchmarks and print what was made as JSON.

    python manage.py seed_bench --orgs 100 --targets-per-org 300 --updates-per-target 10 [--reset] [--json]

Idempotent: a second run leaves an existing district alone (`"seeded": false`); `--reset` deletes it first.
Prints the counts and timings as one JSON line; with `--json`, the accounts instead (as `demo --json` does).
The code lives in `bench/seed.py`: this command is its stable entry point.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand

from bench.seed import bench_accounts, seed_bench


class Command(BaseCommand):
    help = "生成基准测试数据：一个区、若干镇、部门、用户、目标任务和一年的进展填报（输出 JSON）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orgs", type=int, default=100, help="镇（街道）数")
        parser.add_argument("--targets-per-org", type=int, default=300, help="每个镇的目标任务数")
        parser.add_argument("--updates-per-target", type=int, default=10, help="每个任务的进展填报数")
        parser.add_argument("--users-per-org", type=int, default=30, help="每个镇的用户数（含管理员和督查人员）")
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="按哪一天安排健康度（默认今天）")
        parser.add_argument("--reset", action="store_true", help="先删除已有的基准数据")
        parser.add_argument(
            "--json", action="store_true", help="输出所建账号（用户名、密码、角色、组织、部门）的 JSON，而不是统计"
        )

    def handle(self, *args, **options) -> None:
        result = seed_bench(
            orgs=options["orgs"],
            targets_per_org=options["targets_per_org"],
            updates_per_target=options["updates_per_target"],
            users_per_org=options["users_per_org"],
            today=options["today"],
            reset=options["reset"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(bench_accounts(), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
