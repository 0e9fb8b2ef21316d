"""What the navigation needs on every page: which menus this person has, named as the pages they open."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from targets.models import Membership


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def menus() -> dict:
        roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        supervisor = user.is_superuser or bool(roles & {Membership.Role.SUPERVISOR, Membership.Role.ADMIN})
        admin = user.is_superuser or user.is_staff or Membership.Role.ADMIN in roles
        # The board is 督查看板 for those who supervise, 我的任务 for department staff: menu and page agree.
        return {"board": "督查看板" if supervisor else "我的任务", "supervisor": supervisor, "admin": admin}

    return {"nav": SimpleLazyObject(menus)}
