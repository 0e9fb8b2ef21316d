"""Recompute the stored health dates of every target (or of some): the repair for rows written around the
services (bulk loads, fixtures, SQL by hand). Selectors never repair on read.

    python manage.py refresh_health [--ids 1 2 3]
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from targets.models import Target
from targets.services import refresh_health_basis


class Command(BaseCommand):
    help = "重新计算目标任务的健康度日期（逾期、风险、久未更新、下一节点）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--ids", type=int, nargs="*", help="只重算这些任务（默认全部）")

    def handle(self, *args, **options) -> None:
        ids = options["ids"] or list(Target.objects.values_list("pk", flat=True))
        changed = refresh_health_basis(ids)
        self.stdout.write(json.dumps({"targets": len(ids), "changed": changed}))
