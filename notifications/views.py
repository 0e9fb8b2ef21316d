"""Pages: notification preferences, one-click unsubscribe (signed token, no login), the notification log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from notifications import selectors, services
from notifications.emails import read_unsubscribe_token
from notifications.forms import LogFilterForm, PreferenceForm

UNSUBSCRIBE_LABELS = {"digest": "督办摘要邮件", "reminders": "节点提醒和逾期提醒", "all": "全部通知邮件"}


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = services.preference_for(request.user)
    form = PreferenceForm(
        request.POST or None, initial={"digest": preference.digest, "reminders": preference.reminders}
    )
    if request.method == "POST" and form.is_valid():
        services.preference_update(
            user=request.user, digest=form.cleaned_data["digest"], reminders=form.cleaned_data["reminders"]
        )
        messages.success(request, "通知设置已保存。")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# A mail client's one-click POST (RFC 8058) carries no CSRF token: the signed token is the credential.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link turns off (a link scanner must not unsubscribe anyone); POST does exactly that,
    whatever the form says. An expired, forged or orphaned link, or a deactivated account, gets a polite page."""
    try:
        user_id, what = read_unsubscribe_token(token)
    except signing.SignatureExpired:
        return render(request, "notifications/unsubscribe.html", {"expired": True}, status=400)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if not user.is_active:  # a deactivated account gets no mail at all (services._still_wanted): nothing to change
        return render(request, "notifications/unsubscribe.html", {"inactive": True})
    label = UNSUBSCRIBE_LABELS[what]
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"token": token, "what": what, "label": label})


@login_required
def log(request: HttpRequest) -> HttpResponse:
    if not selectors.can_read_log(request.user):
        raise PermissionDenied("只有督查人员和管理员可以查看通知记录。")
    form = LogFilterForm(request.GET or None)
    status = kind = None
    if form.is_valid():
        status = form.cleaned_data["status"] or None
        kind = form.cleaned_data["kind"] or None
    page = Paginator(selectors.notifications_for_log(user=request.user, status=status, kind=kind), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/log.html", {"form": form, "page": page})
