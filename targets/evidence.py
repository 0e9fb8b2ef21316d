"""Evidence files: where they are stored and which uploads are accepted.

Limits come from settings, read when used so tests and deployments can change them:
- `EVIDENCE_MAX_BYTES` (default 10 MB per file),
- `EVIDENCE_EXTENSIONS` (default images, PDF and office documents),
- `EVIDENCE_ROOT` (default `var/evidence`, outside MEDIA_ROOT: files are served by a view that checks permission).

An upload must pass both the extension check and a look at its first bytes:
a `.pdf` that is really an executable is refused. Office files (ZIP) are judged from
their central directory, never inflated: a damaged archive or a zip bomb is refused
with the limits report import uses (`reports.documents.check_zip`, pure Python). A PDF
must end with %%EOF, so an upload cut short is refused rather than stored.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.deconstruct import deconstructible

from reports.documents import DocumentError, check_zip

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_EXTENSIONS = [
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".dps",
]  # fmt: skip

# Extension -> content family the first bytes must show.
FAMILIES = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".gif": "gif",
    ".webp": "webp",
    ".pdf": "pdf",
    ".doc": "ole",
    ".xls": "ole",
    ".ppt": "ole",
    ".wps": "ole",
    ".et": "ole",
    ".dps": "ole",
    ".docx": "ooxml:word/",
    ".xlsx": "ooxml:xl/",
    ".pptx": "ooxml:ppt/",
}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
IMAGE_FAMILIES = {"jpeg", "png", "gif", "webp"}
# Room left below the usual 255-byte file-name limit for the "_abc1234" Django adds when a name is taken.
MAX_STORED_NAME_BYTES = 200


def evidence_root() -> Path:
    return Path(getattr(settings, "EVIDENCE_ROOT", Path(settings.BASE_DIR) / "var" / "evidence"))


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_extensions() -> list[str]:
    return [
        e.lower() if e.startswith(".") else "." + e.lower()
        for e in getattr(settings, "EVIDENCE_EXTENSIONS", DEFAULT_EXTENSIONS)
    ]


@deconstructible
class EvidenceStorage(FileSystemStorage):
    """Private files: the location follows settings at every use and there is no public URL."""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(evidence_root())

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("佐证材料不通过公开地址提供，请使用下载视图。")

    def get_valid_name(self, name: str) -> str:
        """Django cuts names at 255 characters, but file systems count 255 bytes: a long Chinese name (85
        characters are 255 bytes in UTF-8) made the save fail with OSError. The original name stays on the row."""
        name = super().get_valid_name(name)
        stem, extension = os.path.splitext(name)
        extension = extension[:16]  # a real extension is short; "x.<100 Chinese characters>" is text after a dot
        while len((stem + extension).encode()) > MAX_STORED_NAME_BYTES and stem:
            stem = stem[:-1]
        return (stem or "file") + extension


def sniff(head: bytes, upload: UploadedFile | None = None) -> str | None:
    """The content family shown by a file's first bytes (and, for ZIP, its members; a damaged or bomb-like
    archive raises ValidationError)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04") and upload is not None:
        names = _zip_members(upload)
        for prefix in ("word/", "xl/", "ppt/"):
            if "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names):
                return "ooxml:" + prefix
    return None


def _zip_members(upload: UploadedFile) -> list[str]:
    """Member names from the central directory; a damaged or bomb-like archive raises ValidationError.

    Nothing is inflated: the same directory checks as report import (`reports.documents.check_zip`)."""
    try:
        return check_zip(upload)
    except DocumentError as error:
        raise ValidationError(f"文件“{upload.name}”：{error.message}", code="evidence_archive") from None


def _looks_complete(family: str, upload: UploadedFile) -> bool:
    """A PDF ends with %%EOF (readers tolerate up to 1 KB after it): without it, the upload was cut short."""
    if family != "pdf":
        return True
    upload.seek(max(0, upload.size - 1024))
    tail = upload.read()
    upload.seek(0)
    return b"%%EOF" in tail


def validate_evidence(upload: UploadedFile) -> str:
    """Check size, extension and content; return the content type to store. Raises ValidationError (Chinese)."""
    name = upload.name or ""
    extension = os.path.splitext(name)[1].lower()
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"文件“{name}”超过大小限制（最大 {limit / 1024 / 1024:g} MB）。", code="evidence_too_large"
        )
    if upload.size == 0:
        raise ValidationError(f"文件“{name}”是空文件。", code="evidence_empty")
    if extension not in allowed_extensions() or extension not in FAMILIES:
        raise ValidationError(f"文件“{name}”的类型不允许上传，仅支持图片、PDF 和办公文档。", code="evidence_extension")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    family = sniff(head, upload)
    if family != FAMILIES[extension]:
        raise ValidationError(f"文件“{name}”的内容与扩展名不符，已拒绝。", code="evidence_content")
    if not _looks_complete(family, upload):
        raise ValidationError(f"文件“{name}”不完整（可能上传中断或已损坏），请重新上传。", code="evidence_truncated")
    return CONTENT_TYPES.get(family) or CONTENT_TYPES.get(extension) or "application/octet-stream"


def is_inline(content_type: str) -> bool:
    """Images and PDF open in the browser; office documents download."""
    return content_type.startswith("image/") or content_type == "application/pdf"
