"""A request body larger than any upload needs is refused with 413 before Django reads it."""

from __future__ import annotations

import time

import pytest
from badinput_files import PNG, REPORT_TEXT
from badinput_state import files_under, snapshot
from django.core.files.uploadedfile import SimpleUploadedFile

from config.request_limits import MB, body_limit


def test_the_default_limit_fits_ten_evidence_files_or_one_report(settings):
    assert body_limit() == 10 * settings.EVIDENCE_MAX_BYTES + MB
    assert body_limit() > settings.REPORT_UPLOAD_MAX_BYTES


@pytest.mark.parametrize(
    ("path", "json"), [("/api/targets/{pk}/evidence/", True), ("/targets/{pk}/progress/", False), ("/reports/", False)]
)
def test_a_declared_5_gb_body_is_refused_unread(path, json, client, alice, target, upload_dirs):
    client.force_login(alice)
    before, files_before = snapshot(), files_under(upload_dirs)
    started = time.perf_counter()
    response = client.post(
        path.format(pk=target.pk),
        {"version": target.version, "files": SimpleUploadedFile("a.png", PNG)},
        CONTENT_LENGTH=str(5 * 1024 * MB),  # what a client announces; the body itself is never read
    )
    assert response.status_code == 413
    message = response.json()["error"] if json else response.content.decode()
    assert "提交的内容过大（5120.0 MB）" in message
    assert time.perf_counter() - started < 1
    assert snapshot() == before and files_under(upload_dirs) == files_before


def test_the_limit_is_a_setting_and_a_body_under_it_reaches_the_view(settings, client, ada, org):
    settings.REQUEST_BODY_MAX_BYTES = 1 * MB
    client.force_login(ada)
    big = SimpleUploadedFile("report.txt", REPORT_TEXT.encode() + b"\n" * (2 * MB))
    response = client.post("/api/reports/", {"file": big, "organisation": org.pk})
    assert response.status_code == 413 and "上限为 1 MB" in response.json()["error"]
    small = SimpleUploadedFile("report.txt", REPORT_TEXT.encode())
    assert client.post("/api/reports/", {"file": small, "organisation": org.pk}).status_code == 201
