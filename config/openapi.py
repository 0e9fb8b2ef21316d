"""OpenAPI generation tweaks: the errors every operation can answer with, and empty filter values.

Checked by tests/api/test_schemathesis.py: every response the API gives must be in the schema.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

# config.api_errors.ErrorSerializer's component; the views that declare errors make it, the hook reuses it.
ERROR_COMPONENT = "Error"
EMPTY_VALUE = {"type": "string", "maxLength": 0, "description": "空值：不按此项筛选"}
# Any operation: 400 bad query or body, 403 not signed in or not allowed, 404 unknown id or page.
ALWAYS = {"400": "请求参数无效", "403": "未登录或无权限", "404": "不存在或无权查看"}
# Operations with a body: 413 a body larger than any upload needs (config/request_limits.py),
# 415 a content type the view does not parse.
WITH_BODY = {"413": "请求体过大", "415": "不支持的请求体类型"}


class AutoSchema(SpectacularAutoSchema):
    def _get_paginator(self):
        # Only GET lists are paginated here; a write that answers with a list returns it whole.
        return super()._get_paginator() if self.method == "GET" else None


def admit_empty_filter_values(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: an empty filter value (`?due_before=`, as an HTML form sends it) means
    "no filter"; say so, or a client reading the schema would think the request invalid.
    (`page=` is not a filter: it answers 404.)"""
    for operations in result.get("paths", {}).values():
        for parameter in operations.get("get", {}).get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter.get("in") != "query" or parameter.get("name") == "page" or "anyOf" in schema:
                continue
            if schema.get("type") == "string" and "enum" in schema:
                if "" not in schema["enum"]:
                    schema["enum"] = [*schema["enum"], ""]
            elif not (schema.get("type") == "string" and "format" not in schema):
                parameter["schema"] = {"anyOf": [schema, EMPTY_VALUE]}
    return result


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: declare the shared error responses each operation lacks."""
    if ERROR_COMPONENT not in result.get("components", {}).get("schemas", {}):
        raise ImproperlyConfigured("No view declares config.api_errors.ErrorSerializer: the schema has no Error.")
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            codes = {**ALWAYS, **(WITH_BODY if "requestBody" in operation else {})}
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result
