"""Read queries of notifications: the log page."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification
from targets import permissions
from targets.models import Membership


def notifications_for_log(*, user, status: str | None = None, kind: str | None = None) -> QuerySet[Notification]:
    """Notifications about the organisations `user` supervises (or administers), newest first.

    Only the notification's own organisation counts, never the recipient's other memberships: a person in two
    towns gets reminders about both, and each town's log shows only its own (subjects name targets and counts).
    A digest that covers several organisations has none (`digests.py`) and is shown to superusers only."""
    queryset = Notification.objects.select_related("recipient", "organisation", "target")
    if not user.is_superuser:
        organisations = permissions.organisations_with_role(user, Membership.Role.ADMIN, Membership.Role.SUPERVISOR)
        queryset = queryset.filter(organisation__in=organisations)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-created_at", "-id")


def can_read_log(user) -> bool:
    if user.is_superuser:
        return True
    return permissions.organisations_with_role(user, Membership.Role.ADMIN, Membership.Role.SUPERVISOR).exists()
