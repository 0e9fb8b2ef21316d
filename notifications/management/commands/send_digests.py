"""python manage.py send_digests [--today YYYY-MM-DD] [--dry-run] [--enqueue]: the weekly and daily digests."""

from __future__ import annotations

from notifications import services
from notifications.management.commands._sweep import SweepCommand


class Command(SweepCommand):
    help = "发送督办周报（每周第一个工作日）和日报（每个工作日）；同一周期重复运行不会重复发送"
    sweep = staticmethod(services.digests_sweep)
    what = "摘要"
