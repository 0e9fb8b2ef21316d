"""DRF serializers for reports, commitments and achievements: input validation and output shape only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from rest_framework import serializers

from config.parsing import ApiIntegerField
from reports.documents import DocumentError, check_size
from reports.models import Achievement, Commitment, Report
from reports.services import EDITABLE_FIELDS
from targets.models import Department, Organisation
from targets.serializers import NumberField


class ReportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="报告文件（.txt / .docx / .pdf）",
        error_messages={"required": "请选择要上传的文件。", "empty": "文件为空，请选择包含报告正文的文件。"},
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text="组织 id",
        error_messages={"required": "请选择组织。", "does_not_exist": "组织不存在。"},
    )
    year = ApiIntegerField(
        required=False,
        allow_null=True,
        min_value=1949,
        max_value=2100,
        label_zh="计划年度",
        help_text="计划年度（覆盖自动识别的年度）",
    )

    def validate_file(self, upload):
        # Refuse an oversized upload before reading it into memory.
        try:
            check_size(upload.size, max_bytes=settings.REPORT_UPLOAD_MAX_BYTES)
        except DocumentError as error:
            raise serializers.ValidationError(error.message) from None
        return upload


class ReportSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    commitment_count = serializers.IntegerField(read_only=True)
    proposed_count = serializers.IntegerField(read_only=True)
    accepted_count = serializers.IntegerField(read_only=True)
    rejected_count = serializers.IntegerField(read_only=True)
    achievement_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "title",
            "original_name",
            "file_type",
            "encoding",
            "size",
            "sha256",
            "doc_kind",
            "plan_year",
            "review_year",
            "created_at",
            "commitment_count",
            "proposed_count",
            "accepted_count",
            "rejected_count",
            "achievement_count",
        ]
        read_only_fields = fields


class ReportDetailSerializer(ReportSerializer):
    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "text", "sections"]
        read_only_fields = fields


class CommitmentSerializer(serializers.ModelSerializer):
    target_id = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # Declared so the schema keeps the blank choice (a read-only model field drops allow_blank).
    relation = serializers.ChoiceField(choices=Commitment.Relation.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "report",
            "quote",
            "start",
            "end",
            "section",
            "kind_display",
            *EDITABLE_FIELDS,
            "confidence",
            "status",
            "status_display",
            "reject_reason",
            "reviewed_by",
            "reviewed_at",
            "target_id",
        ]
        read_only_fields = fields

    def get_target_id(self, commitment: Commitment) -> int | None:
        target = getattr(commitment, "target", None) if commitment.status == Commitment.Status.ACCEPTED else None
        return target.pk if target is not None else None


class CommitmentUpdateSerializer(serializers.ModelSerializer):
    """The fields an administrator may correct; all optional (PATCH)."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.FloatField: NumberField}

    class Meta:
        model = Commitment
        fields = list(EDITABLE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in EDITABLE_FIELDS}


class CommitmentAcceptSerializer(serializers.Serializer):
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="牵头单位 id；不填则按关键词表自动建议",
        error_messages={"does_not_exist": "牵头单位不存在。"},
    )
    co_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False, help_text="责任单位 id 列表"
    )
    due_date = serializers.DateField(required=False, allow_null=True, help_text="完成时限；默认计划年度年底")


class CommitmentRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        help_text="驳回理由（必填）",
        error_messages={"required": "驳回时必须填写理由。", "blank": "驳回时必须填写理由。"},
    )


class AcceptedTargetSerializer(serializers.Serializer):
    target_id = serializers.IntegerField()
    commitment_id = serializers.IntegerField()


class AcceptAllResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    targets = AcceptedTargetSerializer(many=True)


class AchievementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Achievement
        fields = [
            "id",
            "report",
            "quote",
            "start",
            "end",
            "section",
            "metric",
            "value",
            "value_text",
            "unit",
            "relation",
            "baseline",
            "qualifier",
            "as_of",
            "is_forecast",
            "completion_ratio",
            "implied_target",
            "period_year",
        ]
        read_only_fields = fields
