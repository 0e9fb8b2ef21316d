"""The malformed-upload corpus (badinput_cases.CASES, over 200 cases) against every endpoint that takes a file.

Each case must be answered 4xx with a Chinese message, leave every table of reports, targets and
notifications as it was, and leave no file in the evidence or media directories.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from badinput_cases import CASES, FILE_FIELD, REPORT_PAYLOADS, Case, Payload
from badinput_files import PNG, REPORT_TEXT
from badinput_state import files_under, snapshot
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY
from lxml import html as lxml_html

from reports.models import Report

HAN = re.compile(r"[\u4e00-\u9fff]")
REFUSED = {400, 413, 415}


def url(case: Case, target) -> str:
    return {
        "report_api": "/api/reports/",
        "report_page": "/reports/",
        "evidence_api": f"/api/targets/{target.pk}/evidence/",
        "progress_api": f"/api/targets/{target.pk}/progress/",
        "progress_page": f"/targets/{target.pk}/progress/",
        "comment_api": f"/api/targets/{target.pk}/comments/",
        "comment_page": f"/targets/{target.pk}/comment/",
        "signoff_api": f"/api/targets/{target.pk}/request-signoff/",
        "signoff_page": f"/targets/{target.pk}/request-signoff/",
    }[case.endpoint]


def form_fields(case: Case, org, target) -> dict:
    if case.endpoint.startswith("report"):
        return {"organisation": org.pk}
    if case.endpoint.startswith(("progress", "signoff")):
        return {"version": target.version, "note": "已完成，附验收材料"}
    if case.endpoint.startswith("comment"):
        return {"text": "补充现场照片"}
    return {}


def send(client, case: Case, org, target, tmp_path: Path):
    address, fields = url(case, target), form_fields(case, org, target)
    field = FILE_FIELD[case.endpoint]
    if case.shape == "file":
        content = case.payload.content(tmp_path)
        if isinstance(content, Path):  # large: streamed from a sparse file in tmp, never built in Python
            with content.open("rb") as handle:
                upload = SimpleUploadedFile(case.payload.name, b"", content_type=case.payload.content_type)
                upload.file, upload.size = handle, content.stat().st_size
                return client.post(address, {**fields, field: upload})
        upload = SimpleUploadedFile(case.payload.name, content, content_type=case.payload.content_type)
        return client.post(address, {**fields, field: upload})
    if case.shape == "missing-field":
        return client.post(address, fields)
    if case.shape == "empty-field":
        return client.post(address, {**fields, field: ""})
    if case.shape == "text-not-file":
        return client.post(address, {**fields, field: "这不是文件"})
    if case.shape == "json-body":
        return client.post(address, json.dumps({**fields, field: "5pWw5o2u"}), content_type="application/json")
    if case.shape == "text-plain-body":
        return client.post(address, "file=report.txt", content_type="text/plain")
    if case.shape == "garbage-multipart":  # a multipart body cut before its first part ends
        body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="a.txt"\r\n\r\n区级'
        return client.post(address, body.encode(), content_type=f"multipart/form-data;boundary={BOUNDARY}")
    raise AssertionError(case.shape)


def message_of(response) -> str:
    """The refusal as the user reads it: the API's error field, or the page's error elements."""
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return str(body.get("error") or body.get("detail") or body)
    page = lxml_html.fromstring(response.content.decode())
    nodes = page.xpath("//*[@role='alert'] | //ul[contains(@class, 'errorlist')] | //li[contains(@class, 'msg-error')]")
    return " ".join(node.text_content() for node in nodes)


def login_for(case: Case, client, ada, alice) -> None:
    client.force_login(ada if case.endpoint.startswith("report") else alice)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_upload_is_refused_and_changes_nothing(case, client, org, ada, alice, target, upload_dirs, tmp_path):
    login_for(case, client, ada, alice)
    before, version = snapshot(), target.version
    files_before = files_under(upload_dirs)
    started = time.perf_counter()

    response = send(client, case, org, target, tmp_path)

    elapsed = time.perf_counter() - started
    assert response.status_code in REFUSED, (response.status_code, response.content[:300])
    message = message_of(response)
    assert HAN.search(message), f"no Chinese message: {message!r}"
    assert snapshot() == before
    target.refresh_from_db()
    assert target.version == version
    assert files_under(upload_dirs) == files_before
    assert elapsed < 5, f"{case.id} took {elapsed:.1f} s"


def test_the_corpus_holds_at_least_200_distinct_cases():
    ids = [c.id for c in CASES]
    assert len(ids) >= 200 and len(set(ids)) == len(ids)


def test_bombs_are_refused_from_the_directory_not_by_inflating():
    """Zip bombs are refused from the central directory (well under 0.5 s; the 2 GB member alone would take
    seconds and 2 GB to inflate); the 1 GB PDF stream after inflating at most 200 MB, discarded as it goes."""
    from reports.documents import DocumentError, read_document

    for payload in REPORT_PAYLOADS:
        if "bomb" not in payload.id:
            continue
        data = payload.content(Path("."))
        started = time.perf_counter()
        with pytest.raises(DocumentError):
            read_document(payload.name, data)
        bound = 3.0 if payload.name.endswith(".pdf") else 0.5
        assert time.perf_counter() - started < bound, payload.id


VALID = {
    "report": Payload("valid-report", "工作报告.txt", lambda _tmp: REPORT_TEXT.encode()),
    "evidence": Payload("valid-png", "现场.png", lambda _tmp: PNG, "image/png"),
}


@pytest.mark.parametrize("endpoint", sorted(FILE_FIELD))
def test_the_same_request_with_a_valid_file_is_accepted(endpoint, client, org, ada, alice, target, tmp_path):
    """The control: each endpoint takes a good file sent the same way, so the refusals above are the payload's."""
    case = Case(f"{endpoint}:valid", endpoint, VALID["report" if endpoint.startswith("report") else "evidence"])
    login_for(case, client, ada, alice)
    response = send(client, case, org, target, tmp_path)
    assert response.status_code in (200, 201, 302), response.content[:300]
    if endpoint.startswith("report"):
        assert Report.objects.count() == 2  # the target's own report and this one
    else:
        assert target.evidence.count() == 1
