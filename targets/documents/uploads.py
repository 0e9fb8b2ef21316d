"""An uploaded ledger kept between the upload and the confirmation: a private file named by a random token,
remembered in the uploader's session (another user's token names nothing)."""

from __future__ import annotations

import secrets
from pathlib import Path, PurePath

from django.conf import settings

SESSION_KEY = "ledger_imports"


def _folder() -> Path:
    folder = Path(settings.EVIDENCE_ROOT) / "ledger-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep_upload(session, *, content: bytes, name: str, organisation_id: int) -> str:
    token = secrets.token_urlsafe(16)
    (_folder() / token).write_bytes(content)
    uploads = dict(session.get(SESSION_KEY, {}))
    uploads[token] = {"name": PurePath(name).name[:200], "organisation": organisation_id}
    session[SESSION_KEY] = uploads
    return token


def read_upload(session, token: str) -> tuple[bytes, str, int] | None:
    entry = session.get(SESSION_KEY, {}).get(token)
    path = _folder() / token
    if entry is None or not path.is_file():
        return None
    return path.read_bytes(), entry["name"], entry["organisation"]


def drop_upload(session, token: str) -> None:
    uploads = dict(session.get(SESSION_KEY, {}))
    uploads.pop(token, None)
    session[SESSION_KEY] = uploads
    (_folder() / token).unlink(missing_ok=True)
