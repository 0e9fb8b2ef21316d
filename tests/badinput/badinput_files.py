"""Hostile files built in memory: real documents cut short, wrong magic, zip bombs, mixed encodings.

Nothing here is committed as a binary: every file is generated when a test asks for it, and the
expensive ones are built once per session (`functools.cache`). Zip bombs are genuine (their members
really inflate to what the directory declares) but cost little to build: a megabyte of zeros is
deflated once with a full flush, which makes its compressed form repeatable, and repeated.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "data" / "docs"

MB = 1024 * 1024
REPORT_TEXT = "2023年主要目标：区级税收增长15%。完成精品小区建设42万平方米。新建公园3个。\n"
NOTICE_TEXT = "关于召开职工运动会的通知\n各部门：定于下周举行运动会，请做好准备。\n"
SCRIPT_TEXT = "<script>alert('xss')</script><img src=x onerror=alert(1)>\n"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 57


def junk(size: int, seed: int) -> bytes:
    """Random bytes, the same on every run."""
    return random.Random(seed).randbytes(size)


# --- real documents ----------------------------------------------------------------------------


@functools.cache
def real_docx(text: str = REPORT_TEXT) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def real_pdf() -> bytes:
    return (DOCS / "mini_report.pdf").read_bytes()


def image_only_pdf() -> bytes:
    return (DOCS / "image_only.pdf").read_bytes()


def office_zip(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_with_document(xml: str | bytes) -> bytes:
    """A Word package whose main part is `xml` (the other parts are those of a real document)."""
    source = zipfile.ZipFile(io.BytesIO(real_docx()))
    members = {info.filename: source.read(info) for info in source.infolist()}
    members["word/document.xml"] = xml
    return office_zip(members)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
)
EMPTY_BODY = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'


def script_docx() -> bytes:
    return real_docx(SCRIPT_TEXT + NOTICE_TEXT)


# --- zip bombs -----------------------------------------------------------------------------------


@functools.cache
def _zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate data of `megabytes` MB of zeros, and its CRC-32."""
    zeros = bytes(MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, dictionary reset
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    return block * megabytes + compressor.flush(), crc


def raw_zip(entries: list[tuple[str, bytes, int, int, int]], *, overlap: int = 1) -> bytes:
    """A ZIP written by hand: (name, stored data, method, crc, uncompressed size) per member.

    `overlap` > 1 lists every member that many times in the central directory, all pointing at the same
    local data (the overlapping-entries bomb)."""
    local, central = io.BytesIO(), io.BytesIO()
    count = 0
    for name, data, method, crc, size in entries:
        offset = local.tell()
        encoded = name.encode()
        local.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(encoded), 0))
        local.write(encoded + data)
        for copy in range(overlap):
            alias = encoded if copy == 0 else f"{name}.{copy}".encode()
            central.write(
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02",
                    20,
                    20,
                    0,
                    method,
                    0,
                    0,
                    crc,
                    len(data),
                    size,
                    len(alias),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + alias
            )
            count += 1
    directory = central.getvalue()
    start = local.tell()
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(directory), start, 0)
    return local.getvalue() + directory + end


OFFICE_PARTS = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]


def _stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return (name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data))


def bomb_huge_member(megabytes: int = 2047) -> bytes:
    """word/document.xml inflates to about 2 GB of zeros from 2 MB."""
    data, crc = _zeros_deflated(megabytes)
    return raw_zip(
        [
            _stored("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", data, zipfile.ZIP_DEFLATED, crc, megabytes * MB),
        ]
    )


def bomb_ratio(megabytes: int = 8) -> bytes:
    """A member under every size cap but with a ratio of about 1000:1 (the shape of 42.zip's layers)."""
    data, crc = _zeros_deflated(megabytes)
    return raw_zip(
        [
            _stored("[Content_Types].xml", b"<Types/>"),
            ("word/media/image1.png", data, zipfile.ZIP_DEFLATED, crc, megabytes * MB),
            _stored("word/document.xml", b"<w:document/>"),
        ]
    )


def bomb_many_members(count: int = 5000) -> bytes:
    return raw_zip(
        [_stored(name, data) for name, data in OFFICE_PARTS]
        + [_stored(f"word/m{i}.xml", b"<a/>") for i in range(count)]
    )


def bomb_overlapping(copies: int = 250) -> bytes:
    """One 1 MB member listed `copies` times in the directory, all entries on the same 20 KB of data (Fifield's
    overlapping layout): 250 MB declared, each entry's ratio an ordinary 50:1, under the member cap."""
    plain = bytearray(MB)
    plain[::40] = junk(len(plain[::40]), 8)
    data = zlib.compress(bytes(plain), 9)[2:-4]  # raw deflate
    return raw_zip(
        [_stored(name, content) for name, content in OFFICE_PARTS]
        + [("word/media/z.bin", data, zipfile.ZIP_DEFLATED, zlib.crc32(plain), MB)],
        overlap=copies,
    )


@functools.cache
def bomb_nested(depth: int = 3, fan: int = 4) -> bytes:
    """42.zip in miniature: zips of zips, the innermost holding a 64 MB-of-zeros member."""
    data, crc = _zeros_deflated(64)
    layer = raw_zip([("0.bin", data, zipfile.ZIP_DEFLATED, crc, 64 * MB)])
    for _ in range(depth):
        layer = raw_zip([_stored(f"{i}.zip", layer) for i in range(fan)])
    return layer


def office_with_nested_zip() -> bytes:
    """A plausible Word package that carries a zip bomb as a member."""
    return raw_zip(
        [_stored(name, data) for name, data in OFFICE_PARTS] + [_stored("word/embeddings/x.zip", bomb_nested(1, 2))]
    )


def zip_lying_sizes() -> bytes:
    """The directory says 100 bytes; the member really inflates to 64 MB (zipfile stops at 100 and the CRC fails)."""
    data, crc = _zeros_deflated(64)
    return raw_zip(
        [
            _stored("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", data[: 64 * 1024], zipfile.ZIP_DEFLATED, crc, 100),
        ]
    )


def zip_hiding_entries(count: int = 20_000) -> bytes:
    """The end record claims 2 entries while the directory holds 20 000 (zipfile reads them all)."""
    data = bomb_many_members(count)
    end = data.rindex(b"PK\x05\x06")
    return data[: end + 8] + struct.pack("<2H", 2, 2) + data[end + 12 :]


def zip64_marker() -> bytes:
    """An end record that claims 0xFFFF entries (ZIP64): more than any document needs."""
    data = office_zip(dict(OFFICE_PARTS))
    end = data.rindex(b"PK\x05\x06")
    return data[: end + 8] + b"\xff\xff\xff\xff" + data[end + 12 :]


# --- PDF ---------------------------------------------------------------------------------------


def pdf_deflate_bomb(megabytes: int = 1024) -> bytes:
    """A PDF whose one FlateDecode content stream inflates to 1 GB of zeros."""
    raw, _ = _zeros_deflated(megabytes)
    stream = b"\x78\x9c" + raw  # a zlib header on the raw deflate data; its checksum is never reached
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(stream)}/Filter/FlateDecode>>stream\n".encode()
        + stream
        + b"\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


# --- text --------------------------------------------------------------------------------------


def mixed_utf8_gbk() -> bytes:
    half = len(REPORT_TEXT) // 2
    return (REPORT_TEXT[:half] * 20).encode("utf-8") + (REPORT_TEXT[half:] * 20).encode("gbk")


def big_file(tmp_dir: Path, size: int, name: str, head: bytes = b"") -> Path:
    """A file of `size` bytes made sparse (no 50 MB written from Python), starting with `head`."""
    path = tmp_dir / name
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path
