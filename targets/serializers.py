"""DRF serializers for targets: shapes of input and output, no business rules."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from targets.health import HEALTH_LABELS, progress_percent, target_health
from targets.models import Department, Milestone, ProgressUpdate, Target, TargetEvent


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()


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
    value = serializers.FloatField(required=False, allow_null=True, min_value=0)
    percent = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = serializers.IntegerField(help_text="页面或上次读取时的任务版本号；版本已变化时返回 409")
    corrects = serializers.IntegerField(required=False, allow_null=True, help_text="被更正的进展记录 id")


class TargetEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", read_only=True, default=None)
    # A plain string keeps the schema's enum names free of a second "kind" choice set.
    kind = serializers.CharField(read_only=True, help_text="、".join(f"{k} {v}" for k, v in TargetEvent.Kind.choices))

    class Meta:
        model = TargetEvent
        fields = ["id", "created_at", "kind", "actor", "message", "before", "after"]


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
    report_id = serializers.IntegerField(source="commitment.report_id", read_only=True, default=None)
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
        value = progress_percent(target)
        return None if value is None else round(value, 2)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_co_departments(self, target: Target) -> list[str]:
        return [d.name for d in target.co_departments.all()]


class TargetDetailSerializer(TargetSerializer):
    quote = serializers.CharField(source="commitment.quote", read_only=True, default=None)
    updates = ProgressUpdateSerializer(many=True, read_only=True)
    events = TargetEventSerializer(many=True, read_only=True)

    class Meta(TargetSerializer.Meta):
        fields = [*TargetSerializer.Meta.fields, "quote", "updates", "events"]
