"""Document structure: headings, their hierarchy, and whether each section reviews a past period or plans one.

Pure Python. Works on the original text (offsets index it unchanged) and copes with text converted from PDF:
blank lines everywhere, lines wrapped at a fixed width inside sentences, page-number lines, Word residue,
footnote lines dropped into the middle of a paragraph, and numbering that restarts inside a section
(002 reuses 一、 under "一、2022年工作回顾").

Heading kinds (`Section.kind`):
  "bare"     a short unnumbered line such as "2022 年主要工作回顾" or a plan's title
  "第一部分" "一、" "（一）" "1." "(1)"   numbered headings (第一章 and 第一篇 count as 第一部分)
  "lead"     a lead sentence opening a paragraph ("经济指标稳步回升。…"); the section is that paragraph
  "target"   the 主要预期目标 paragraph ("…主要预期目标是：…")
  "colon"    a short label ending in a colon ("2023年主要民生实事项目（15项）：…")
  "footnote" a footnote line ("² 2022 年 1-10 月 …"), placed under the section where its marker appears

`level` is the depth in the hierarchy (1 = top). Numbered headings nest by their numbering, not by a fixed
rank of marker types, so a restarted "一、" inside "一、" becomes a child.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["DocumentInfo", "Section", "describe_document", "section_at", "split_sections"]


@dataclass
class Section:
    start: int  # offset of the heading's first character in the original text
    end: int  # end of the section's last content character (before the next heading of the same or a higher level)
    level: int  # depth: 1 = top level
    heading: str  # normalised, shortened heading ("（一）经济运行情况稳中向好")
    path: str  # ancestors' headings and this one joined by " > "
    mode: str  # "review" | "plan" | "other"
    year: str | None  # "2022", "2017-2021", "2022-2026"
    kind: str = ""  # see the module docstring
    parent: int | None = None  # index of the parent in the list returned by split_sections
    full_heading: str = field(default="", repr=False)  # heading text up to its first full stop


@dataclass
class DocumentInfo:
    doc_kind: str  # "work_report" | "plan" | "other"
    review_year: int | None
    plan_year: int | None
    date: str | None  # ISO date of the report


# ---------------------------------------------------------------------------------------------------------------
# Lines

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "一二三四五六七八九十"
_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_BLANK = " \t\u3000\u00a0\ufeff"

_PAGE_RE = re.compile(r"^(?:[-—–－]\s*)?\d{1,3}(?:\s*[-—–－])?$|^第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?$")
_RESIDUE_RE = re.compile(r"^(?:带格式的|删除的|批注\s*\[)")
_FOOTNOTE_RE = re.compile(rf"^[{_SUPERSCRIPTS}]+")

_NUMBERED = [
    ("第一部分", re.compile(rf"^第([{_CN_NUM}]{{1,3}})(?:部分|章|篇)\s*[、，,：:]?")),
    ("一、", re.compile(rf"^([{_CN_NUM}]{{1,3}})\s*[、，,．.]")),
    ("（一）", re.compile(rf"^[（(]\s*([{_CN_NUM}]{{1,3}})\s*[)）]")),
    ("1.", re.compile(r"^(\d{1,2})\s*(?:[.．、](?:(?![\d.．])|(?=(?:19|20)\d\d\s*年))|\s(?=[\u4e00-\u9fff]))")),
    ("(1)", re.compile(r"^[（(](\d{1,2})[)）]")),
]
_TERMINAL = "。！？；;!?"
# str.endswith takes a tuple of suffixes: built once here, not per line
_TERMINAL_ENDS = tuple(_TERMINAL)
_PARAGRAPH_ENDS = tuple(_TERMINAL + '：:”"）)')
_SOFT_ENDS = tuple("。！？!?：:")
_MARKER_FIRST = frozenset(_CN_NUM + "第（(0123456789０１２３４５６７８９")
_CLAUSE_CUT = "，,。；;：:！？!?"
_BARE_KEYWORDS = re.compile(
    r"(工作回顾|工作总结|工作安排|总体安排|主要任务|工作任务|政府工作任务|目标任务|总体要求|政策取向|主要工作"
    r"|发展计划|工作计划|工作要点|工作建议|目标和任务|主要目标)$"
)
_TARGET_RE = re.compile(r"(?:主要(?:预期)?|预期)目标(?:任务)?(?:是|为)?\s*\**\s*[：:]")
_COLON_LABEL_RE = re.compile(r"^([^，,。；;：:、！？\n]{6,32})(?<!\d)[：:](?!\d)")
# A paragraph of a plan section that looks back first ("“十四五”时期，…这五年，…" before the 十五五 goals).
_RETRO_RE = re.compile(r"^(?:[“\"]?十[一二三四五六七八九]五[”\"]?时期|过去(?:的)?五年|这五年|五年来)(?=[，,])")
_LEAD_RE = re.compile(r"^([^，,。；;：:、！？!?\d０-９]{4,20})。(?=\S)")
_NOT_LABEL_RE = re.compile(r"各位代表|同志们|各位委员|^附件|单位$")


def _cn_to_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if not s or any(c not in _CN_DIGITS and c != "十" for c in s):
        return None
    if "十" not in s:
        return _CN_DIGITS[s] if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    t = _CN_DIGITS.get(tens, 0) if tens else 1
    o = _CN_DIGITS.get(ones, 0) if ones else 0
    return t * 10 + o


@dataclass
class _Line:
    start: int  # offset of the first non-blank character
    end: int  # offset after the last non-blank character
    text: str  # stripped
    kind: str  # "text" | "page" | "residue" | "footnote"
    para_start: bool = False


def _lines(text: str) -> tuple[list[_Line], int | None]:
    """Non-blank lines with their kind and paragraph starts, and the wrap width of the layout."""
    out: list[_Line] = []
    pos = 0
    blank = _BLANK + "\r"
    for raw in text.split("\n"):
        s = raw.strip(blank)
        if s:
            start = pos + len(raw) - len(raw.lstrip(blank))
            first = s[0]
            if len(s) <= 16 and _PAGE_RE.match(s):
                kind = "page"
            elif first in "带删批" and _RESIDUE_RE.match(s):
                kind = "residue"
            elif first in _SUPERSCRIPTS:
                kind = "footnote"
            else:
                kind = "text"
            out.append(_Line(start, start + len(s), s, kind))
        pos += len(raw) + 1
    _join_footnote_lines(out)
    width = _wrap_width(out)
    _mark_paragraph_starts(out, width)
    return out, width


def _join_footnote_lines(lines: list[_Line]) -> None:
    """A footnote wrapped over several lines: the lines up to its full stop belong to it (kind "footnote+")."""
    open_note = False
    budget = 0
    for ln in lines:
        if ln.kind == "footnote":
            open_note, budget = not ln.text.endswith(_TERMINAL_ENDS), 6
        elif open_note and ln.kind == "text" and budget > 0 and not _numbered(ln.text):
            ln.kind = "footnote+"
            budget -= 1
            open_note = not ln.text.endswith(_TERMINAL_ENDS)
        elif ln.kind == "text":
            open_note = False


def _wrap_width(lines: list[_Line]) -> int | None:
    """Width at which a PDF conversion wrapped lines, if most lines share roughly one length."""
    lengths = [len(ln.text) for ln in lines if ln.kind == "text"]
    if len(lengths) < 20:
        return None
    counts: dict[int, int] = {}
    for n in lengths:
        counts[n] = counts.get(n, 0) + 1
    mode = max(counts, key=counts.__getitem__)
    near = sum(c for n, c in counts.items() if abs(n - mode) <= 3)
    return mode if mode >= 15 and near >= 0.5 * len(lengths) else None


def _mark_paragraph_starts(lines: list[_Line], width: int | None) -> None:
    prev: _Line | None = None
    for ln in lines:
        if ln.kind != "text":
            continue
        if prev is None:
            ln.para_start = True
        else:
            ended = prev.text.rstrip("*").endswith(_PARAGRAPH_ENDS)
            if prev.text.rstrip("*")[-1:] in '”"）)':
                ended = prev.text.rstrip('*”"）)')[-1:] in _TERMINAL + "：:"
            full = width is not None and len(prev.text) >= width - 2
            ln.para_start = not full and (ended or _is_heading_shaped(prev) or _is_standalone(prev, width))
        prev = ln


def _is_standalone(ln: _Line, width: int | None) -> bool:
    """A short line without clause punctuation (a title or a bare heading): it ends its paragraph."""
    t = ln.text.strip("*")
    if not 4 <= len(t) <= 30 or (width is not None and len(t) >= width - 2):
        return False
    return not any(c in t for c in '，,。；;、“”"')


def _is_heading_shaped(ln: _Line) -> bool:
    """A short line without punctuation: a heading or a title, so whatever follows starts a paragraph."""
    t = ln.text.strip("*")
    if len(t) > 40 or t[:1] not in _MARKER_FIRST or any(c in t for c in "，,。；;"):
        return False
    return any(p.match(t) for _, p in _NUMBERED)


# ---------------------------------------------------------------------------------------------------------------
# Heading text


def _clean(s: str) -> str:
    return s.replace("*", "").strip(_BLANK)  # drops every run of asterisks, as re.sub(r"\*+", "", s) would


def _shorten(full: str, marker_len: int) -> str:
    head, body = full[:marker_len], full[marker_len:]
    cut = len(body)
    for i, c in enumerate(body):
        if c in _CLAUSE_CUT:
            cut = i
            break
    body = body[:cut].strip(_BLANK)
    if len(body) > 40:
        body = body[:40] + "…"
    return head + body


_HEADING_TAIL_RE = re.compile(r"^[\u4e00-\u9fff]{1,3}(?:。|$)")  # "性。" finishing "（一）经济发展彰显韧"


def _joined_heading(lines: list[_Line], i: int, width: int | None) -> str:
    """Heading text from line i up to its first full stop, joining wrapped continuation lines."""
    parts = [lines[i].text]
    j = i + 1
    while j < len(lines) and len(parts) < 4:
        joined = "".join(parts)
        if any(c in joined for c in "。！？；;"):
            break
        ln = lines[j]
        if ln.kind in ("page", "residue", "footnote", "footnote+"):
            j += 1
            continue
        if _numbered(ln.text) or (ln.para_start and not _HEADING_TAIL_RE.match(ln.text)):
            break
        last = lines[j - 1] if lines[j - 1].kind == "text" else lines[i]
        wrapped = width is not None and len(last.text) >= width - 2
        short_tail = len(ln.text) <= 20 and not any(c in ln.text for c in "，,。；;：:")
        if not (wrapped or short_tail or joined.endswith(("，", ",")) or _HEADING_TAIL_RE.match(ln.text)):
            break
        parts.append(ln.text)
        j += 1
    full = _clean("".join(parts))
    for k, c in enumerate(full):
        if c in "。！？；;":
            return full[:k]
    return full


def _numbered(s: str) -> tuple[str, int, int] | None:
    """(marker type, number, marker length) when the line starts with a heading number."""
    s = s.lstrip("*")
    if s[:1] not in _MARKER_FIRST:
        return None
    for kind, pat in _NUMBERED:
        m = pat.match(s)
        if m:
            n = _cn_to_int(m.group(1))
            if n is not None and 0 < n < 60:
                return kind, n, m.end()
    return None


# ---------------------------------------------------------------------------------------------------------------
# Mode and year

_REVIEW_WORDS = re.compile(r"回顾|总结|过去|一年来|五年来|取得的成绩|主要成绩|完成情况|执行情况|工作情况")
_PLAN_WORDS = re.compile(
    r"安排|任务|目标|建议|计划|要求|取向|打算|展望|部署|思路|今后|今年|明年|规划|重点工作|主要工作|要点"
)
_STRONG_WORDS = re.compile(r"回顾|总结|工作安排|总体安排|主要任务|工作任务|目标任务|预期目标")
_YEAR_RANGE_RE = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*(?:[-—–－~至到]|年至)\s*((?:19|20)\d{2})\s*年")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年(?!代)")
_FIVE_YEAR_PLAN_RE = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?")
_BODY_REVIEW_RE = re.compile(r"过去(?:的)?一年|一年来|五年来|过去五年|今年以来|回顾")
_BODY_PLAN_RE = re.compile(r"今年|明年|我们将|将重点|要坚持|主要预期目标")


def _heading_cue(full: str) -> tuple[str | None, str | None, bool]:
    """(mode, explicit year text, five-year span) from a heading."""
    t = _clean(full)
    mode = None
    if _REVIEW_WORDS.search(t):
        mode = "review"
    elif _PLAN_WORDS.search(t):
        mode = "plan"
    year = None
    m = _YEAR_RANGE_RE.search(t)
    if m:
        year = f"{m.group(1)}-{m.group(2)}"
    else:
        years = _YEAR_RE.findall(t)
        if years:
            year = years[-1] if mode == "review" else years[0]
        else:
            m5 = _FIVE_YEAR_PLAN_RE.search(t)
            if m5:
                first = 2006 + 5 * (_CN_DIGITS[m5.group(1)] - 1)
                year = f"{first}-{first + 4}"
    five = bool(re.search(r"五年|十[一二三四五六七八九]五", t)) and not _YEAR_RE.search(t) and "一年" not in t
    return mode, year, five


# ---------------------------------------------------------------------------------------------------------------
# Splitting


@dataclass
class _Open:
    index: int  # into the output list
    kind: str
    number: int


@lru_cache(maxsize=8)
def split_sections(text: str) -> list[Section]:
    """Every heading of the text as a flat list of sections in document order (parents before children).

    Cached per text (both extractors ask for it): treat the returned list as read-only."""
    lines, width = _lines(text)
    sections: list[Section] = []
    stack: list[_Open] = []
    footnotes: list[_Line] = []
    last_end = 0  # end of the last content line seen

    def close_to(depth: int, end: int) -> None:
        while len(stack) > depth:
            sections[stack.pop().index].end = end

    def push(ln: _Line, kind: str, number: int, full: str, heading: str) -> None:
        parent = stack[-1].index if stack else None
        level = len(stack) + 1
        path = heading if parent is None else f"{sections[parent].path} > {heading}"
        sections.append(Section(ln.start, ln.end, level, heading, path, "other", None, kind, parent, full))
        stack.append(_Open(len(sections) - 1, kind, number))

    pseudo = ("lead", "target", "colon", "retro")
    after_heading = False
    prev_text: _Line | None = None
    for i, ln in enumerate(lines):
        if ln.kind == "footnote":
            footnotes.append(_Line(ln.start, ln.end, ln.text, ln.kind))
            continue
        if ln.kind == "footnote+":
            if footnotes:
                footnotes[-1].end = ln.end
            continue
        if ln.kind != "text":
            continue
        boundary = last_end
        last_end = ln.end
        # a line after a sentence end may start a paragraph even when the line before was full width (wrapped
        # layouts); only the strongly worded detectors below (bare headings, targets, look-backs) accept that
        soft = prev_text is None or prev_text.text.rstrip('*”"').endswith(_SOFT_ENDS)
        prev_text = ln
        if after_heading:
            ln.para_start, after_heading = True, False
        num = _numbered(ln.text)
        if num:
            kind, n, mlen = num
            full = _joined_heading(lines, i, width)
            if _accept_numbered(stack, kind, n, ln, full, mlen):
                while stack and stack[-1].kind in pseudo:
                    close_to(len(stack) - 1, boundary)
                depth = _numbered_depth(stack, sections, kind, n)
                close_to(depth, boundary)
                push(ln, kind, n, full, _shorten(full, mlen))
                after_heading = "。" not in ln.text
                continue
        if ln.para_start and stack and stack[-1].kind in ("target", "colon", "retro"):
            close_to(len(stack) - 1, boundary)
        if not (ln.para_start or soft):
            continue
        t = _clean(ln.text)
        if _is_bare_heading(t, lines, i, width):
            close_to(0, boundary)
            push(ln, "bare", 0, t, _shorten(t, 0))
            after_heading = True
            continue
        m = _RETRO_RE.match(t)
        if m and stack and _heading_cue(sections[stack[0].index].full_heading)[0] == "plan":
            while stack and stack[-1].kind in pseudo:
                close_to(len(stack) - 1, boundary)
            push(ln, "retro", 0, m.group(0), re.sub(r"[“”\"]", "", m.group(0)))
            continue
        m = _TARGET_RE.search(_paragraph_head(lines, i, t))
        if m:
            prefix = t[: m.start()]
            label = re.sub(r"[是为：:\s*]+$", "", t[: m.end()])
            heading = label if not any(c in prefix for c in "，,。；;") and len(label) <= 32 else "主要预期目标"
            if heading == "主要预期目标" and "预期" not in m.group(0):
                heading = re.sub(r"[是为：:\s*]+$", "", m.group(0))
            while stack and stack[-1].kind in pseudo:
                close_to(len(stack) - 1, boundary)
            push(ln, "target", 0, t, heading)
            continue
        if not ln.para_start:
            continue
        m = _COLON_LABEL_RE.match(t)
        if m and not _NOT_LABEL_RE.search(m.group(1)) and len(t) > m.end() and _mostly_chinese(m.group(1)):
            while stack and stack[-1].kind in pseudo:
                close_to(len(stack) - 1, boundary)
            push(ln, "colon", 0, m.group(1), m.group(1).strip(_BLANK))
            continue
        m = _LEAD_RE.match(t)
        if m and stack:
            while stack[-1].kind in pseudo:  # a lead block runs to the next lead sentence or heading
                close_to(len(stack) - 1, boundary)
            push(ln, "lead", 0, m.group(1), m.group(1).strip(_BLANK))
            continue
    close_to(0, last_end)
    _trim_ends(text, sections)
    _place_footnotes(sections, footnotes)
    _assign_modes(text, sections)
    return sections


def _paragraph_head(lines: list[_Line], i: int, first: str, limit: int = 120) -> str:
    """The first characters of the paragraph starting at line i (wrapped lines joined)."""
    parts = [first]
    size = len(first)
    for j in range(i + 1, len(lines)):
        ln = lines[j]
        if size >= limit or ln.para_start:
            break
        if ln.kind == "text":
            parts.append(_clean(ln.text))
            size += len(parts[-1])
    return "".join(parts)[:limit]


def _accept_numbered(stack: list[_Open], kind: str, n: int, ln: _Line, full: str, mlen: int) -> bool:
    body = full[mlen:]
    if not body or len(body) > 120:
        return False
    if ln.text.rstrip().endswith(("；", ";")) and "。" not in ln.text:
        return False  # an item of an inline list wrapped to the start of a line
    if (re.match(r"\d", body) and not re.match(r"\d{4}\s*年", body)) or body[0] in "%％‰":
        return False  # a number that happens to follow a line break ("1.5" or "2、3 月")
    if n == 1:
        return ln.para_start or len(ln.text) <= 40
    return any(o.kind == kind and o.number == n - 1 for o in stack)


def _numbered_depth(stack: list[_Open], sections: list[Section], kind: str, n: int) -> int:
    """How many open sections stay open when a numbered heading (kind, n) arrives."""
    if n > 1:
        for d in range(len(stack) - 1, -1, -1):
            if stack[d].kind == kind and stack[d].number == n - 1:
                return d
    # A numbering starts: nested inside whatever is open, except that a title-like bare line is a sibling of
    # the top-level list ("长征镇 2022 年经济与社会发展计划" then "一、…") and a deeper-ranked open list closes.
    rank = [k for k, _ in _NUMBERED]
    depth = len(stack)
    while depth and stack[depth - 1].kind in rank and rank.index(stack[depth - 1].kind) > rank.index(kind):
        depth -= 1
    if depth == 1 and stack[0].kind == "bare" and kind in ("一、", "第一部分"):
        return 0
    same = [d for d in range(depth) if stack[d].kind == kind]
    if len(same) >= 2:
        return same[1]  # one restart level at most (002's 一、 inside 一、); a third list restarts that level
    return depth


def _mostly_chinese(s: str) -> bool:
    return sum("\u4e00" <= c <= "\u9fff" for c in s) * 2 >= len(s)


def _is_bare_heading(t: str, lines: list[_Line], i: int, width: int | None) -> bool:
    if len(t) > 30 or len(t) < 4 or any(c in t for c in "，,。；;：:！？《》"):
        return False
    if width is not None and len(t) >= width - 2:
        return False
    if not _BARE_KEYWORDS.search(t):
        return False
    nxt = next((lines[j] for j in range(i + 1, len(lines)) if lines[j].kind == "text"), None)
    return nxt is None or nxt.para_start


def _trim_ends(text: str, sections: list[Section]) -> None:
    for s in sections:
        e = s.end
        while e > s.start and text[e - 1] in _BLANK + "\n\r":
            e -= 1
        s.end = max(e, s.start)


def _place_footnotes(sections: list[Section], footnotes: list[_Line]) -> None:
    """Footnote lines become leaf sections under the section that holds them (one merge, linear)."""
    if not footnotes:
        return
    index = {id(s): k for k, s in enumerate(sections)}
    notes: list[Section] = []
    for ln in footnotes:
        host = section_at(sections, ln.start)
        marker = _FOOTNOTE_RE.match(ln.text).group(0)
        heading = f"脚注{marker}"
        path = f"{host.path} > {heading}" if host else heading
        level = host.level + 1 if host else 1
        parent = index[id(host)] if host is not None else None
        note = Section(ln.start, ln.end, level, heading, path, "other", None, "footnote", parent, ln.text)
        if host is not None and note.end > host.end:
            note.end = host.end  # a footnote is inside its host
        notes.append(note)
    old = list(sections)
    merged: list[Section] = []
    k = 0
    for note in notes:  # both lists are in document order; a note goes after sections starting at or before it
        while k < len(old) and old[k].start <= note.start:
            merged.append(old[k])
            k += 1
        merged.append(note)
    merged.extend(old[k:])
    new_index = {id(s): n for n, s in enumerate(merged)}
    for s in merged:
        if s.parent is not None:
            s.parent = new_index[id(old[s.parent])]
    sections[:] = merged


def _assign_modes(text: str, sections: list[Section]) -> None:
    info_date = _report_date(text)
    cues = [
        _heading_cue(s.full_heading) if s.kind not in ("lead", "colon", "footnote") else (None, None, False)
        for s in sections
    ]
    # explicit cues first
    for s, (mode, year, _) in zip(sections, cues, strict=True):
        if s.kind == "target":
            s.mode, s.year = "plan", year
        elif mode and (s.parent is None or (year and _STRONG_WORDS.search(s.full_heading))):
            s.mode, s.year = mode, year
    # top-level sections without a cue: look at the start of the body, else follow the previous top-level section
    prev_top: Section | None = None
    for s in sections:
        if s.parent is not None:
            continue
        if s.mode == "other":
            body = text[s.start : min(s.end, s.start + 200)]
            if _BODY_REVIEW_RE.search(body):
                s.mode = "review"
            elif _BODY_PLAN_RE.search(body):
                s.mode = "plan"
            elif prev_top is not None and prev_top.mode != "other":
                s.mode = prev_top.mode
                if s.year is None:
                    s.year = prev_top.year
        prev_top = s
    review_year, plan_year = _document_years(sections, info_date, text)
    for s, (_, _, five) in zip(sections, cues, strict=True):
        if s.parent is None and s.mode != "other" and s.year is None:
            s.year = _default_year(s.mode, five, review_year, plan_year)
    for s, (_, year, five) in zip(sections, cues, strict=True):  # parents come before children
        if s.parent is None:
            continue
        p = sections[s.parent]
        if s.kind == "retro":
            if year is None:
                year = _default_year("review", five or "五年" in s.heading, review_year, plan_year)
            if year and plan_year and _last_year(year) < plan_year:
                s.mode, s.year = "review", year
        if s.mode == "other":
            s.mode = p.mode
        if s.year is None:
            s.year = (
                p.year
                if s.mode == p.mode or p.mode == "other"
                else _default_year(s.mode, False, review_year, plan_year)
            )
        if s.mode != "other" and s.year is None:
            s.year = _default_year(s.mode, False, review_year, plan_year)


def _default_year(mode: str, five: bool, review_year: int | None, plan_year: int | None) -> str | None:
    if mode == "review" and review_year:
        return f"{review_year - 4}-{review_year}" if five else str(review_year)
    if mode == "plan" and plan_year:
        return f"{plan_year}-{plan_year + 4}" if five else str(plan_year)
    return None


def _last_year(y: str | None) -> int | None:
    return int(y[-4:]) if y else None


def _first_year(y: str | None) -> int | None:
    return int(y[:4]) if y else None


def _document_years(sections: list[Section], date: str | None, text: str) -> tuple[int | None, int | None]:
    tops = [s for s in sections if s.parent is None or s.kind == "target"]
    plan_year = next((int(s.year) for s in tops if s.mode == "plan" and s.year and len(s.year) == 4), None)
    if plan_year is None:
        m = _YEAR_RE.search(text[:600].replace(" ", "")) if "计划" in text[:600] else None
        if m and re.search(r"\d{4}年[^。\n]{0,20}计划", text[:600].replace(" ", "")):
            plan_year = int(m.group(1))
    review_year = next((_last_year(s.year) for s in tops if s.mode == "review" and s.year), None)
    if plan_year is None and review_year is not None:
        plan_year = review_year + 1
    if plan_year is None and date:
        y, mth = int(date[:4]), int(date[5:7])
        plan_year = y + 1 if mth >= 10 else y
    if review_year is None and plan_year is not None and any(s.mode == "review" for s in sections):
        review_year = plan_year - 1
    return review_year, plan_year


# ---------------------------------------------------------------------------------------------------------------
# Lookup and document description


_STARTS_CACHE: dict[int, tuple[list[Section], int, list[int]]] = {}


def _starts(sections: list[Section]) -> list[int]:
    cached = _STARTS_CACHE.get(id(sections))
    if cached is not None and cached[0] is sections and cached[1] == len(sections):
        return cached[2]
    starts = [s.start for s in sections]
    if len(_STARTS_CACHE) > 32:
        _STARTS_CACHE.clear()
    _STARTS_CACHE[id(sections)] = (sections, len(sections), starts)
    return starts


def section_at(sections: list[Section], offset: int) -> Section | None:
    """The deepest section whose [start, end] contains offset (O(log n) on a list from split_sections)."""
    if not sections:
        return None
    k = bisect_right(_starts(sections), offset) - 1
    while k >= 0:
        s = sections[k]
        if offset <= s.end:
            return s
        parent = s.parent
        if parent is None:
            return None  # top-level sections do not overlap: nothing earlier holds offset
        if not (0 <= parent < k and sections[parent].start <= s.start and sections[parent].level < s.level):
            break  # not split_sections' own list (filtered?): look through what remains
        k = parent
    for s in reversed(sections[: max(k, 0)]):
        if s.start <= offset <= s.end:
            return s
    return None


_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE_RE = re.compile(r"((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})")


_CN_DATE_RE = re.compile(
    r"([二〇○零一三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")


def _report_date(text: str) -> str | None:
    head = text[:800]
    m = _DATE_RE.search(head) or _ISO_DATE_RE.search(head)
    if not m:
        m = _CN_DATE_RE.search(head)  # 二〇二三年一月五日
        if not m:
            return None
        y, mo, d = int(m.group(1).translate(_CN_YEAR_DIGITS)), _cn_to_int(m.group(2)), _cn_to_int(m.group(3))
        if y < 1900 or mo is None or d is None or not (1 <= mo <= 12 and 1 <= d <= 31):
            return None
        return f"{y:04d}-{mo:02d}-{d:02d}"
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def describe_document(text: str, sections: list[Section] | None = None) -> DocumentInfo:
    """Kind of document, the year it reviews and the year it plans, and its date."""
    if sections is None:
        sections = split_sections(text)
    date = _report_date(text)
    head = re.sub(r"[\s\u3000]", "", text[:600])
    has_review = any(s.mode == "review" for s in sections)
    if "政府工作报告" in head or "工作报告" in head[:60]:
        kind = "work_report"
    elif re.search(r"计划|工作要点|规划纲要", head):
        kind = "plan"
    elif has_review:
        kind = "work_report"
    else:
        kind = "other"
    review_year, plan_year = _document_years(sections, date, text)
    if not has_review:
        review_year = None
    return DocumentInfo(kind, review_year, plan_year, date)
