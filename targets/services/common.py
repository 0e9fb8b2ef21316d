"""What every service shares: the versioned UPDATE, the permission check, files, snapshots and the event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from targets import permissions
from targets.evidence import validate_evidence
from targets.models import Evidence, Target, TargetEvent
from targets.services.errors import StaleVersionError, TargetServiceError

CLOSED = permissions.CLOSED_STATES
PENDING = permissions.PENDING_STATES


MAX_FILES = 10


def bump_version(target: Target, expected_version: int, now: datetime, **fields) -> None:
    """The conditional UPDATE that makes concurrent form posts safe; refreshes `target` on success."""
    rows = Target.objects.filter(pk=target.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if rows != 1:
        raise StaleVersionError()
    for name, value in fields.items():
        setattr(target, name, value)
    target.version = expected_version + 1
    target.updated_at = now


def transition(user, name: str, target: Target) -> permissions.Transition:
    """The lifecycle table's check for a service: may `user` make transition `name` on `target` in its state?"""
    move = permissions.TRANSITIONS[name]
    require(user, move.action, target)
    if target.lifecycle not in move.sources:
        message, code = move.refusal(target.lifecycle)
        raise TargetServiceError(message, code=code)
    return move


def require(user, action: str, target: Target) -> None:
    if not permissions.can(user, action, target):
        raise PermissionDenied(permissions.DENIED[action])


def checked_files(files: Iterable) -> list:
    """Validate every file before anything is written, so a bad file leaves no trace."""
    files = [f for f in (files or ()) if f]
    if len(files) > MAX_FILES:
        raise TargetServiceError(f"一次最多上传 {MAX_FILES} 个文件。", code="too_many_files")
    for upload in files:
        try:
            upload.evidence_content_type = validate_evidence(upload)
        except ValidationError as error:
            raise TargetServiceError(error.messages[0], code=error.code) from error
    return files


def attach_files(target: Target, files: list, user, now: datetime, *, update=None, event=None) -> list[Evidence]:
    rows = []
    for upload in files:
        content_type = getattr(upload, "evidence_content_type", None) or validate_evidence(upload)
        evidence = Evidence(
            target=target,
            update=update,
            event=event,
            original_name=(upload.name or "file")[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
            uploaded_at=now,
        )
        evidence.file.save(upload.name, upload, save=False)
        evidence.save()
        rows.append(evidence)
    return rows


def snapshot(target: Target) -> dict:
    return {
        "title": target.title,
        "lifecycle": target.lifecycle,
        "due_date": target.due_date.isoformat() if target.due_date else None,
        "lead_department": target.lead_department.name if target.lead_department_id else None,
        "target_value": target.target_value,
        "unit": target.unit,
        "version": target.version,
        "escalated": target.escalated_at is not None,
    }


def record_event(target, actor, kind, message, *, before, after, at) -> TargetEvent:
    """Every service ends here, after its writes (and its `refresh_target_health`, when it changed a fact)."""
    return TargetEvent.objects.create(
        target=target, actor=actor, kind=kind, message=message[:500], before=before, after=after, created_at=at
    )


def plain(value):
    """A JSON-friendly form of a field value for the history."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def note_suffix(note: str) -> str:
    note = (note or "").strip()
    return f"：{note}" if note else ""
