"""Admin for targets: every model registered; history rows are read-only."""

from __future__ import annotations

from django.contrib import admin

from targets.models import (
    Department,
    LeadDepartmentRule,
    Membership,
    Milestone,
    Organisation,
    ProgressUpdate,
    Target,
    TargetEvent,
)


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name"]
    inlines = [DepartmentInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]


@admin.register(LeadDepartmentRule)
class LeadDepartmentRuleAdmin(admin.ModelAdmin):
    list_display = ["keyword", "department_name", "priority"]
    list_editable = ["department_name", "priority"]
    search_fields = ["keyword", "department_name"]
    ordering = ["priority", "keyword"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "department", "role"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "organisation__name", "department__name"]
    autocomplete_fields = ["user", "organisation", "department"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_date", "expected_percent", "expected_value", "done_on"]


class ProgressUpdateInline(admin.TabularInline):
    """Append-only: shown for reference, added through the pages or the API."""

    model = ProgressUpdate
    fk_name = "target"
    extra = 0
    fields = ["created_at", "author", "value", "percent", "note", "corrects"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "lead_department", "plan_year", "due_date", "lifecycle", "version"]
    list_filter = ["lifecycle", "kind", "plan_year", "organisation", "relation"]
    search_fields = ["title", "metric", "commitment__quote", "lead_department__name"]
    date_hierarchy = "due_date"
    list_select_related = ["organisation", "lead_department"]
    autocomplete_fields = ["lead_department", "co_departments", "owner", "organisation"]
    raw_id_fields = ["commitment"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [MilestoneInline, ProgressUpdateInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "target", "due_date", "expected_percent", "expected_value", "done_on"]
    list_filter = ["due_date"]
    search_fields = ["title", "target__title"]
    raw_id_fields = ["target"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    """Read-only: a correction is a new update, never an edit."""

    list_display = ["target", "author", "created_at", "value", "percent"]
    list_filter = ["created_at"]
    search_fields = ["target__title", "author__username", "note"]
    list_select_related = ["target", "author"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TargetEvent)
class TargetEventAdmin(admin.ModelAdmin):
    list_display = ["target", "kind", "actor", "created_at", "message"]
    list_filter = ["kind", "created_at"]
    search_fields = ["target__title", "message", "actor__username"]
    list_select_related = ["target", "actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
