"""Source documents and what extraction found in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from targets import vocabulary


class Report(models.Model):
    class DocKind(models.TextChoices):
        WORK_REPORT = "work_report", "政府工作报告"
        PLAN = "plan", "计划"
        OTHER = "other", "其他"

    organisation = models.ForeignKey(
        "targets.Organisation", verbose_name="组织", on_delete=models.PROTECT, related_name="reports"
    )
    title = models.CharField("标题", max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    file_type = models.CharField("文件类型", max_length=8)
    encoding = models.CharField("编码", max_length=20, blank=True)
    size = models.PositiveIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)
    text = models.TextField("正文")
    doc_kind = models.CharField("文种", max_length=12, choices=DocKind.choices, default=DocKind.WORK_REPORT)
    plan_year = models.PositiveSmallIntegerField("计划年度", null=True, blank=True)
    review_year = models.PositiveSmallIntegerField("回顾年度", null=True, blank=True)
    sections = models.JSONField("章节", default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "报告"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "sha256"], name="uniq_report_per_org")]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """A commitment proposed by extraction, reviewed by an administrator."""

    # The words commitments share with targets, defined once (targets.vocabulary).
    Kind = vocabulary.Kind
    Relation = vocabulary.Relation
    Comparator = vocabulary.Comparator

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审核"
        ACCEPTED = "accepted", "已采纳"
        REJECTED = "rejected", "已驳回"

    report = models.ForeignKey(Report, verbose_name="报告", on_delete=models.CASCADE, related_name="commitments")
    quote = models.TextField("原文")
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    section = models.CharField("章节", max_length=300, blank=True)
    kind = models.CharField("类型", max_length=15, choices=Kind.choices)
    metric = models.CharField("指标", max_length=200, blank=True)
    value = models.FloatField("数值", null=True, blank=True)
    value_max = models.FloatField("上限", null=True, blank=True)
    value_text = models.CharField("数值原文", max_length=50, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    comparator = models.CharField("比较", max_length=8, choices=Comparator.choices, default=Comparator.EQ)
    relation = models.CharField("口径", max_length=10, choices=Relation.choices, blank=True)
    baseline = models.CharField("基数说明", max_length=100, blank=True)
    stretch_value = models.FloatField("力争值", null=True, blank=True)
    plan_year = models.PositiveSmallIntegerField("计划年度", null=True, blank=True)
    list_item = models.CharField("清单项", max_length=50, blank=True)
    confidence = models.FloatField("置信度", default=0.5)
    status = models.CharField("审核状态", max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    reject_reason = models.CharField("驳回理由", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "承诺事项"
        ordering = ["report", "start", "id"]

    def __str__(self) -> str:
        return self.metric or self.quote[:40]


class Achievement(models.Model):
    """A result reported in a review section (成效)."""

    report = models.ForeignKey(Report, verbose_name="报告", on_delete=models.CASCADE, related_name="achievements")
    quote = models.TextField("原文")
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    section = models.CharField("章节", max_length=300, blank=True)
    metric = models.CharField("指标", max_length=200, blank=True)
    value = models.FloatField("数值", null=True, blank=True)
    value_text = models.CharField("数值原文", max_length=50, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    relation = models.CharField("口径", max_length=10, blank=True)
    baseline = models.CharField("基数说明", max_length=100, blank=True)
    qualifier = models.CharField("限定", max_length=12, blank=True)
    as_of = models.CharField("截至", max_length=20, blank=True)
    is_forecast = models.BooleanField("预计数", default=False)
    completion_ratio = models.FloatField("完成率(%)", null=True, blank=True)
    implied_target = models.FloatField("隐含目标", null=True, blank=True)
    period_year = models.CharField("所属年度", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "成效"
        ordering = ["report", "start", "id"]

    def __str__(self) -> str:
        return self.metric or self.quote[:40]


class Reconciliation(models.Model):
    """Year-end check of one target figure against the review of its year (年终核对)."""

    class Verdict(models.TextChoices):
        MET = "met", "完成"
        PARTLY_MET = "partly_met", "基本完成"
        MISSED = "missed", "未完成"
        NO_EVIDENCE = "no_evidence", "无法核实"
        CONTRADICTED = "contradicted", "存在矛盾"

    target = models.ForeignKey(
        "targets.Target", verbose_name="目标任务", on_delete=models.CASCADE, related_name="reconciliations"
    )
    report = models.ForeignKey(
        Report, verbose_name="复核报告", on_delete=models.CASCADE, related_name="reconciliations"
    )
    achievement = models.ForeignKey(
        Achievement, verbose_name="匹配成效", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    year = models.PositiveSmallIntegerField("核对年度", db_index=True)
    proposed_verdict = models.CharField("建议结论", max_length=14, choices=Verdict.choices)
    verdict = models.CharField("核对结论", max_length=14, choices=Verdict.choices)
    ratio = models.FloatField("完成比例", null=True, blank=True)
    achieved_value = models.FloatField("实际值", null=True, blank=True)
    evidence_quote = models.TextField("证据原文", blank=True)
    details = models.JSONField("核对依据", default=dict, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    override_reason = models.CharField("改判理由", max_length=500, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年终核对"
        ordering = ["year", "target_id", "id"]
        constraints = [models.UniqueConstraint(fields=["target", "report"], name="uniq_reconciliation_target_report")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.get_verdict_display()}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_overridden(self) -> bool:
        return self.is_confirmed and self.verdict != self.proposed_verdict

    @property
    def reason(self) -> str:
        """Why the verdict was proposed, in words (rows from before reasons were stored: their `why`)."""
        details = self.details or {}
        return details.get("reason") or f"{self.get_proposed_verdict_display()}：{details.get('why') or '无说明'}"


class ReconciliationTerm(models.Model):
    """Editable words of the year-end matcher: synonyms, unit families and scope words (年终核对词表).

    Seeded by a data migration from `reports.reconciliation.vocabulary.DEFAULT_TERMS`; the engine reads all rows
    as one `Vocabulary` on every run, so an administrator's edit applies to the next 运行核对.
    """

    class Kind(models.TextChoices):
        SYNONYM = "synonym", "同义词"
        UNIT_FAMILY = "unit_family", "同类计量单位"
        SCOPE = "scope", "互斥范围词"
        TOPIC = "topic", "互斥段落主题词"

    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    name = models.CharField("名称", max_length=50)
    terms = models.TextField("词语", help_text="用顿号或逗号分隔；同义词的第一个为标准说法")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "年终核对词表"
        ordering = ["kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="uniq_reconciliation_term_kind_name")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"
