"""The malformed-upload corpus: every payload crossed with every endpoint that takes it.

A case is (endpoint, payload) or (endpoint, request shape). Payloads are functions of a temporary
directory so the large ones are written there (sparse) at run time, never committed.
Every case must be refused with a 4xx and a Chinese message, and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import badinput_files as f

REPORT_LIMIT = 20 * f.MB  # settings.REPORT_UPLOAD_MAX_BYTES default
EVIDENCE_LIMIT = 10 * f.MB  # settings.EVIDENCE_MAX_BYTES default

Content = Callable[[Path], "bytes | Path"]


@dataclass(frozen=True)
class Payload:
    id: str
    name: str
    content: Content
    content_type: str = "application/octet-stream"


def _b(data: bytes | Callable[[], bytes]) -> Content:
    return (lambda _tmp: data) if isinstance(data, bytes) else (lambda _tmp: data())


def _cut(make: Callable[[], bytes], keep: float | int) -> Content:
    def content(_tmp: Path) -> bytes:
        data = make()
        return data[: keep if isinstance(keep, int) else int(len(data) * keep)]

    return content


def _big(size: int, name: str, head: bytes = b"") -> Content:
    return lambda tmp: f.big_file(tmp, size, name, head)


def _text(text: str, encoding: str) -> Content:
    return _b(text.encode(encoding))


# --- report import (.txt, .docx, .pdf) ---------------------------------------------------------

REPORT_PAYLOADS = [
    # empty, blank and over the limit
    Payload("txt-0-byte", "report.txt", _b(b"")),
    Payload("docx-0-byte", "report.docx", _b(b"")),
    Payload("pdf-0-byte", "report.pdf", _b(b"")),
    Payload("txt-blank", "report.txt", _b(b" \r\n\t\n   \n")),
    Payload("txt-limit-plus-1", "report.txt", _big(REPORT_LIMIT + 1, "limit.txt", b"2023")),
    # 50 MB once per endpoint: each costs about a second, nearly all in the test client building the body.
    Payload("txt-50MB", "report.txt", _big(50 * f.MB, "fifty.txt", f.REPORT_TEXT.encode())),
    # text that is not text, or not in an encoding we read
    Payload("txt-nul-only", "report.txt", _b(b"\x00" * 4096)),
    Payload("txt-nul-sprinkled", "report.txt", _b(f.REPORT_TEXT.encode().replace("。".encode(), b"\x00\x00\x00"))),
    Payload("txt-control-chars", "report.txt", _b((f.REPORT_TEXT + "\x01\x02\x03\x04\x05\x06\x07\x08" * 20).encode())),
    Payload("txt-mixed-utf8-gbk", "report.txt", _b(f.mixed_utf8_gbk)),
    Payload("txt-utf16le-nobom-odd", "report.txt", _b(f.REPORT_TEXT.encode("utf-16-le")[:-1])),
    Payload("txt-utf16le-nobom-notice", "notice.txt", _text(f.NOTICE_TEXT, "utf-16-le")),
    Payload("txt-utf16be-nobom-notice", "notice.txt", _text(f.NOTICE_TEXT, "utf-16-be")),
    Payload("txt-utf8-bom-then-gbk", "report.txt", _b(b"\xef\xbb\xbf" + f.REPORT_TEXT.encode("gbk"))),
    Payload("txt-utf16-bom-odd", "report.txt", _b(b"\xff\xfe" + f.REPORT_TEXT.encode("utf-16-le")[:-1])),
    Payload(
        "txt-big5", "report.txt", _text("二零二三年主要目標：區級稅收增長百分之十五，完成精品小區建設。" * 10, "big5")
    ),
    Payload("txt-shift-jis", "report.txt", _text("令和五年の主な目標：税収を十五パーセント増やす。" * 10, "shift_jis")),
    Payload("txt-euc-kr", "report.txt", _text("2023년 주요 목표: 세수 15% 증가, 공원 3개 건설." * 10, "euc-kr")),
    Payload("txt-random-junk", "report.txt", _b(lambda: f.junk(64 * 1024, 1))),
    Payload("txt-is-png", "report.txt", _b(f.PNG + f.junk(2000, 2))),
    Payload("txt-is-exe", "report.txt", _b(f.EXE + f.junk(2000, 3))),
    Payload("txt-is-docx", "report.txt", _b(f.real_docx)),
    Payload("txt-is-pdf", "report.txt", _b(f.real_pdf)),
    Payload("txt-gbk-notice-no-targets", "notice.txt", _text(f.NOTICE_TEXT, "gbk")),
    Payload("txt-utf8-cut-notice", "notice.txt", _b(f.NOTICE_TEXT.encode()[:-2])),
    Payload("txt-html-script-no-targets", "notice.txt", _text(f.SCRIPT_TEXT * 5, "utf-8")),
    Payload("txt-one-long-line", "report.txt", _b(b"a" * (2 * f.MB))),
    Payload("txt-emoji-only", "report.txt", _text("😀🎉🚀" * 500, "utf-8")),
    # file names and extensions
    Payload("name-no-extension", "report", _text(f.REPORT_TEXT, "utf-8")),
    Payload("name-dot-only", ".txt", _text(f.REPORT_TEXT, "utf-8")),
    Payload("name-exe", "report.exe", _b(f.EXE)),
    Payload("name-double-extension", "report.txt.exe", _text(f.REPORT_TEXT, "utf-8")),
    Payload("name-rtl-spoof", "report\u202etxt.exe", _text(f.REPORT_TEXT, "utf-8")),
    Payload("name-traversal-exe", "../../evil.sh", _b(b"#!/bin/sh\nrm -rf /\n")),
    Payload("name-html", "report.html", _text("<html><script>alert(1)</script></html>", "utf-8"), "text/html"),
    Payload("name-doc-legacy", "report.doc", _b(f.OLE)),
    Payload("name-trailing-space", "report.txt ", _text(f.REPORT_TEXT, "utf-8")),
    Payload("name-long-exe", "报" * 300 + ".exe", _b(f.EXE)),
    # .docx: wrong magic, cut short, zip bombs, hostile XML
    Payload("docx-is-text", "report.docx", _text(f.REPORT_TEXT, "utf-8")),
    Payload("docx-is-png", "report.docx", _b(f.PNG + f.junk(500, 4))),
    Payload("docx-is-pdf", "report.docx", _b(f.real_pdf)),
    Payload("docx-is-ole-doc", "report.docx", _b(f.OLE)),
    Payload("docx-zip-head-only", "report.docx", _b(b"PK\x03\x04" + b"\x00" * 60)),
    Payload("docx-cut-10pct", "report.docx", _cut(f.real_docx, 0.1)),
    Payload("docx-cut-50pct", "report.docx", _cut(f.real_docx, 0.5)),
    Payload("docx-cut-end-record", "report.docx", _cut(f.real_docx, -10)),
    Payload("docx-zip-not-word", "report.docx", _b(lambda: f.office_zip({"hello.txt": "你好"}))),
    Payload("docx-bomb-2GB-member", "report.docx", _b(f.bomb_huge_member)),
    Payload("docx-bomb-ratio-1000", "report.docx", _b(f.bomb_ratio)),
    Payload("docx-bomb-5000-members", "report.docx", _b(f.bomb_many_members)),
    Payload("docx-bomb-overlapping", "report.docx", _b(f.bomb_overlapping)),
    Payload("docx-bomb-nested-42", "report.docx", _b(f.bomb_nested)),
    Payload("docx-bomb-embedded-zip", "report.docx", _b(f.office_with_nested_zip)),
    Payload("docx-zip-lying-sizes", "report.docx", _b(f.zip_lying_sizes)),
    Payload("docx-zip64-marker", "report.docx", _b(f.zip64_marker)),
    Payload("docx-zip-hiding-entries", "report.docx", _b(f.zip_hiding_entries)),
    Payload("docx-billion-laughs", "report.docx", _b(lambda: f.docx_with_document(f.BILLION_LAUGHS))),
    Payload("docx-external-entity", "report.docx", _b(lambda: f.docx_with_document(f.EXTERNAL_ENTITY))),
    Payload("docx-broken-xml", "report.docx", _b(lambda: f.docx_with_document("<w:document><w:body>"))),
    Payload("docx-empty-body", "report.docx", _b(lambda: f.docx_with_document(f.EMPTY_BODY))),
    Payload("docx-script-no-targets", "report.docx", _b(f.script_docx)),
    # .pdf: wrong magic, cut short, no text, deflate bomb
    Payload("pdf-is-png", "report.pdf", _b(f.PNG + f.junk(500, 5))),
    Payload("pdf-is-text", "report.pdf", _text(f.REPORT_TEXT, "utf-8")),
    Payload("pdf-is-docx", "report.pdf", _b(f.real_docx)),
    Payload("pdf-header-only", "report.pdf", _b(b"%PDF-1.4\n")),
    Payload("pdf-cut-1000-bytes", "report.pdf", _cut(f.real_pdf, 1000)),
    Payload("pdf-cut-50pct", "report.pdf", _cut(f.real_pdf, 0.5)),
    Payload("pdf-junk-after-header", "report.pdf", _b(lambda: b"%PDF-1.7\n" + f.junk(32 * 1024, 6))),
    Payload("pdf-image-only", "scan.pdf", _b(f.image_only_pdf)),
    Payload("pdf-deflate-bomb-1GB", "report.pdf", _b(f.pdf_deflate_bomb)),
    Payload("pdf-nul-bytes", "report.pdf", _b(b"%PDF-1.4\n" + b"\x00" * 8192)),
]

# --- evidence (images, PDF, office documents) --------------------------------------------------

EVIDENCE_PAYLOADS = [
    Payload("png-0-byte", "photo.png", _b(b"")),
    Payload("pdf-0-byte", "scan.pdf", _b(b"")),
    Payload("docx-0-byte", "plan.docx", _b(b"")),
    Payload("pdf-limit-plus-1", "scan.pdf", _big(EVIDENCE_LIMIT + 1, "limit.pdf", f.PDF)),
    Payload("pdf-50MB", "scan.pdf", _big(50 * f.MB, "fifty.pdf", f.PDF)),
    Payload("pdf-is-exe", "scan.pdf", _b(f.EXE), "application/pdf"),
    Payload("pdf-is-elf", "scan.pdf", _b(f.ELF), "application/pdf"),
    Payload("pdf-is-png", "scan.pdf", _b(f.PNG)),
    Payload("pdf-is-html", "scan.pdf", _text("<html><script>alert(1)</script></html>", "utf-8"), "application/pdf"),
    Payload("pdf-cut-no-eof", "scan.pdf", _cut(f.real_pdf, 0.5)),
    Payload("pdf-header-only", "scan.pdf", _b(b"%PDF-1.4\n")),
    Payload("pdf-nul-bytes", "scan.pdf", _b(b"\x00" * 4096)),
    Payload("png-is-jpeg", "photo.png", _b(f.JPEG), "image/png"),
    Payload("jpg-is-png", "photo.jpg", _b(f.PNG), "image/jpeg"),
    Payload("gif-is-text", "photo.gif", _text("GIF? 不是图片", "utf-8"), "image/gif"),
    Payload("png-is-junk", "photo.png", _b(lambda: f.junk(4096, 7)), "image/png"),
    Payload("docx-is-text", "plan.docx", _text(f.REPORT_TEXT, "utf-8")),
    Payload("docx-zip-head-only", "plan.docx", _b(b"PK\x03\x04" + b"\x00" * 60)),
    Payload("docx-cut-50pct", "plan.docx", _cut(f.real_docx, 0.5)),
    Payload("docx-zip-not-office", "plan.docx", _b(lambda: f.office_zip({"hello.txt": "你好"}))),
    Payload("xlsx-is-word", "sheet.xlsx", _b(f.real_docx)),
    Payload("docx-bomb-2GB-member", "plan.docx", _b(f.bomb_huge_member)),
    Payload("docx-bomb-ratio-1000", "plan.docx", _b(f.bomb_ratio)),
    Payload("docx-bomb-5000-members", "plan.docx", _b(f.bomb_many_members)),
    Payload("docx-bomb-overlapping", "plan.docx", _b(f.bomb_overlapping)),
    Payload("docx-zip-hiding-entries", "plan.docx", _b(f.zip_hiding_entries)),
    Payload("docx-bomb-embedded-zip", "plan.docx", _b(f.office_with_nested_zip)),
    Payload("xlsx-bomb-nested-42", "sheet.xlsx", _b(f.bomb_nested)),
    Payload("name-exe", "setup.exe", _b(f.EXE)),
    Payload("name-double-extension", "photo.png.exe", _b(f.EXE)),
    Payload("name-rtl-spoof", "photo\u202egnp.exe", _b(f.EXE)),
    Payload("name-svg-script", "logo.svg", _text('<svg onload="alert(1)"/>', "utf-8"), "image/svg+xml"),
    Payload("name-html", "page.html", _text("<script>alert(1)</script>", "utf-8"), "text/html"),
    Payload("name-no-extension", "photo", _b(f.PNG)),
    Payload("name-traversal-sh", "../../../etc/cron.d/evil.sh", _b(b"#!/bin/sh\n")),
    Payload("name-txt", "notes.txt", _text(f.REPORT_TEXT, "utf-8")),
]

REPORT_ENDPOINTS = ("report_api", "report_page")
EVIDENCE_ENDPOINTS = ("evidence_api", "progress_api", "progress_page")
# The other writes that take evidence go through the same validation: one payload of each kind of refusal.
OTHER_EVIDENCE_ENDPOINTS = ("comment_api", "comment_page", "signoff_api", "signoff_page")
OTHER_EVIDENCE_PAYLOADS = (
    "pdf-0-byte",
    "pdf-limit-plus-1",
    "pdf-is-exe",
    "pdf-cut-no-eof",
    "docx-cut-50pct",
    "docx-bomb-2GB-member",
    "docx-bomb-5000-members",
    "name-double-extension",
)
FILE_FIELD = {"report_api": "file", "report_page": "file"} | {
    e: "files" for e in EVIDENCE_ENDPOINTS + OTHER_EVIDENCE_ENDPOINTS
}

# Request shapes with no usable file: the field missing, sent empty, sent as text, or a body that is not multipart.
SHAPES = ("missing-field", "empty-field", "text-not-file", "json-body", "text-plain-body", "garbage-multipart")
SHAPE_ENDPOINTS = ("report_api", "report_page", "evidence_api")


@dataclass(frozen=True)
class Case:
    id: str
    endpoint: str
    payload: Payload | None = None
    shape: str = "file"


def all_cases() -> list[Case]:
    cases = [Case(f"{e}:{p.id}", e, p) for e in REPORT_ENDPOINTS for p in REPORT_PAYLOADS]
    cases += [Case(f"{e}:{p.id}", e, p) for e in EVIDENCE_ENDPOINTS for p in EVIDENCE_PAYLOADS]
    others = [p for p in EVIDENCE_PAYLOADS if p.id in OTHER_EVIDENCE_PAYLOADS]
    cases += [Case(f"{e}:{p.id}", e, p) for e in OTHER_EVIDENCE_ENDPOINTS for p in others]
    cases += [Case(f"{e}:{s}", e, shape=s) for e in SHAPE_ENDPOINTS for s in SHAPES]
    return cases


CASES = all_cases()
