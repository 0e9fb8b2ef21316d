"""python manage.py run_reminders [--today YYYY-MM-DD] [--dry-run] [--enqueue]: what beat runs each working day."""

from __future__ import annotations

from notifications import services
from notifications.management.commands._sweep import SweepCommand


class Command(SweepCommand):
    help = "计算当天到期的节点提醒、逾期提醒和逾期上报并发送（同一天重复运行不会重复发送）"
    sweep = staticmethod(services.reminders_sweep)
    what = "提醒"
