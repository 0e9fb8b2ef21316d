"""OpenAPI generation tweaks: every operation documents the errors it can answer with.

Checked by tests/api/test_schemathesis.py: every response the API gives must be in the schema.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

ERROR_COMPONENT = "ApiError"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "错误说明（中文）"},
        "fields": {"type": "object", "additionalProperties": True, "description": "逐字段的校验错误"},
    },
    "required": ["error"],
}
# Any operation: 400 bad query or body, 403 not signed in or not allowed, 404 unknown id or page.
ALWAYS = {"400": "请求参数无效", "403": "未登录或无权限", "404": "不存在或无权查看"}
# Operations with a body: 415 a content type the view does not parse.
WITH_BODY = {"415": "不支持的请求体类型"}


class AutoSchema(SpectacularAutoSchema):
    def _get_paginator(self):
        # Only GET lists are paginated here; a write that answers with a list returns it whole.
        return super()._get_paginator() if self.method == "GET" else None


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: declare the shared error responses each operation lacks."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
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
