"""Comments and evidence from anyone who can see a target."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from targets.models import Target, TargetEvent
from targets.services.common import attach_files, checked_files, record_event, transition
from targets.services.errors import TargetServiceError


@transaction.atomic
def target_comment(
    *, target: Target, acting_user, text: str = "", files: Iterable = (), at: datetime | None = None
) -> TargetEvent:
    """A comment, note or evidence from anyone who can see the target (co-departments included).

    A comment changes neither the figure nor the state, so it does not bump the
    version: a staff member's open progress form stays valid while others talk.
    """
    now = at or timezone.now()
    transition(acting_user, "comment", target)
    text = (text or "").strip()
    files = checked_files(files)
    if not text and not files:
        raise TargetServiceError("请填写评论内容或上传佐证材料。", code="empty")
    if len(text) > 2000:
        raise TargetServiceError("评论不能超过 2000 字。", code="too_long")
    event = record_event(
        target,
        acting_user,
        TargetEvent.Kind.COMMENT,
        text or "上传佐证材料",
        before=None,
        after={"text": text},
        at=now,
    )
    attached = attach_files(target, files, acting_user, now, event=event)
    if attached:
        event.after = {"text": text, "evidence": [e.original_name for e in attached]}
        event.save(update_fields=["after"])
    return event
