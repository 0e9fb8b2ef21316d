"""Service errors: what the pages, the API and the admin turn into messages (Chinese) and HTTP statuses."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class StaleVersionError(Exception):
    """The target changed since the form was loaded; nothing was written."""

    message = "该任务已被他人更新，请刷新页面后重新填报。"

    def __str__(self) -> str:
        return self.message


class TargetServiceError(ValidationError):
    """A request that breaks a rule of the target workflow (message in Chinese)."""
