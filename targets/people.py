"""How people are named on pages and in emails: 姓名 with the department, never the login name when a name is known."""

from __future__ import annotations

from collections.abc import Iterable

from targets.models import Membership


def display_name(user) -> str:
    """王芳 (family name first, no space); the login name only when no name was entered."""
    if user is None:
        return "系统"
    name = f"{(user.last_name or '').strip()}{(user.first_name or '').strip()}"
    return name or user.get_username()


def person_labels(users: Iterable, *, organisation_id: int | None) -> dict[int, str]:
    """{user id: "王芳（经济发展办）"} in one query: the department of their membership in `organisation_id`
    (the role for supervisors and administrators), so a reader knows who answered for which office."""
    users = {u.pk: u for u in users if u is not None}
    memberships = Membership.objects.filter(user_id__in=users).select_related("department")
    if organisation_id is not None:
        memberships = memberships.filter(organisation_id=organisation_id)
    where: dict[int, str] = {}
    for membership in memberships:
        label = membership.department.name if membership.department_id else membership.get_role_display()
        where.setdefault(membership.user_id, label)
    labels = {}
    for pk, user in users.items():
        suffix = where.get(pk) or ("管理员" if user.is_superuser else "")
        labels[pk] = f"{display_name(user)}（{suffix}）" if suffix else display_name(user)
    return labels
