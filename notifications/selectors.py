"""Read queries of notifications: the log page."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from notifications.models import Notification
from targets import permissions
from targets.models import Membership


def notifications_for_log(*, user, status: str | None = None, kind: str | None = None) -> QuerySet[Notification]:
    """Notifications of the organisations `user` supervises (or administers), newest first."""
    queryset = Notification.objects.select_related("recipient", "organisation", "target")
    if not user.is_superuser:
        organisations = permissions.organisations_with_role(user, Membership.Role.ADMIN, Membership.Role.SUPERVISOR)
        queryset = queryset.filter(
            Q(organisation__in=organisations) | Q(recipient__memberships__organisation__in=organisations)
        ).distinct()
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-created_at", "-id")


def can_read_log(user) -> bool:
    if user.is_superuser:
        return True
    return permissions.organisations_with_role(user, Membership.Role.ADMIN, Membership.Role.SUPERVISOR).exists()
