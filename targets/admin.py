"""Admin for targets: every model registered; history rows are read-only.

Administrators manage organisations, departments, people and their roles
(Membership inline on the user page). Edits to targets and milestones go
through the services, so each one writes a TargetEvent like the pages do;
nothing is deleted here: removing a milestone cancels it, a target is
cancelled from its page.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from targets import limits, services
from targets.models import (
    Department,
    Evidence,
    LeadDepartmentRule,
    Membership,
    Milestone,
    Organisation,
    ProgressUpdate,
    Target,
    TargetEvent,
)

User = get_user_model()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["organisation", "department", "role"]
    autocomplete_fields = ["organisation", "department"]


if admin.site.is_registered(User):
    admin.site.unregister(User)


class AppendOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services (history, evidence): nothing is added or deleted through the admin."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(AppendOnlyAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People and their roles: one Membership per organisation (staff belong to a department)."""

    inlines = [MembershipInline]
    list_display = ["username", "first_name", "email", "is_active", "is_staff", "roles"]

    @admin.display(description="角色")
    def roles(self, user) -> str:
        return "；".join(str(m) for m in user.memberships.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__organisation")


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
    """Saved through the services (see TargetAdmin.save_formset); the delete box cancels the node."""

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


class TargetAdminForm(forms.ModelForm):
    """A target added in the admin gets the bounds every service applies (a change goes through target_edit)."""

    class Meta:
        model = Target
        fields = "__all__"  # noqa: DJ007 (the admin's own field list decides what is shown)

    def clean(self):
        data = super().clean()
        try:
            limits.check_plan_year(data.get("plan_year"))
            if data.get("plan_year") and data.get("due_date"):
                limits.check_target_date(data["due_date"], plan_year=data["plan_year"], label="完成时限")
            for name in ("target_value", "target_value_max", "baseline_value", "stretch_value"):
                limits.check_figure(data.get(name), label=str(self.fields[name].label))
        except limits.OutOfBounds as error:
            raise forms.ValidationError(error.message) from None
        return data


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    form = TargetAdminForm
    list_display = ["title", "organisation", "lead_department", "plan_year", "due_date", "lifecycle", "version"]
    list_filter = ["lifecycle", "kind", "plan_year", "organisation", "relation"]
    search_fields = ["title", "metric", "commitment__quote", "lead_department__name"]
    date_hierarchy = "due_date"
    list_select_related = ["organisation", "lead_department"]
    autocomplete_fields = ["lead_department", "co_departments", "owner", "organisation"]
    raw_id_fields = ["commitment"]
    readonly_fields = [
        "version", "lifecycle", "requested_due_date", "escalated_at", "escalation_note", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [MilestoneInline, ProgressUpdateInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel a target from its page instead: the record stays

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            TargetEvent.objects.create(
                target=obj,
                actor=request.user,
                kind=TargetEvent.Kind.CREATED,
                message="在管理后台创建任务",
                after={"title": obj.title, "due_date": obj.due_date.isoformat()},
                created_at=timezone.now(),
            )
            return
        current = Target.objects.get(pk=obj.pk)
        names = [n for n in form.changed_data if n in services.EDITABLE_TARGET_FIELDS]
        co = form.cleaned_data.get("co_departments") if "co_departments" in form.changed_data else None
        _call(
            request,
            services.target_edit,
            target=current,
            acting_user=request.user,
            expected_version=current.version,
            changes={n: form.cleaned_data[n] for n in names},
            co_departments=list(co) if co is not None else None,
            note="管理后台",
        )
        obj.version = current.version

    def save_related(self, request, form, formsets, change) -> None:
        if not change:
            return super().save_related(request, form, formsets, change)
        # co_departments were set by target_edit (with its event); only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Milestone:
            return super().save_formset(request, form, formset, change)
        target = form.instance
        # What the admin's change message reads after a formset.save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            if not inline.has_changed() and not formset._should_delete_form(inline):
                continue
            version = Target.objects.values_list("version", flat=True).get(pk=target.pk)
            fresh = Target.objects.get(pk=target.pk)
            existing = inline.instance.pk is not None
            if existing and formset._should_delete_form(inline):
                milestone = Milestone.objects.get(pk=inline.instance.pk)
                formset.deleted_objects.append(milestone)
                _call(
                    request,
                    services.milestone_cancel,
                    milestone=milestone,
                    acting_user=request.user,
                    expected_version=version,
                    note="管理后台",
                )
            elif existing:
                milestone = Milestone.objects.select_related("target").get(pk=inline.instance.pk)
                milestone.target = fresh
                changes = {n: inline.cleaned_data[n] for n in inline.changed_data if n in services.MILESTONE_FIELDS}
                formset.changed_objects.append((milestone, list(changes)))
                _call(
                    request,
                    services.milestone_update,
                    milestone=milestone,
                    acting_user=request.user,
                    expected_version=version,
                    **changes,
                )
            elif not formset._should_delete_form(inline):
                data = inline.cleaned_data
                created = _call(
                    request,
                    services.milestone_create,
                    target=fresh,
                    acting_user=request.user,
                    expected_version=version,
                    title=data["title"],
                    due_date=data["due_date"],
                    expected_percent=data.get("expected_percent"),
                    expected_value=data.get("expected_value"),
                )
                if created is not None:
                    formset.new_objects.append(created)


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "target", "due_date", "expected_percent", "expected_value", "done_on"]
    list_filter = ["due_date"]
    search_fields = ["title", "target__title"]
    raw_id_fields = ["target"]

    def get_readonly_fields(self, request, obj=None):
        return ["target"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # removing a node cancels it (from the target's page or inline)

    def save_model(self, request, obj, form, change) -> None:
        target = Target.objects.get(pk=obj.target_id)
        if change:
            milestone = Milestone.objects.get(pk=obj.pk)
            milestone.target = target
            changes = {n: form.cleaned_data[n] for n in form.changed_data if n in services.MILESTONE_FIELDS}
            _call(
                request,
                services.milestone_update,
                milestone=milestone,
                acting_user=request.user,
                expected_version=target.version,
                **changes,
            )
        else:
            created = _call(
                request,
                services.milestone_create,
                target=target,
                acting_user=request.user,
                expected_version=target.version,
                title=obj.title,
                due_date=obj.due_date,
                expected_percent=obj.expected_percent,
                expected_value=obj.expected_value,
            )
            if created is None:
                raise PermissionDenied("未能新增时间节点。")
            obj.pk = created.pk


def _call(request, service, **kwargs):
    """Run a service from the admin; a refusal becomes an error message (nothing written), not a crash."""
    try:
        return service(**kwargs)
    except (PermissionDenied, ValidationError, services.StaleVersionError) as error:
        text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"未保存：{text or '您没有权限执行该操作。'}")
        return None


@admin.register(Evidence)
class EvidenceAdmin(AppendOnlyAdmin):
    """Read-only list; files are downloaded from the target's page (permission-checked)."""

    list_display = ["original_name", "target", "uploaded_by", "uploaded_at", "size", "content_type"]
    list_select_related = ["target", "uploaded_by"]
    search_fields = ["original_name", "target__title"]
    exclude = ["file"]  # never replaced here (it would skip the upload checks); downloaded through the view
    readonly_fields = ["target", "update", "event", "download", "original_name", "content_type", "size",
                       "uploaded_by", "uploaded_at"]  # fmt: skip

    @admin.display(description="文件")
    def download(self, evidence: Evidence) -> str:
        # Not the file field itself: its widget asks the private storage for a public URL, which it refuses.
        return format_html('<a href="{}">下载</a>', reverse("evidence-download", args=[evidence.pk]))


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    """Read-only: a correction is a new update, never an edit."""

    list_display = ["target", "author", "created_at", "value", "percent"]
    list_filter = ["created_at"]
    search_fields = ["target__title", "author__username", "note"]
    list_select_related = ["target", "author"]


@admin.register(TargetEvent)
class TargetEventAdmin(ReadOnlyAdmin):
    list_display = ["target", "kind", "actor", "created_at", "message"]
    list_filter = ["kind", "created_at"]
    search_fields = ["target__title", "message", "actor__username"]
    list_select_related = ["target", "actor"]
