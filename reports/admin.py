"""Admin: reports with their commitments inline, commitments with review actions, achievements."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from reports import services
from reports.models import Achievement, Commitment, Report


class CommitmentInline(admin.TabularInline):
    model = Commitment
    fields = ["kind", "metric", "value_text", "value", "unit", "comparator", "relation", "plan_year", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "doc_kind", "plan_year", "review_year", "commitment_total", "created_at"]
    list_filter = ["organisation", "doc_kind", "plan_year"]
    search_fields = ["title", "original_name"]
    readonly_fields = ["sha256", "size", "encoding", "file_type", "original_name", "uploaded_by", "created_at", "links"]
    exclude = ["sections"]
    inlines = [CommitmentInline]
    list_select_related = ["organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(commitment_total=Count("commitments"))

    @admin.display(description="承诺事项", ordering="commitment_total")
    def commitment_total(self, report: Report) -> int:
        return report.commitment_total

    @admin.display(description="链接")
    def links(self, report: Report) -> str:
        if not report.pk:
            return "—"
        return format_html(
            '<a href="{}">审核页面</a> · <a href="{}?report__id__exact={}">承诺事项</a> · '
            '<a href="{}?report__id__exact={}">成效</a>',
            reverse("reports:detail", kwargs={"pk": report.pk}),
            reverse("admin:reports_commitment_changelist"),
            report.pk,
            reverse("admin:reports_achievement_changelist"),
            report.pk,
        )


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report", "kind", "value_text", "unit", "comparator", "relation", "plan_year", "status"]
    list_filter = ["status", "kind", "relation", "report"]
    search_fields = ["quote", "metric"]
    list_select_related = ["report"]
    readonly_fields = ["report", "quote", "start", "end", "status", "reject_reason", "reviewed_by", "reviewed_at"]
    actions = ["accept_selected", "reject_selected"]

    @admin.action(description="采纳所选承诺事项（按关键词建议牵头单位）")
    def accept_selected(self, request, queryset) -> None:
        done, problems = 0, []
        for commitment in queryset.select_related("report__organisation").filter(status=Commitment.Status.PROPOSED):
            try:
                services.commitment_accept(commitment=commitment, acting_user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                problems.append(f"{commitment}：{error}")
        self.message_user(request, f"已采纳 {done} 条。")
        for problem in problems:
            self.message_user(request, problem, level=messages.ERROR)

    @admin.action(description="驳回所选承诺事项（理由：管理后台批量驳回）")
    def reject_selected(self, request, queryset) -> None:
        done = 0
        for commitment in queryset.select_related("report__organisation").filter(status=Commitment.Status.PROPOSED):
            try:
                services.commitment_reject(commitment=commitment, acting_user=request.user, reason="管理后台批量驳回")
                done += 1
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{commitment}：{error}", level=messages.ERROR)
        self.message_user(request, f"已驳回 {done} 条。")


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report", "value_text", "unit", "as_of", "is_forecast", "completion_ratio"]
    list_filter = ["is_forecast", "report"]
    search_fields = ["quote", "metric"]
    list_select_related = ["report"]


from reports.reconciliation import admin as reconciliation_admin  # noqa: E402,F401  (registers Reconciliation)
