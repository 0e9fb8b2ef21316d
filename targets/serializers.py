"""DRF serializers for targets: shapes of input and output, no business rules."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.parsing import ApiIntegerField
from targets.health import HEALTH_LABELS, health_from_rank, target_health
from targets.models import Department, Evidence, Milestone, ProgressUpdate, Target, TargetEvent
from targets.selectors import MAX_ID


class NumberField(serializers.FloatField):
    """A figure: DRF's FloatField would take `true` as 1.0 and `false` as 0.0; a figure must be a number."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "organisation"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "expected_percent", "expected_value", "done_on"]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "created_at", "author", "value", "percent", "note", "corrects"]


class ProgressCreateSerializer(serializers.Serializer):
    value = NumberField(required=False, allow_null=True, min_value=0)
    percent = NumberField(required=False, allow_null=True, min_value=0, max_value=1000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = ApiIntegerField(
        required=False,
        label_zh="版本号",
        help_text="页面或上次读取时的任务版本号（也可用 If-Match 请求头）；版本已变化时返回 409",
    )
    corrects = ApiIntegerField(
        required=False, allow_null=True, min_value=1, label_zh="被更正的进展记录", help_text="被更正的进展记录 id"
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="佐证材料（multipart，可多个）"
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="数值明显异常（与目标值或上次填报相差数量级、累计值减少、增速超过 100%）时返回 400；"
        "核对无误后带 confirm=true 重新提交即保存",
    )


class TargetEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", read_only=True, default=None, allow_null=True)
    # A plain string keeps the schema's enum names free of a second "kind" choice set.
    kind = serializers.CharField(read_only=True, help_text="、".join(f"{k} {v}" for k, v in TargetEvent.Kind.choices))

    class Meta:
        model = TargetEvent
        fields = ["id", "created_at", "kind", "actor", "message", "before", "after"]


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="uploaded_by.get_username", read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "original_name", "content_type", "size", "uploaded_by", "uploaded_at", "update", "event", "url"]

    def get_url(self, evidence: Evidence) -> str:
        return reverse("evidence-download", args=[evidence.pk])


class TargetSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_id = serializers.IntegerField(read_only=True)
    lead_department = serializers.CharField(source="lead_department.name", read_only=True, default=None)
    lead_department_id = serializers.IntegerField(read_only=True)
    co_departments = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()
    health_label = serializers.SerializerMethodField()
    progress_percent = serializers.SerializerMethodField()
    lifecycle_label = serializers.CharField(source="get_lifecycle_display", read_only=True)
    report_id = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Target
        fields = [
            "id", "title", "metric", "kind", "organisation", "organisation_id", "lead_department",
            "lead_department_id", "co_departments", "plan_year", "due_date", "target_value", "target_value_max",
            "unit", "comparator", "relation", "baseline", "baseline_value", "stretch_value", "lifecycle",
            "lifecycle_label", "health", "health_label", "progress_percent", "version", "commitment", "report_id",
            "milestones", "created_at", "updated_at",
        ]  # fmt: skip

    def _health(self, target: Target) -> str | None:
        if not hasattr(target, "health"):
            if hasattr(target, "health_rank"):  # computed by the list's query
                target.health = health_from_rank(target.health_rank)
            else:
                target.health = target_health(target, on=self.context.get("today") or timezone.localdate())
        return target.health

    @extend_schema_field(serializers.ChoiceField(choices=list(HEALTH_LABELS), allow_null=True))
    def get_health(self, target: Target) -> str | None:
        return self._health(target)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_health_label(self, target: Target) -> str | None:
        return HEALTH_LABELS.get(self._health(target))

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_progress_percent(self, target: Target) -> float | None:
        return None if target.progress is None else round(target.progress, 2)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_report_id(self, target: Target) -> int | None:
        return target.commitment.report_id if target.commitment_id else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_co_departments(self, target: Target) -> list[str]:
        return [d.name for d in target.co_departments.all()]


_STAMP = serializers.DateTimeField()  # renders created_at/updated_at exactly as a declared field would


def _day(value):
    return None if value is None else value.isoformat()


def _float(value):
    return None if value is None else float(value)


class TargetListSerializer(TargetSerializer):
    """TargetSerializer's shape built by hand, for list pages: DRF's per-field machinery cost more than the
    queries of a 50-row page. The schema stays TargetSerializer's; a test checks both render the same."""

    def to_representation(self, target: Target) -> dict:
        health = self._health(target)
        progress = target.progress
        lead = target.lead_department
        return {
            "id": target.pk,
            "title": target.title,
            "metric": target.metric,
            "kind": target.kind,
            "organisation": target.organisation.name,
            "organisation_id": target.organisation_id,
            "lead_department": lead.name if lead is not None else None,
            "lead_department_id": target.lead_department_id,
            "co_departments": self.get_co_departments(target),
            "plan_year": target.plan_year,
            "due_date": _day(target.due_date),
            "target_value": _float(target.target_value),
            "target_value_max": _float(target.target_value_max),
            "unit": target.unit,
            "comparator": target.comparator,
            "relation": target.relation,
            "baseline": target.baseline,
            "baseline_value": _float(target.baseline_value),
            "stretch_value": _float(target.stretch_value),
            "lifecycle": target.lifecycle,
            "lifecycle_label": target.get_lifecycle_display(),
            "health": health,
            "health_label": HEALTH_LABELS.get(health),
            "progress_percent": None if progress is None else round(progress, 2),
            "version": target.version,
            "commitment": target.commitment_id,
            "report_id": self.get_report_id(target),
            "milestones": [
                {
                    "id": m.pk,
                    "title": m.title,
                    "due_date": _day(m.due_date),
                    "expected_percent": _float(m.expected_percent),
                    "expected_value": _float(m.expected_value),
                    "done_on": _day(m.done_on),
                }
                for m in target.milestones.all()
            ],
            "created_at": _STAMP.to_representation(target.created_at),
            "updated_at": _STAMP.to_representation(target.updated_at),
        }


class TargetDetailSerializer(TargetSerializer):
    quote = serializers.CharField(source="commitment.quote", read_only=True, default=None)
    updates = ProgressUpdateSerializer(many=True, read_only=True)
    events = TargetEventSerializer(many=True, read_only=True)

    class Meta(TargetSerializer.Meta):
        fields = [
            *TargetSerializer.Meta.fields,
            "requested_due_date",
            "escalated_at",
            "escalation_note",
            "quote",
            "updates",
            "events",
            "evidence",
        ]

    evidence = serializers.SerializerMethodField()

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, target: Target) -> list[dict]:
        return EvidenceSerializer(target.evidence.all(), many=True).data


# --- workflow actions (input shapes) -------------------------------------------------

VERSION_HELP = "读取时的任务版本号（也可用 If-Match 请求头传入 ETag）；版本已变化返回 409"


class VersionedInputSerializer(serializers.Serializer):
    version = ApiIntegerField(required=False, label_zh="版本号", help_text=VERSION_HELP)


class RequestExtensionSerializer(VersionedInputSerializer):
    new_due_date = serializers.DateField(help_text="申请延期至")
    note = serializers.CharField(max_length=500, help_text="延期理由")


class DecisionSerializer(VersionedInputSerializer):
    approve = serializers.BooleanField(help_text="true 批准；false 驳回（须填写 note 说明理由）")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ExtensionDecisionSerializer(DecisionSerializer):
    new_due_date = serializers.DateField(required=False, allow_null=True, help_text="批准时的新时限；缺省为申请的日期")


class FilesInputSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="佐证材料（multipart，可多个）"
    )


class RequestSignoffSerializer(VersionedInputSerializer, FilesInputSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CommentCreateSerializer(FilesInputSerializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EscalateSerializer(VersionedInputSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    escalate = serializers.BooleanField(required=False, default=True, help_text="false 解除督办升级")


class CancelSerializer(VersionedInputSerializer):
    note = serializers.CharField(max_length=500, help_text="取消理由")


class ReassignSerializer(VersionedInputSerializer):
    lead_department = ApiIntegerField(
        min_value=1, max_value=MAX_ID, label_zh="牵头单位", help_text="牵头单位（部门 id）"
    )
    co_departments = serializers.ListField(
        child=ApiIntegerField(min_value=1, max_value=MAX_ID, label_zh="责任单位"), required=False, default=list
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class MilestoneWriteSerializer(VersionedInputSerializer):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    expected_percent = NumberField(required=False, allow_null=True, min_value=0, max_value=100)
    expected_value = NumberField(required=False, allow_null=True)
    done_on = serializers.DateField(required=False, allow_null=True)


class MilestoneDoneSerializer(VersionedInputSerializer):
    done_on = serializers.DateField(required=False, allow_null=True)
