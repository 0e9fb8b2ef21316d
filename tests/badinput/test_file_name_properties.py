"""Property tests of the two parsers of uploaded file names: the report reader's extension check
(`reports.documents.read_document`) and the evidence storage's stored name (`EvidenceStorage.get_valid_name`).
Names are drawn from any text, with path separators, dots, NUL, right-to-left overrides and long Chinese runs
mixed in (the malformed-upload corpus in test_malformed_uploads.py sends a fixed list of such names end to end).
"""

from __future__ import annotations

import re

from django.core.exceptions import SuspiciousFileOperation
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.documents import DocumentError, read_document
from targets.evidence import MAX_STORED_NAME_BYTES, EvidenceStorage

PROPERTY = settings(max_examples=400, derandomize=True, database=None, deadline=None)
CJK = re.compile(r"[\u4e00-\u9fff]")
PIECES = st.sampled_from(["/", "\\", "..", ".", "\x00", "\u202e", " ", "报告", "佐证材料" * 30, "evil", ".exe", ".txt",
                          ".docx", ".pdf", ".png", ".PNG", "%2e%2e%2f", "\n"])  # fmt: skip
NAMES = st.one_of(st.text(max_size=60), st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=8).map("".join))


@PROPERTY
@given(NAMES)
def test_a_stored_evidence_name_is_one_short_safe_component(name):
    try:
        stored = EvidenceStorage().get_valid_name(name)
    except SuspiciousFileOperation:
        return  # nothing usable in it ("", ".", ".."): Django answers 400
    assert stored and stored not in {".", ".."}
    assert "/" not in stored and "\\" not in stored and "\x00" not in stored
    assert len(stored.encode()) <= MAX_STORED_NAME_BYTES


@PROPERTY
@given(NAMES)
def test_a_report_name_is_accepted_only_with_an_allowed_extension(name):
    try:
        read_document(name, b"2024\xe5\xb9\xb4", extensions=[".txt"])  # "2024年": a tiny UTF-8 text
    except DocumentError as error:
        assert CJK.search(error.message)
        return
    assert name.lower().endswith(".txt")
