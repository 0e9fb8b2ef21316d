"""One function per email over a shared `make_message` (subject, plain-text and HTML templates).

Templates live in `notifications/templates/notifications/<name>-subject.txt`,
`<name>-body.txt` and `<name>-body.html`. Every message carries an
unsubscribe link (signed token, no login) and the List-Unsubscribe headers,
and a Message-ID derived from the notification's idempotency key, so even a
resend after a crash at the worst moment is recognisably the same message.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
UNSUBSCRIBE_WHAT = ("digest", "reminders", "all")


def unsubscribe_token(user_id: int, what: str) -> str:
    return signing.dumps({"u": user_id, "w": what}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, what) of a token; raises signing.SignatureExpired when it is older than
    NOTIFICATIONS_LINK_MAX_AGE_DAYS, signing.BadSignature when it was not made by us."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=timedelta(days=settings.NOTIFICATIONS_LINK_MAX_AGE_DAYS))
    if not isinstance(data, dict) or data.get("w") not in UNSUBSCRIBE_WHAT or type(data.get("u")) is not int:
        raise signing.BadSignature("unknown unsubscribe kind")
    return data["u"], data["w"]


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(user_id: int, what: str) -> str:
    return _absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, what)]))


def render_subject(template: str, context: dict) -> str:
    subject = render_to_string(f"notifications/{template}-subject.txt", context)
    return " ".join(subject.split())[:200]


def make_message(
    template: str, to: str, context: dict, *, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """Render `<template>-subject.txt`, `-body.txt` and `-body.html` into one message to `to`."""
    context = {
        **context,
        "site_url": settings.SITE_URL.rstrip("/"),
        "board_url": _absolute(reverse("home")),
        "preferences_url": _absolute(reverse("notifications:preferences")),
    }
    message = EmailMultiAlternatives(
        subject=render_subject(template, context),
        body=render_to_string(f"notifications/{template}-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"notifications/{template}-body.html", context), "text/html")
    return message


def _headers(notification, unsubscribe: str) -> dict[str, str]:
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:32]
    domain = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "duban.local"
    return {
        "Message-ID": f"<{digest}@{domain}>",
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Duban-Notification": notification.key,
    }


def _message(template: str, notification, what: str) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(notification.recipient_id, what)
    context = {**notification.context, "unsubscribe_url": unsubscribe, "subject": notification.subject}
    return make_message(template, notification.email, context, headers=_headers(notification, unsubscribe))


def reminder_email(notification) -> EmailMultiAlternatives:
    """Before / on the day / overdue reminder of a milestone, to the owner and the lead department."""
    return _message("reminder", notification, "reminders")


def escalation_email(notification) -> EmailMultiAlternatives:
    """An overdue milestone reported to the organisation's supervisors."""
    return _message("escalation", notification, "reminders")


def digest_email(notification) -> EmailMultiAlternatives:
    """The weekly (or daily) digest."""
    return _message("digest", notification, "digest")


def bulletin_email(notification) -> EmailMultiAlternatives:
    """The monthly 督查通报, drawn at send time and attached as .docx."""
    from targets.documents.bulletin import bulletin_document
    from targets.documents.periods import parse_period
    from targets.models import Organisation

    message = _message("bulletin", notification, "digest")
    organisation = Organisation.objects.get(pk=notification.context["organisation_id"])
    name, content = bulletin_document(organisation=organisation, period=parse_period(notification.context["period"]))
    message.attach(name, content, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return message


def reminders_email(notification) -> EmailMultiAlternatives:
    """A person's reminders of one working day, every item with its state."""
    return _message("reminders", notification, "reminders")


def escalations_email(notification) -> EmailMultiAlternatives:
    """A supervisor's escalations of one working day, grouped by lead department."""
    return _message("escalations", notification, "reminders")


def email_for(notification) -> EmailMultiAlternatives:
    builders = {
        "reminder": reminder_email,
        "escalation": escalation_email,
        "reminders": reminders_email,
        "escalations": escalations_email,
        "digest": digest_email,
        "bulletin": bulletin_email,
    }
    return builders[notification.context.get("template", "reminder")](notification)
