"""Input that is hostile but legitimate in form: accepted, stored inside its own directory, always shown escaped.

HTML/script in progress notes and comments, and file names with path traversal, markup, right-to-left
overrides or 300 characters, on files whose content is valid.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from badinput_files import PNG, REPORT_TEXT
from django.core.files.uploadedfile import SimpleUploadedFile

SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def assert_escaped(page: str) -> None:
    assert "<script>alert(" not in page and "<img src=x" not in page
    assert ESCAPED in page


@pytest.mark.parametrize("via", ["api", "page"])
def test_script_in_a_progress_note_is_stored_as_text_and_shown_escaped(via, client, alice, target):
    client.force_login(alice)
    note = f"完成 30%。{SCRIPT}"
    if via == "api":
        response = client.post(f"/api/targets/{target.pk}/progress/", {"version": target.version, "note": note})
        assert response.status_code == 201 and response["Content-Type"].startswith("application/json")
    else:
        response = client.post(f"/targets/{target.pk}/progress/", {"version": target.version, "note": note})
        assert response.status_code == 302
    assert target.updates.get().note == note  # kept as written: escaping is the page's job, not the database's
    assert_escaped(client.get(f"/targets/{target.pk}/").content.decode())


@pytest.mark.parametrize("via", ["api", "page"])
def test_script_in_a_comment_is_shown_escaped(via, client, alice, target):
    client.force_login(alice)
    path = f"/api/targets/{target.pk}/comments/" if via == "api" else f"/targets/{target.pk}/comment/"
    response = client.post(path, {"text": SCRIPT})
    assert response.status_code in (201, 302)
    assert_escaped(client.get(f"/targets/{target.pk}/").content.decode())


HOSTILE_NAMES = {
    "traversal": "../../../../tmp/evil.png",
    "windows-traversal": "..\\..\\evil.png",
    "markup": f"{SCRIPT}.png",
    "rtl-override": "photo\u202egnp.png",
    "very-long": "现" * 300 + ".png",
    "nul-byte": "photo\x00.png",
}


@pytest.mark.parametrize("name", list(HOSTILE_NAMES.values()), ids=list(HOSTILE_NAMES))
def test_evidence_with_a_hostile_name_stays_inside_the_evidence_root(name, client, alice, target, upload_dirs):
    client.force_login(alice)
    response = client.post(f"/api/targets/{target.pk}/evidence/", {"files": SimpleUploadedFile(name, PNG)})
    assert response.status_code == 201, response.content[:300]
    evidence = target.evidence.get()
    root = Path(upload_dirs[0]).resolve()
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(root) and stored.read_bytes() == PNG
    assert (
        len(evidence.original_name) <= 255
        and "/" not in evidence.original_name
        and "\x00" not in evidence.original_name
    )
    assert "<script>" not in client.get(f"/targets/{target.pk}/").content.decode()
    download = client.get(f"/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG


def test_report_named_with_markup_is_imported_and_listed_escaped(client, ada, org):
    client.force_login(ada)
    response = client.post(
        "/api/reports/", {"file": SimpleUploadedFile(f"{SCRIPT}.txt", REPORT_TEXT.encode()), "organisation": org.pk}
    )
    assert response.status_code == 201
    page = client.get("/reports/").content.decode()
    assert "<script>alert(" not in page
