"""One error shape for the whole API: `{"error": "<中文>"}`, plus `fields` when a form's fields are invalid.

Service errors become HTTP statuses here, once (`domain_response`): a stale version 409, a missing one 428,
a refused permission 403, a broken rule 400; API views just call services and let them raise. DRF's own errors
(not signed in, no permission, not found, bad page, unparsable body, filter errors), unknown `/api/` URLs and
unexpected exceptions (500) answer the same way, so a client reads one field and the OpenAPI schema documents
one shape.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.parsing import BadInteger

logger = logging.getLogger(__name__)


# The error shape for the schema (component `Error`): views declare it on their error responses.
class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="错误说明（中文）")
    fields = serializers.DictField(required=False, help_text="逐字段的校验错误")


def first_message(errors) -> str:
    """The first human message of DRF's error data (a string, or lists and dicts of them)."""
    if isinstance(errors, dict):
        errors = next(iter(errors.values()), "")
    if isinstance(errors, list | tuple):
        return first_message(errors[0]) if errors else ""
    return str(errors)


UNEXPECTED = "服务器内部错误，已记录，请稍后重试或联系管理员。"


class MissingVersion(Exception):
    """A write that carries no version at all (neither If-Match nor `version`)."""

    message = "缺少版本号：请在 If-Match 请求头或 version 字段中提供读取时的任务版本。"


def domain_response(exc) -> Response | None:
    """The HTTP answer to an error raised by a service (or the version check), None for any other exception."""
    from targets.services.errors import StaleVersionError

    if isinstance(exc, StaleVersionError):
        return Response({"error": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, MissingVersion):
        return Response({"error": MissingVersion.message}, status=status.HTTP_428_PRECONDITION_REQUIRED)
    if isinstance(exc, PermissionDenied):
        return Response({"error": str(exc) or "您没有权限执行该操作。"}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ValidationError):
        return Response({"error": "；".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    return None


def api_exception_handler(exc, context):
    domain = domain_response(exc)
    if domain is not None:
        return domain
    response = drf_exception_handler(exc, context)
    if response is None:
        return _unexpected(exc, context)
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"error": str(data["detail"])}
    else:
        response.data = {"error": first_message(data), "fields": data}
    return response


def _unexpected(exc, context):
    """What DRF leaves unhandled: a bad integer is the client's 400; a lost database is left to
    DatabaseUnavailableMiddleware (503); anything else is our bug, logged with its traceback, answered 500 in
    the API's shape (never a technical page, never Python's English message)."""
    if isinstance(exc, BadInteger):
        return Response({"error": exc.message}, status=400)
    if isinstance(exc, OperationalError | InterfaceError):
        return None
    request = context.get("request")
    logger.error("unexpected error in %s", getattr(request, "path", "?"), exc_info=exc)
    return Response({"error": UNEXPECTED}, status=500)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for a URL no route matches: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "接口不存在。"}, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)
