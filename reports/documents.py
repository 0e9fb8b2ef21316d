"""Bytes in, text out: read an uploaded report (.txt, .docx, .pdf) into the text the user sees.

Pure Python (no Django): callers pass the size and type limits from settings.
The text returned is stored as is and extraction offsets index it, so the only
normalisation here is line endings (\\r\\n and \\r -> \\n) and a stripped BOM.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_EXTENSIONS = (".txt", ".docx", ".pdf")

# Simplified-Chinese text in GBK/GB18030 keeps almost all of its Han characters
# inside GB2312 (the 6763 common ones). Big5, Shift-JIS or EUC-KR bytes decoded
# as GB18030 "succeed" but land mostly on rare characters: that is how we tell.
_MIN_GB2312_SHARE = 0.9
# GB2312 alone does not tell EUC-KR or EUC-JP (same byte ranges) from GBK: their bytes
# decode to real but random Han characters. Chinese prose, by contrast, draws most of its
# characters from a few hundred frequent ones (government reports above all).
_FREQUENT_HAN = frozenset(
    "的业建和发区化展全进工实大力设加新推政动作一人务中生成民国城持市产会提强等社体保高项年理制改完地资经重增好"
    "治平面能施行合服目入开济造创为公要基不有升坚长深管点度心主现效快企在水用以上善续定法质稳优元代万府投机量程农"
    "共育家支方做到安规各步环落海性策活出对个三态场路事品标系域商文镇科境部群防学级更村金我革自精同领决亿积办结教"
    "技期总园运风集多就收统放老十向打二是障小际分护极居融关监促准党本导众下健五应构解内范色整型源调达通利任线综外"
    "供尔位战时立引道游抓转协旅计数四绿网划物断确题委扩与础求格口表信式得了台贸们控医费干营险严次拉局接特养乡问过"
    "功流第难消取专势联率及意依形组模把配助员间交责贯来房东均智预前"
    "这那他她你说着里没么看还去想样很把被从自己而且但因所如果已经时候今天年月日"
)
_MIN_FREQUENT_SHARE = 0.3
_FREQUENCY_CHECK_MIN_HAN = 40
# Control characters (other than tab/newline/form feed) mean binary data.
_MAX_CONTROL_SHARE = 0.001

# ZIP containers (.docx here, office evidence in targets.evidence), judged from the central directory before
# anything is inflated. Python's zipfile never inflates a member past the size its directory entry declares (it
# stops there and the CRC check fails), so bounding the declared sizes bounds what python-docx can inflate.
# A real Word file has tens of members, inflates to a few times its size and holds no archives.
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100  # per member, for members above ZIP_RATIO_FLOOR: XML compresses 5-20x, zeros 1000x
ZIP_RATIO_FLOOR = 1024 * 1024
_MAX_DIRECTORY_ENTRY = 46 + 300  # fixed part + a generous name/extra field: bounds the entries a directory holds
_NESTED_ARCHIVES = (".zip", ".gz", ".7z", ".rar", ".tar", ".bz2", ".xz")
# FlateDecode streams of a PDF inflate in pdfminer all at once: bound their total before pdfplumber opens it.
PDF_MAX_INFLATED = 200 * 1024 * 1024


class DocumentError(ValueError):
    """A document we cannot read; the message is Chinese and meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DecodedDocument:
    text: str
    encoding: str  # utf-8, utf-8-sig, gb18030, utf-16-le, utf-16-be; "" for docx/pdf
    file_type: str  # txt | docx | pdf


def read_document(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    extensions: Iterable[str] = DEFAULT_EXTENSIONS,
) -> DecodedDocument:
    """Decode an uploaded report; raise DocumentError with a Chinese message on bad input."""
    suffix = PurePath(filename or "").suffix.lower()
    allowed = tuple(e.lower() for e in extensions)
    if suffix not in allowed:
        names = "、".join(allowed)
        raise DocumentError(f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 {names} 格式的文件。")
    check_size(len(data), max_bytes=max_bytes)
    if not data.strip():
        raise DocumentError("文件为空，请选择包含报告正文的文件。")

    if suffix == ".txt":
        text, encoding = decode_text(data)
    elif suffix == ".docx":
        text, encoding = _read_docx(data), ""
    elif suffix == ".pdf":
        text, encoding = _read_pdf(data), ""
    else:  # an extension allowed by settings that we have no reader for
        raise DocumentError(f"暂不支持读取“{suffix}”文件。")

    text = normalise_newlines(text)
    if not text.strip():
        raise DocumentError("文件中没有可读取的文字内容。")
    return DecodedDocument(text=text, encoding=encoding, file_type=suffix.lstrip("."))


def check_size(size: int, *, max_bytes: int) -> None:
    if size > max_bytes:
        raise DocumentError(f"文件过大（{_megabytes(size)}），上限为 {_megabytes(max_bytes)}。")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- plain text ------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Detect the encoding of a text file: BOMs, UTF-16 by its NUL bytes, UTF-8, then GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(_strict(data[3:], "utf-8", "UTF-8"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return _checked(_strict(data[2:], codec, "UTF-16"), codec)
    if b"\x00" in data:
        # UTF-16 without BOM (ASCII, digits and newlines carry NUL bytes); otherwise binary.
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise DocumentError(_BINARY_MESSAGE)
        return utf16

    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and looks_like_chinese(text):
        return _checked(text, "gb18030")
    # A UTF-8 file cut mid-character or with a stray damaged byte: keep it, the damage shows as "\ufffd".
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    if damaged <= max(3, len(text) // 10000) and looks_like_chinese(text):
        return _checked(text, "utf-8")
    raise DocumentError(_unknown_encoding_message(data))


_BINARY_MESSAGE = (
    "文件内容不是文本（可能是图片、压缩包或其他二进制文件改了扩展名），请上传报告的文本、Word 或 PDF 文件。"
)


def _strict(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise DocumentError(f"文件开头标明为 {label} 编码，但内容无法按 {label} 解码，文件可能已损坏。") from None


def _checked(text: str, encoding: str) -> tuple[str, str]:
    if text:
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
        if controls / len(text) > _MAX_CONTROL_SHARE:
            raise DocumentError(_BINARY_MESSAGE)
    return text, encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Try both byte orders; keep the one that reads as text (Han, ASCII, punctuation)."""
    if len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausible_share(text)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None or best[0] < 0.9:
        return None
    return _checked(best[1], best[2])


def _plausible_share(text: str) -> float:
    if not text:
        return 0.0
    ok = sum(1 for ch in text if (ch.isascii() and (ch.isprintable() or ch in "\t\n\r")) or _is_cjk_text(ch))
    return ok / len(text)


def _is_cjk_text(ch: str) -> bool:
    code = ord(ch)
    return 0x3000 <= code <= 0x303F or 0x3400 <= code <= 0x9FFF or 0xFF00 <= code <= 0xFFEF or 0x2000 <= code <= 0x206F


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def looks_like_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 reads as Chinese rather than another encoding's bytes."""
    if _gb2312_share(text) < _MIN_GB2312_SHARE:
        return False
    han = _HAN.findall(text)
    kana = sum(1 for ch in text if "\u3040" <= ch <= "\u30ff")
    if kana > 0.05 * max(1, len(han)):
        return False  # Japanese kana in GB2312 rows 4-5: EUC-JP bytes
    if len(han) < _FREQUENCY_CHECK_MIN_HAN:
        return True
    return sum(1 for ch in han if ch in _FREQUENT_HAN) / len(han) >= _MIN_FREQUENT_SHARE


def _gb2312_share(text: str) -> float:
    """Share of the Han characters (and private-use junk) that are common GB2312 ones."""
    han = _HAN.findall(text)
    private = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff")
    total = len(han) + private
    if total == 0:
        # No Han characters at all: GB18030 double bytes that decode to symbols only are not a report.
        return 1.0 if all(ord(ch) < 0x80 for ch in text) else 0.0
    common = 0
    for ch in han:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / total


def _unknown_encoding_message(data: bytes) -> str:
    guess = _guess_encoding(data)
    detail = f"（看起来像 {guess}）" if guess else ""
    return f"无法识别文件编码{detail}。请将文件另存为 UTF-8 或 GBK（GB18030）编码的文本，或上传 Word/PDF 文件。"


def _guess_encoding(data: bytes) -> str:
    """Name the encoding for the message only; the decision above never relies on it."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with the app
        return ""
    best = from_bytes(data[:65536]).best()
    if best is None:
        return ""
    name = best.encoding.lower()
    if name in {"utf_8", "ascii", "gb18030", "gbk", "gb2312"}:
        return ""
    for prefix, label in _ENCODING_LABELS:
        if name.startswith(prefix):
            return label
    return name.upper().replace("_", "-")


_ENCODING_LABELS = (
    ("big5", "繁体中文 Big5"),
    ("cp950", "繁体中文 Big5"),
    ("shift_jis", "日文 Shift-JIS"),
    ("cp932", "日文 Shift-JIS"),
    ("euc_j", "日文 EUC-JP"),
    ("iso2022_jp", "日文 ISO-2022-JP"),
    ("euc_kr", "韩文 EUC-KR"),
    ("cp949", "韩文 EUC-KR"),
    ("utf_16", "UTF-16"),
)


# --- ZIP containers ---------------------------------------------------------

_DAMAGED_ZIP = "压缩文件已损坏或不完整，无法打开。"


def check_zip(file: IO[bytes]) -> list[str]:
    """Refuse a damaged or bomb-like ZIP from its directory alone; return the member names.

    Reads the end record and the central directory only (seek and read, never inflate), so a zip bomb of any size
    costs microseconds. Raises DocumentError with a Chinese message."""
    entries = _declared_entries(file)
    if entries is None:
        raise DocumentError(_DAMAGED_ZIP)
    if entries > ZIP_MAX_MEMBERS:  # checked before zipfile parses thousands of directory entries
        raise DocumentError(f"压缩文件内含 {entries} 个文件，超过上限 {ZIP_MAX_MEMBERS} 个，疑似恶意文件，已拒绝。")
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise DocumentError(_DAMAGED_ZIP) from None
    finally:
        file.seek(0)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > ZIP_RATIO_FLOOR and member.file_size > ZIP_MAX_RATIO * max(1, member.compress_size):
            raise DocumentError("压缩文件的压缩比异常（疑似“压缩炸弹”），已拒绝。")
        if member.filename.lower().endswith(_NESTED_ARCHIVES):
            raise DocumentError("文件内嵌套了压缩包，已拒绝。")
    if total > ZIP_MAX_UNCOMPRESSED:
        limit = _megabytes(ZIP_MAX_UNCOMPRESSED)
        raise DocumentError(f"压缩文件解压后过大（{_megabytes(total)}，上限 {limit}），疑似恶意文件，已拒绝。")
    return [member.filename for member in members]


def _declared_entries(file: IO[bytes]) -> int | None:
    """The entry count of the ZIP end record (None when there is none: not a ZIP, or cut short)."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(max(0, size - 22 - 65535))  # the end record is 22 bytes plus a comment of at most 64 KB
    tail = file.read()
    file.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    # ZIP64 keeps 0xFFFF here and the real count elsewhere: more than any document needs, refused as too many.
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    # zipfile reads the directory by its size, not by this count: a directory too large for the count it
    # claims hides more entries (each takes 46 bytes plus its name), so it counts as that many at least.
    directory_size = int.from_bytes(tail[at + 12 : at + 16], "little")
    return max(entries, directory_size // _MAX_DIRECTORY_ENTRY)


# --- Word ------------------------------------------------------------------


def _read_docx(data: bytes) -> str:
    if not data.startswith(b"PK\x03\x04") or _declared_entries(io.BytesIO(data)) is None:
        raise DocumentError(
            "文件不是有效的 Word（.docx）文档。如果是旧版 .doc 文件，请在 Word 中另存为 .docx 后再上传。"
        )
    check_zip(io.BytesIO(data))
    try:
        import docx
        from docx.oxml.ns import qn

        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises several types for a zip that is not a Word file
        raise DocumentError("无法打开该 Word（.docx）文档，文件可能已损坏或不是 Word 文档。") from None

    return "\n".join(_block_lines(document.element.body, qn))


def _block_lines(container, qn) -> list[str]:
    """Paragraphs and tables in document order, looking inside content controls (w:sdt) too."""
    lines: list[str] = []
    for block in container.iterchildren():
        if block.tag == qn("w:p"):
            lines.append(_paragraph_text(block))
        elif block.tag == qn("w:tbl"):
            lines.extend(_table_lines(block))
        elif block.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            lines.extend(_block_lines(block, qn))
    return lines


def _paragraph_text(p) -> str:
    from docx.oxml.ns import qn

    parts = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _table_lines(tbl) -> list[str]:
    """One line per table row, cells separated by tabs; merged cells appear once."""
    from docx.oxml.ns import qn

    lines = []
    for tr in tbl.iterchildren(qn("w:tr")):
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            if vmerge is not None and vmerge.get(qn("w:val")) != "restart":
                continue  # continuation of a vertically merged cell
            cell_lines: list[str] = []
            for child in tc.iterchildren():
                if child.tag == qn("w:p"):
                    cell_lines.append(_paragraph_text(child))
                elif child.tag == qn("w:tbl"):
                    cell_lines.extend(_table_lines(child))
            cells.append(" ".join(line for line in cell_lines if line.strip()))
        lines.append("\t".join(cells))
    return lines


# --- PDF -------------------------------------------------------------------


def _read_pdf(data: bytes) -> str:
    if not data.lstrip()[:5] == b"%PDF-":
        raise DocumentError("文件不是有效的 PDF 文档。")
    check_pdf_inflation(data)
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except DocumentError:
        raise
    except Exception:  # pdfminer raises many types for damaged or encrypted files
        raise DocumentError("无法读取该 PDF 文档，文件可能已损坏或已加密。") from None
    joined = "\n".join(pages)
    if pdf_text_is_garbled(joined):
        raise DocumentError(
            "该 PDF 的文字无法正确提取（字体缺少编码信息，只能读出乱码）。请上传 Word 或文本文件，或另存为新的 PDF。"
        )
    if not any(page.strip() for page in pages):
        raise DocumentError(
            "该 PDF 没有文字层（可能是扫描件或图片），无法提取文字。请上传带文字的 PDF、Word 或文本文件。"
        )
    return joined


_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_INFLATE_STEP = 1024 * 1024


def check_pdf_inflation(data: bytes, *, limit: int = PDF_MAX_INFLATED) -> None:
    """Refuse a PDF whose compressed streams inflate past `limit` in total (a deflate bomb).

    pdfminer inflates each stream in one call, so a 20 MB upload could ask for 20 GB. Here every stream that
    reads as zlib is inflated a megabyte at a time and thrown away, stopping as soon as the total passes `limit`."""
    left = limit
    for match in _PDF_STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        pending = data[match.end() : end if end >= 0 else len(data)]
        inflater = zlib.decompressobj()
        try:
            while pending and left >= 0:
                left -= len(inflater.decompress(pending, _INFLATE_STEP))
                pending = inflater.unconsumed_tail
        except zlib.error:
            continue  # not a FlateDecode stream (JPEG, raw): pdfminer does not inflate it
        if left < 0:
            raise DocumentError("PDF 中的压缩数据解压后异常巨大（疑似“压缩炸弹”），已拒绝。")


_CID = re.compile(r"\(cid:\d+\)")


def pdf_text_is_garbled(text: str) -> bool:
    """pdfminer writes "(cid:1234)" for glyphs it cannot map to characters (fonts without ToUnicode)."""
    cids = _CID.findall(text)
    if not cids:
        return False
    return sum(map(len, cids)) > 0.3 * len(text.strip())


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
