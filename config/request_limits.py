"""Refuse a request body larger than any upload could need (413), before Django reads a byte of it.

Django receives the whole multipart body (to a temporary file above FILE_UPLOAD_MAX_MEMORY_SIZE) before a
view can look at a file's size, and gunicorn sets no limit: without this, a 5 GB upload fills the disk of
the web machine before the form says "文件过大". The declared Content-Length is enough to decide: WSGI
never hands a view more than it (a chunked body without one reads as empty).

REQUEST_BODY_MAX_BYTES defaults to the largest legitimate request (ten evidence files at the evidence
limit, or one report) plus room for the form fields; the per-file limits still apply below it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

MB = 1024 * 1024


def body_limit() -> int:
    configured = getattr(settings, "REQUEST_BODY_MAX_BYTES", None)
    if configured:
        return int(configured)
    return max(settings.REPORT_UPLOAD_MAX_BYTES, 10 * settings.EVIDENCE_MAX_BYTES) + MB  # 10: services.MAX_FILES


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads a malformed length as an empty body too
        limit = body_limit()
        if declared > limit:
            message = f"提交的内容过大（{declared / MB:.1f} MB），上限为 {limit / MB:.0f} MB，请减少或压缩文件后重试。"
            if request.path.startswith("/api/"):
                return JsonResponse({"error": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
