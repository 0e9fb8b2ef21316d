"""{{ user|person }}: a person's 姓名 (the login name only when no name was entered)."""

from __future__ import annotations

from django import template

from targets.people import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    return display_name(user)
