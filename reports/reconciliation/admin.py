"""Admin of year-end reconciliation rows (read-mostly: decisions go through the review page or the API)."""

from __future__ import annotations

from django.contrib import admin

from reports.models import Reconciliation, ReconciliationTerm


@admin.register(Reconciliation)
class ReconciliationAdmin(admin.ModelAdmin):
    list_display = ["target", "year", "proposed_verdict", "verdict", "ratio", "confirmed_by", "confirmed_at"]
    list_filter = ["year", "verdict", "proposed_verdict", "target__organisation"]
    search_fields = ["target__title", "target__metric", "evidence_quote"]
    list_select_related = ["target", "confirmed_by"]
    readonly_fields = [
        "target",
        "report",
        "achievement",
        "year",
        "proposed_verdict",
        "ratio",
        "achieved_value",
        "evidence_quote",
        "details",
        "confirmed_by",
        "confirmed_at",
        "created_at",
        "updated_at",
    ]


@admin.register(ReconciliationTerm)
class ReconciliationTermAdmin(admin.ModelAdmin):
    """The matcher's words: edits apply to the next 运行核对 (no code change, like the lead-department rules)."""

    list_display = ["name", "kind", "terms", "note"]
    list_filter = ["kind"]
    search_fields = ["name", "terms"]
