"""One error shape for the whole API: `{"error": "<中文>"}`, plus `fields` when a form's fields are invalid.

The API's own views already answer that way; this makes DRF's errors (not signed in, no permission,
not found, bad page, unparsable body, filter errors) and unknown `/api/` URLs answer the same way,
so a client reads one field and the OpenAPI schema documents one shape.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler


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


def api_exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"error": str(data["detail"])}
    else:
        response.data = {"error": first_message(data), "fields": data}
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for a URL no route matches: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "接口不存在。"}, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)
