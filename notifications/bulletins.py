"""The monthly 督查通报 to each organisation's supervisors, as an attachment, recorded once per (supervisor,
organisation, month) under the notifications' unique key like the digests.

Due on the first working day of a month (the bulletin of the month before); beat runs the sweep hourly that day,
and every run after the first finds the keys taken. The document itself is drawn when the mail is sent
(`notifications.emails.bulletin_email`), from the month's figures as of its last day.
"""

from __future__ import annotations

from datetime import date, timedelta

from notifications.models import Notification, NotificationPreference
from notifications.plans import Planned, cn_date, site_url
from notifications.workdays import is_working_day
from targets.documents.periods import Period, previous_month
from targets.models import Membership, Target


def first_working_day_of_month(on: date) -> bool:
    if not is_working_day(on):
        return False
    day = on.replace(day=1)
    while day < on:
        if is_working_day(day):
            return False
        day += timedelta(days=1)
    return True


def bulletin_period(on: date) -> Period | None:
    """The month whose bulletin goes out on `on`, or None when none is due that day."""
    return previous_month(on) if first_working_day_of_month(on) else None


def bulletins_due(*, on: date) -> list[Planned]:
    period = bulletin_period(on)
    if period is None:
        return []
    memberships = (
        Membership.objects.filter(role=Membership.Role.SUPERVISOR, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__notification_preference__digest=NotificationPreference.Digest.NONE)
        .select_related("user", "organisation")
        .order_by("organisation_id", "user_id")
    )
    # Organisations with targets of the year, directly or through their towns (a district's own rows are few).
    with_targets = set(
        Target.objects.filter(plan_year=period.year).order_by().values_list("organisation_id", flat=True).distinct()
    )
    with_targets |= set(
        Target.objects.filter(plan_year=period.year, organisation__parent__isnull=False)
        .order_by()
        .values_list("organisation__parent_id", flat=True)
        .distinct()
    )
    planned = []
    for membership in memberships:
        organisation = membership.organisation
        if organisation.pk not in with_targets:
            continue
        user = membership.user
        subject = f"{organisation.name} {period.year} 年 {period.span_text}督查通报"
        planned.append(
            Planned(
                kind=Notification.Kind.BULLETIN,
                recipient_id=user.pk,
                email=user.email,
                period=period.key,
                subject=subject,
                context={
                    "template": "bulletin",
                    "organisation_id": organisation.pk,
                    "organisation": organisation.name,
                    "period": period.key,
                    "user_name": user.get_full_name() or user.get_username(),
                    "title": subject,
                    "as_of_cn": cn_date(period.last),
                    "board_link": site_url("/"),
                },
                object_ref=f"organisation:{organisation.pk}",
                organisation_id=organisation.pk,
            )
        )
    return planned


def bulletin_wanted(preference: NotificationPreference | None) -> bool:
    return preference is None or preference.digest != NotificationPreference.Digest.NONE
