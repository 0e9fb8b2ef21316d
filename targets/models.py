"""Organisations, departments, people's roles, targets and their history."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from targets import vocabulary

# A date later than any day asked about: "not as things stand" (targets.health.NEVER).
NEVER = date(9999, 12, 31)


class Organisation(models.Model):
    class Level(models.TextChoices):
        TOWN = "town", "镇/街道"
        DISTRICT = "district", "区"
        CITY = "city", "市"
        NATION = "nation", "国家"

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=10, choices=Level.choices, default=Level.TOWN)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = verbose_name_plural = "组织"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属组织", on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField("名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="uniq_department_name")]

    def __str__(self) -> str:
        return self.name


class LeadDepartmentRule(models.Model):
    """Editable keyword table suggesting a lead department for a commitment.

    Rules name a department, not a row, so one table serves every organisation.
    """

    keyword = models.CharField("关键词", max_length=50)
    department_name = models.CharField("建议牵头部门", max_length=100)
    priority = models.PositiveSmallIntegerField("优先级", default=100, help_text="数值小的先匹配")

    class Meta:
        verbose_name = verbose_name_plural = "牵头部门建议规则"
        ordering = ["priority", "id"]
        constraints = [models.UniqueConstraint(fields=["keyword"], name="uniq_lead_rule_keyword")]

    def __str__(self) -> str:
        return f"{self.keyword} → {self.department_name}"


class Membership(models.Model):
    """A person's role in one organisation (and department, for staff)."""

    class Role(models.TextChoices):
        STAFF = "staff", "科室工作人员"
        SUPERVISOR = "supervisor", "督查人员"
        ADMIN = "admin", "管理员"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("角色", max_length=12, choices=Role.choices, default=Role.STAFF)

    class Meta:
        verbose_name = verbose_name_plural = "成员角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="uniq_membership_user_org"),
            models.CheckConstraint(
                condition=~Q(role="staff") | Q(department__isnull=False), name="staff_has_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class Target(models.Model):
    Kind = vocabulary.Kind

    class Lifecycle(models.TextChoices):
        NOT_STARTED = "not_started", "未启动"
        IN_PROGRESS = "in_progress", "推进中"
        EXTENSION_REQUESTED = "extension_requested", "申请延期"
        SIGNOFF_REQUESTED = "signoff_requested", "申请销号"
        SIGNED_OFF = "signed_off", "已销号"
        CANCELLED = "cancelled", "已取消"

    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="targets"
    )
    commitment = models.OneToOneField(
        "reports.Commitment",
        verbose_name="来源承诺",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="target",
    )
    title = models.CharField("任务内容", max_length=500)
    metric = models.CharField("指标", max_length=200, blank=True)
    kind = models.CharField("类型", max_length=15, choices=Kind.choices, default=Kind.QUANTITATIVE)
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="led_targets"
    )
    co_departments = models.ManyToManyField(Department, verbose_name="责任单位", blank=True, related_name="co_targets")
    leader = models.CharField("分管领导", max_length=50, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_targets",
    )
    plan_year = models.PositiveSmallIntegerField("计划年度")
    due_date = models.DateField("完成时限")
    target_value = models.FloatField("目标值", null=True, blank=True)
    target_value_max = models.FloatField("目标上限", null=True, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    comparator = models.CharField("比较", max_length=8, blank=True)
    relation = models.CharField("口径", max_length=10, blank=True)
    baseline = models.CharField("基数说明", max_length=100, blank=True)
    baseline_value = models.FloatField("基数", null=True, blank=True)
    stretch_value = models.FloatField("力争值", null=True, blank=True)
    lifecycle = models.CharField(
        "状态", max_length=20, choices=Lifecycle.choices, default=Lifecycle.NOT_STARTED, db_index=True
    )
    version = models.PositiveIntegerField("版本", default=1)
    requested_due_date = models.DateField("申请延期至", null=True, blank=True)
    escalated_at = models.DateTimeField("督办升级时间", null=True, blank=True)
    escalation_note = models.CharField("督办升级说明", max_length=500, blank=True)
    # The dates at which health changes (targets.health.health_dates), written by every service that changes
    # what they depend on, in its transaction; health on any day is then a comparison SQL can filter, count and
    # sort by (targets.health.health_q). NEVER: not as things stand.
    progress = models.FloatField("完成进度(%)", null=True, blank=True, editable=False)
    overdue_from = models.DateField("逾期起始日", default=NEVER, editable=False)
    at_risk_from = models.DateField("落后计划起始日", default=NEVER, editable=False)
    stale_from = models.DateField("久未更新起始日", default=NEVER, editable=False)
    deadline = models.DateField("下一未完成节点", default=NEVER, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "目标任务"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["organisation", "plan_year"]),
            # The lists' default order: the first page of a district's 30,000 targets without sorting them all.
            models.Index(fields=["due_date", "id"], name="target_due_idx"),
            # "Longest overdue first": an ordered scan for the page; the included columns let PostgreSQL count
            # the overdue rows of the visible organisations from the index alone.
            models.Index(
                fields=["overdue_from", "due_date", "id"],
                include=["organisation", "lifecycle"],
                name="target_overdue_from_idx",
            ),
            # The other health filters: a range on one stored date each.
            models.Index(fields=["at_risk_from"], name="target_at_risk_idx"),
            models.Index(fields=["stale_from"], name="target_stale_idx"),
            models.Index(fields=["deadline"], name="target_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class OpenMilestoneManager(models.Manager):
    """Cancelled milestones stay in the table (nothing is deleted) but drop out of every plan."""

    def get_queryset(self):
        return super().get_queryset().filter(cancelled_at__isnull=True)


class Milestone(models.Model):
    target = models.ForeignKey(Target, verbose_name="目标任务", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点内容", max_length=200)
    due_date = models.DateField("节点时间")
    expected_percent = models.FloatField("计划进度(%)", null=True, blank=True)
    expected_value = models.FloatField("计划累计值", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    # The first manager is the default one: related managers (target.milestones), admin and other apps'
    # queries see open plans only; `all_objects` reaches the cancelled rows kept for history.
    objects = OpenMilestoneManager()
    all_objects = models.Manager()  # noqa: DJ012 (a second manager, not a field)

    class Meta:
        verbose_name = verbose_name_plural = "时间节点"
        base_manager_name = "all_objects"
        ordering = ["target", "due_date", "id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.due_date:%Y-%m-%d}）"


class ProgressUpdate(models.Model):
    """Append-only: a correction is a new row pointing at the one it corrects."""

    target = models.ForeignKey(Target, verbose_name="目标任务", on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="progress_updates"
    )
    created_at = models.DateTimeField("填报时间", db_index=True)
    value = models.FloatField("累计完成值", null=True, blank=True)
    percent = models.FloatField("完成比例(%)", null=True, blank=True)
    note = models.TextField("进展说明", blank=True)
    corrects = models.ForeignKey(
        "self", verbose_name="更正", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )

    class Meta:
        verbose_name = verbose_name_plural = "进展填报"
        ordering = ["target", "created_at", "id"]
        # The latest update of a target (health) is one index probe, not a scan of its history.
        indexes = [models.Index(fields=["target", "created_at", "id"], name="update_target_latest_idx")]

    def __str__(self) -> str:
        return f"{self.target_id} @ {self.created_at:%Y-%m-%d}"


class TargetEvent(models.Model):
    """One row per change to a target: who, when, what, before and after."""

    class Kind(models.TextChoices):
        CREATED = "created", "创建"
        PROGRESS = "progress", "填报进展"
        REASSIGNED = "reassigned", "调整责任单位"
        MILESTONE = "milestone", "调整时间节点"
        COMMENT = "comment", "评论"
        LIFECYCLE = "lifecycle", "状态变更"
        EXTENSION = "extension", "延期"
        SIGNOFF = "signoff", "销号"
        ESCALATION = "escalation", "督办升级"
        EDITED = "edited", "修改任务"
        CANCEL = "cancel", "取消任务"
        VERDICT = "verdict", "年终核对"
        NOTICE = "notice", "督办通知单"

    target = models.ForeignKey(Target, verbose_name="目标任务", on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="target_events",
    )
    created_at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    message = models.CharField("说明", max_length=500, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更记录"
        ordering = ["target", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_id}"


def _evidence_storage():
    from targets.evidence import EvidenceStorage

    return EvidenceStorage()


class Evidence(models.Model):
    """An evidence file attached to a progress update or an event (comment, sign-off request).

    Stored outside MEDIA_ROOT and served only through a view that checks the
    reader may see the target.
    """

    target = models.ForeignKey(Target, verbose_name="目标任务", on_delete=models.PROTECT, related_name="evidence")
    update = models.ForeignKey(
        ProgressUpdate,
        verbose_name="进展填报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    event = models.ForeignKey(
        TargetEvent, verbose_name="变更记录", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField("文件", upload_to="%Y/%m/", storage=_evidence_storage, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["target", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SupervisionNotice(models.Model):
    """A numbered 督办通知单 / 催办单 issued from an escalated target (督办〔2026〕12 号).

    The number is a per-organisation, per-year sequence; the unique constraint is what keeps two concurrent
    issues from sharing a number (the service retries on the next one). The document is rendered from these
    fields on download, so what was issued is what is kept.
    """

    class Kind(models.TextChoices):
        SUPERVISE = "supervise", "督办通知单"
        URGE = "urge", "催办单"

    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="notices"
    )
    target = models.ForeignKey(Target, verbose_name="目标任务", on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.SUPERVISE)
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("编号")
    late_text = models.TextField("滞后情况")
    requirement = models.TextField("督办要求", blank=True)
    reply_by = models.DateField("反馈时限")
    issuer = models.CharField("发文单位", max_length=100)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("签发时间")

    class Meta:
        verbose_name = verbose_name_plural = "督办通知单"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "number"], name="uniq_notice_number"),
        ]

    def __str__(self) -> str:
        return self.number_text

    @property
    def number_text(self) -> str:
        word = "督办" if self.kind == self.Kind.SUPERVISE else "催办"
        return f"{word}〔{self.year}〕{self.number} 号"
