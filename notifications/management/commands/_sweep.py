"""Shared body of `run_reminders` and `send_digests`: sweep, then deliver in this process (or print)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import services


class SweepCommand(BaseCommand):
    sweep = staticmethod(services.reminders_sweep)
    what = "提醒"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="按这一天计算（YYYY-MM-DD，默认今天，Asia/Shanghai）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的邮件，不记录也不发送")
        parser.add_argument("--enqueue", action="store_true", help="交给 Celery worker 发送（默认在本进程内直接发送）")

    def handle(self, *args, **options) -> None:
        try:
            on = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today 应为 YYYY-MM-DD：{options['today']}") from error
        result = self.sweep(on=on, dry_run=options["dry_run"])
        if options["dry_run"]:
            for plan in result.planned:
                self.stdout.write(f"{plan.key}\t{plan.email}\t{plan.subject}")
            self.stdout.write(f"{on:%Y-%m-%d}：将发送 {len(result.planned)} 封{self.what}（未记录，未发送）")
            return
        if options["enqueue"]:
            from notifications.tasks import enqueue_sends

            queued = enqueue_sends(result.created_ids)
            self.stdout.write(
                f"{on:%Y-%m-%d}：新记录 {len(result.created_ids)} 封{self.what}，已交给 worker {queued} 封，"
                f"已记录过 {result.skipped} 封"
                + ("（消息队列不可用，其余由重新投递任务稍后发送）" if queued < len(result.created_ids) else "")
            )
            return
        counts = {"sent": 0, "skipped": 0, "cancelled": 0, "failed": 0, "unknown": 0}
        for notification_id in result.created_ids:
            try:
                counts[services.notification_deliver(notification_id=notification_id)] += 1
            except services.DeliveryFailed as failure:
                counts["failed"] += 1
                self.stderr.write(f"发送失败，稍后重试：{failure}")
        self.stdout.write(
            f"{on:%Y-%m-%d}：新记录 {len(result.created_ids)} 封{self.what}，发送 {counts['sent']} 封，"
            f"失败待重试 {counts['failed']} 封，结果未知 {counts['unknown']} 封，取消 {counts['cancelled']} 封，"
            f"已记录过 {result.skipped} 封"
        )
