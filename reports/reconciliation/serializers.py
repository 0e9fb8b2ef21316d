"""DRF serializers of the year-end reconciliation."""

from __future__ import annotations

from rest_framework import serializers

from config.parsing import ApiIntegerField
from reports.models import Reconciliation
from reports.reconciliation import selectors


class ReconciliationSerializer(serializers.ModelSerializer):
    target_title = serializers.CharField(source="target.title", read_only=True)
    metric = serializers.CharField(source="target.metric", read_only=True)
    relation = serializers.CharField(source="target.relation", read_only=True)
    unit = serializers.CharField(source="target.unit", read_only=True)
    comparator = serializers.CharField(source="target.comparator", read_only=True)
    target_value = serializers.FloatField(source="target.target_value", read_only=True, allow_null=True)
    organisation = serializers.IntegerField(source="target.organisation_id", read_only=True)
    department = serializers.SerializerMethodField()
    commitment_quote = serializers.SerializerMethodField()
    achievement_quote = serializers.CharField(source="evidence_quote", read_only=True)
    verdict_label = serializers.CharField(source="get_verdict_display", read_only=True)
    reason = serializers.SerializerMethodField(help_text="建议结论的理由：依据的原文、规则和计算")
    confirmed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "target",
            "target_title",
            "organisation",
            "department",
            "report",
            "achievement",
            "year",
            "metric",
            "relation",
            "unit",
            "comparator",
            "target_value",
            "achieved_value",
            "ratio",
            "proposed_verdict",
            "verdict",
            "verdict_label",
            "commitment_quote",
            "achievement_quote",
            "reason",
            "details",
            "confirmed_by",
            "confirmed_at",
            "override_reason",
        ]
        read_only_fields = fields

    def get_department(self, row: Reconciliation) -> str:
        return selectors.department_name(row)

    def get_reason(self, row: Reconciliation) -> str:
        return row.reason

    def get_commitment_quote(self, row: Reconciliation) -> str:
        return row.target.commitment.quote if row.target.commitment else row.target.title


class ReconciliationRunSerializer(serializers.Serializer):
    organisation = ApiIntegerField(min_value=1, label_zh="组织 ID", help_text="组织 ID")
    year = ApiIntegerField(min_value=1949, max_value=2100, label_zh="核对年度", help_text="核对年度")
    report = ApiIntegerField(
        required=False, min_value=1, label_zh="复核报告 ID", help_text="复核报告 ID（缺省为回顾该年度的最新报告）"
    )


class ReconciliationConfirmSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ReconciliationOverrideSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Reconciliation.Verdict.choices)
    reason = serializers.CharField(
        max_length=500, error_messages={"required": "改判必须填写理由。", "blank": "改判必须填写理由。"}
    )
