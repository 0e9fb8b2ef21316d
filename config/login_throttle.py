"""Login throttling (django-axes): the client's address, and the page a locked-out login gets.

The address trusts only the proxies we run. Each trusted proxy appends the address it received the request
from to X-Forwarded-For, so with N trusted proxies the client is the N-th entry from the right; anything
further left was written by the client and can be forged. With no trusted proxy (the default)
X-Forwarded-For is ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

from math import ceil

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # not sent through all our proxies: the last hop is the best we know
    return forwarded[-proxies]


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The login page again, with the lockout message and how long to wait, as 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    minutes = ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(request, "registration/login.html", {"locked_out": True, "cooloff_minutes": minutes}, status=429)
