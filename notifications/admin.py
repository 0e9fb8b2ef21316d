"""Admin: calendar entries, per-organisation reminder rules, preferences, and the log (read-only)."""

from __future__ import annotations

from django.contrib import admin, messages

from notifications import services, workdays
from notifications.models import CalendarDay, Notification, NotificationPreference, ReminderPolicy


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["note"]

    # Every process re-reads entries within a minute; this one at once.
    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        workdays.clear_cache()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        workdays.clear_cache()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        workdays.clear_cache()


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "days_before", "remind_on_day", "overdue_every", "escalate_after"]
    autocomplete_fields = ["organisation"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest", "reminders", "updated_at"]
    list_filter = ["digest", "reminders"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "email", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="立即重试所选的失败通知")
    def retry_now(self, request, queryset) -> None:
        count = services.notifications_retry_now(notification_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} 条通知将在下一轮投递中重试。", messages.SUCCESS)
