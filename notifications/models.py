"""Reminders, digests and the notification log (see issue: reminders and digests)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CalendarDay(models.Model):
    """An official holiday or make-up workday entered by an administrator; wins over the packaged calendars."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否上班", help_text="勾选：调休上班日；不勾选：放假日")
    note = models.CharField("说明", max_length=100, blank=True, help_text="如：国庆节放假、国庆节调休上班")

    class Meta:
        verbose_name = verbose_name_plural = "法定节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_working_day else '放假'}"


class ReminderPolicy(models.Model):
    """One organisation's overrides of the reminder defaults (empty field: the setting's default)."""

    organisation = models.OneToOneField(
        "targets.Organisation", verbose_name="组织", on_delete=models.CASCADE, related_name="reminder_policy"
    )
    days_before = models.PositiveSmallIntegerField("提前提醒（工作日）", null=True, blank=True)
    remind_on_day = models.BooleanField("到期当天提醒", null=True, blank=True)
    overdue_every = models.PositiveSmallIntegerField("逾期后每隔（工作日）提醒", null=True, blank=True)
    escalate_after = models.PositiveSmallIntegerField("逾期多少工作日后上报督查", null=True, blank=True)
    remind_past_years = models.BooleanField(
        "往年任务也提醒",
        null=True,
        blank=True,
        help_text="默认不提醒计划年度早于去年的任务（如导入的历史台账）；勾选后照常提醒和上报",
    )

    class Meta:
        verbose_name = verbose_name_plural = "提醒规则"

    def __str__(self) -> str:
        return f"{self.organisation} 的提醒规则"


class NotificationPreference(models.Model):
    class Digest(models.TextChoices):
        WEEKLY = "weekly", "每周"
        DAILY = "daily", "每个工作日"
        NONE = "none", "不接收"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="notification_preference"
    )
    digest = models.CharField("督办摘要", max_length=10, choices=Digest.choices, default=Digest.WEEKLY)
    reminders = models.BooleanField("节点提醒", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知偏好"

    def __str__(self) -> str:
        return f"{self.user} 的通知偏好"


class Notification(models.Model):
    """One message that must go out, recorded under its idempotency key before it is sent."""

    class Kind(models.TextChoices):
        BEFORE = "before", "节点临近提醒"
        DUE = "due", "节点到期提醒"
        OVERDUE = "overdue", "逾期提醒"
        ESCALATION = "escalation", "逾期上报"
        WEEKLY = "weekly", "督办周报"
        DAILY = "daily", "督办日报"
        BULLETIN = "bulletin", "督查通报"
        REMINDERS = "reminders", "每日提醒汇总"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        RETRYING = "retrying", "发送失败，等待重试"
        SENT = "sent", "已发送"
        CANCELLED = "cancelled", "已取消"
        # The whole message reached the mail server but its answer did not reach us (services.py): sent again
        # once with the same Message-ID; after a second unknown outcome it stays here for a person to check.
        UNKNOWN = "unknown", "结果未知"

    key = models.CharField("幂等键", max_length=200, unique=True)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="notifications"
    )
    email = models.EmailField("邮箱")
    organisation = models.ForeignKey(
        "targets.Organisation",
        verbose_name="组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    target = models.ForeignKey(
        "targets.Target", verbose_name="目标任务", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    milestone = models.ForeignKey(
        "targets.Milestone", verbose_name="时间节点", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period = models.CharField("周期", max_length=20)
    subject = models.CharField("标题", max_length=200)
    context = models.JSONField("内容", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    next_attempt_at = models.DateTimeField("下次发送时间", db_index=True)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    unknown_outcomes = models.PositiveSmallIntegerField("结果未知次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_status_next"),
            models.Index(fields=["kind", "period"], name="notif_kind_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="notification_sent_has_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.email}（{self.period}）"


class NotificationItem(models.Model):
    """One reminder or escalation carried by a grouped message (one message per person and working day).

    Its key is the item's own idempotency key (kind, recipient, milestone or target, period): recorded once,
    with the message that carries it, so a later sweep neither repeats it nor loses it.
    """

    key = models.CharField("幂等键", max_length=200, unique=True)
    notification = models.ForeignKey(
        Notification, verbose_name="所在通知", on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField("类型", max_length=12, choices=Notification.Kind.choices)
    target = models.ForeignKey(
        "targets.Target", verbose_name="目标任务", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "通知条目"

    def __str__(self) -> str:
        return self.key
