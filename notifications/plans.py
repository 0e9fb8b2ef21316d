"""What a sweep decided must go out: one `Planned` per message, before it becomes a Notification row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.urls import reverse


@dataclass
class Planned:
    kind: str
    recipient_id: int
    email: str
    period: str
    subject: str
    context: dict
    object_ref: str  # "milestone:12", "target:7", "digest"
    organisation_id: int | None = None
    target_id: int | None = None
    milestone_id: int | None = None
    extra: dict = field(default_factory=dict)
    # A grouped message (one per person and working day) lists the items it carries: their own keys.
    items: list[tuple[str, str, int | None]] = field(default_factory=list)  # (key, kind, target id)

    @property
    def key(self) -> str:
        """The idempotency key: (kind, recipient, object, period)."""
        return f"{self.kind}:{self.recipient_id}:{self.object_ref}:{self.period}"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


_TARGET_PATH: list[str] = []


def target_url(target_id: int) -> str:
    # reverse() once: 30,000 targets in a digest sweep would otherwise pay for it each time.
    if not _TARGET_PATH:
        _TARGET_PATH.append(reverse("target-detail", args=[987654321]))
    return site_url(_TARGET_PATH[0].replace("987654321", str(target_id)))


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def iso_week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"
