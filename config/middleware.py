"""A lost or unavailable database answers 503 with a Chinese message instead of a 500 page.

When PostgreSQL restarts, fails over or refuses connections, whatever query the view runs raises
OperationalError or InterfaceError. The request cannot be served, but nothing is half written: every write the
services make is one transaction, which PostgreSQL rolls back when its connection dies. So the honest answer is
"try again shortly": 503 with Retry-After, JSON `{"error": …}` under /api/ (the API's one error shape), a plain
page for people. The page is a constant, not a template: rendering must not need the database (context
processors load the user).

Django drops the broken connection at the end of the request (errors_occurred), and CONN_HEALTH_CHECKS makes a
worker check its persistent connection before reusing it, so the worker serves again as soon as the database is
back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from config.parsing import BadInteger

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "数据库暂时无法访问，请稍后重试。如刚才提交过内容，请先刷新页面确认是否已保存。"
PAGE = f"""<!doctype html>
<html lang="zh-hans">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>服务暂时不可用 - 督办</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em">
<h1>服务暂时不可用</h1>
<p>{MESSAGE}</p>
<p><a href="">重新加载</a></p>
</body>
</html>
"""


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"error": MESSAGE}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn OperationalError/InterfaceError from a view (or its rendering) into a clean 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadInteger):  # a page's query parameter or field that is no whole number
            return bad_request_response(request, exception.message)
        if not isinstance(exception, OperationalError | InterfaceError):
            return None  # anything else is a bug: let Django answer 500 and report it
        # One line, no traceback: an outage would otherwise flood the log with identical stacks.
        logger.warning("database unavailable, answered 503: %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response(request)


def bad_request_response(request: HttpRequest, message: str) -> HttpResponse:
    """400 with a Chinese message: `{"error": …}` under /api/, the site's 400 page otherwise."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return render(request, "400.html", {"message": message}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database lost outside a view (a middleware saving the session after the view answered)
    is still an outage, not a bug: the same 503. Django calls this inside its `except`, so exc_info is set.
    A bug answers 500: `{"error": …}` under /api/, the site's 500 page (templates/500.html) otherwise."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        logger.warning("database unavailable, answered 503: %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response(request)
    if request.path_info.startswith("/api/"):
        from config.api_errors import UNEXPECTED

        return JsonResponse({"error": UNEXPECTED}, status=500, json_dumps_params={"ensure_ascii": False})
    return defaults.server_error(request)
