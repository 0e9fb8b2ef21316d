"""The workflow through the REST API: ETag / If-Match, decisions, comments, evidence, milestones, schema and docs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient
from targets_testdata import PDF, PNG, docx_bytes

from targets.models import Evidence, Milestone, Target


@pytest.fixture
def target(make_target, dept_econ, dept_finance):
    target = make_target(lead_department=dept_econ)
    target.co_departments.set([dept_finance])
    return target


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_detail_has_an_etag_and_if_match_guards_writes(target, alice):
    api = client_for(alice)
    response = api.get(f"/api/targets/{target.pk}/")
    tag = response["ETag"]
    assert tag == f'"{target.pk}-1"' and response.json()["version"] == 1
    assert api.get(f"/api/targets/{target.pk}/", HTTP_IF_NONE_MATCH=tag).status_code == 304

    ok = api.post(f"/api/targets/{target.pk}/progress/", {"value": 1000}, format="json", HTTP_IF_MATCH=tag)
    assert ok.status_code == 201 and ok["ETag"] == f'"{target.pk}-2"'
    stale = api.post(f"/api/targets/{target.pk}/progress/", {"value": 2000}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 409 and "已被他人更新" in stale.json()["error"]
    assert target.updates.count() == 1
    missing = api.post(f"/api/targets/{target.pk}/request-extension/", {"note": "x", "new_due_date": "2024-01-31"})
    assert missing.status_code == 428 and "版本" in missing.json()["error"]
    bad = api.post(f"/api/targets/{target.pk}/escalate/", {"note": "x"}, format="json", HTTP_IF_MATCH='"abc"')
    assert bad.status_code in (400, 403)


def test_extension_request_and_decisions(target, alice, sam):
    staff, supervisor = client_for(alice), client_for(sam)
    response = staff.post(
        f"/api/targets/{target.pk}/request-extension/",
        {"version": 1, "note": "拆迁滞后", "new_due_date": "2024-03-31"},
        format="json",
    )
    body = response.json()
    assert response.status_code == 200 and body["lifecycle"] == "extension_requested"
    assert body["requested_due_date"] == "2024-03-31" and response["ETag"] == f'"{target.pk}-2"'
    refused = supervisor.post(
        f"/api/targets/{target.pk}/decide-extension/", {"version": 2, "approve": False}, format="json"
    )
    assert refused.status_code == 400 and "理由" in refused.json()["error"]
    refused = supervisor.post(
        f"/api/targets/{target.pk}/decide-extension/",
        {"version": 2, "approve": False, "note": "请按期完成"},
        format="json",
    )
    assert refused.json()["lifecycle"] == "in_progress" and refused.json()["due_date"] == "2023-12-31"
    staff.post(
        f"/api/targets/{target.pk}/request-extension/",
        {"version": 3, "note": "再次申请", "new_due_date": "2024-02-29"},
        format="json",
    )
    approved = supervisor.post(
        f"/api/targets/{target.pk}/decide-extension/", {"version": 4, "approve": True}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["due_date"] == "2024-02-29"


def test_signoff_request_with_files_and_approval(target, alice, sam):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = client_for(alice)
    response = staff.post(
        f"/api/targets/{target.pk}/request-signoff/",
        {"version": 1, "note": "已验收", "files": [SimpleUploadedFile("验收.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert [e["original_name"] for e in response.json()["evidence"]] == ["验收.pdf"]
    url = response.json()["evidence"][0]["url"]
    assert re.fullmatch(r"/evidence/\d+/", url)
    decided = client_for(sam).post(
        f"/api/targets/{target.pk}/decide-signoff/", {"version": 2, "approve": True}, format="json"
    )
    assert decided.json()["lifecycle"] == "signed_off" and decided.json()["health"] is None


def test_comments_evidence_escalate_cancel_reassign(target, carol, sam, ada, dept_housing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    co = client_for(carol)
    comment = co.post(f"/api/targets/{target.pk}/comments/", {"text": "资金已拨付"}, format="json")
    assert comment.status_code == 201 and comment.json()["kind"] == "comment"
    assert [c["message"] for c in co.get(f"/api/targets/{target.pk}/comments/").json()] == ["资金已拨付"]
    uploaded = co.post(
        f"/api/targets/{target.pk}/evidence/",
        {"files": [SimpleUploadedFile("现场.png", PNG), SimpleUploadedFile("方案.docx", docx_bytes())]},
        format="multipart",
    )
    assert uploaded.status_code == 201 and len(uploaded.json()) == 2
    assert {e["content_type"] for e in co.get(f"/api/targets/{target.pk}/evidence/").json()} == {
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    assert Target.objects.get(pk=target.pk).version == 1  # notes and evidence do not change the figure

    escalated = client_for(sam).post(
        f"/api/targets/{target.pk}/escalate/", {"version": 1, "note": "请分管领导督办"}, format="json"
    )
    assert escalated.status_code == 200 and escalated.json()["escalated_at"]
    moved = client_for(ada).post(
        f"/api/targets/{target.pk}/reassign/",
        {"version": 2, "lead_department": dept_housing.pk, "co_departments": []},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["lead_department"] == "房管办"
    cancelled = client_for(ada).post(f"/api/targets/{target.pk}/cancel/", {"version": 3, "note": "并入其他任务"})
    assert cancelled.status_code == 200 and cancelled.json()["lifecycle"] == "cancelled"


def test_evidence_limits_come_from_settings(target, alice, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = client_for(alice)
    settings.EVIDENCE_MAX_BYTES = 50
    big = api.post(
        f"/api/targets/{target.pk}/evidence/", {"files": [SimpleUploadedFile("a.png", PNG)]}, format="multipart"
    )
    assert big.status_code == 400 and "大小限制" in big.json()["error"]
    settings.EVIDENCE_MAX_BYTES = 10_000
    settings.EVIDENCE_EXTENSIONS = [".pdf"]
    refused = api.post(
        f"/api/targets/{target.pk}/evidence/", {"files": [SimpleUploadedFile("a.png", PNG)]}, format="multipart"
    )
    assert refused.status_code == 400 and "类型不允许" in refused.json()["error"]
    disguised = api.post(
        f"/api/targets/{target.pk}/evidence/",
        {"files": [SimpleUploadedFile("a.pdf", b"#!/bin/sh\nrm -rf /\n")]},
        format="multipart",
    )
    assert disguised.status_code == 400 and "不符" in disguised.json()["error"]
    assert not Evidence.objects.exists()


def test_milestones_crud_through_the_api(target, ada, alice):
    admin = client_for(ada)
    created = admin.post(
        f"/api/targets/{target.pk}/milestones/",
        {"version": 1, "title": "完成立项", "due_date": "2023-02-28", "expected_percent": 10},
        format="json",
    )
    assert created.status_code == 201
    milestone = Milestone.objects.get(title="完成立项")
    edited = admin.patch(
        f"/api/milestones/{milestone.pk}/", {"due_date": "2023-03-10"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert edited.status_code == 200 and "2023-03-10" in [m["due_date"] for m in edited.json()["milestones"]]
    assert client_for(alice).delete(f"/api/milestones/{milestone.pk}/?version=3").status_code == 403
    gone = admin.delete(f"/api/milestones/{milestone.pk}/", HTTP_IF_MATCH=edited["ETag"])
    assert gone.status_code == 200 and "完成立项" not in [m["title"] for m in gone.json()["milestones"]]
    assert Milestone.all_objects.get(pk=milestone.pk).cancelled_at is not None
    first = target.milestones.first()
    done = client_for(alice).post(f"/api/milestones/{first.pk}/done/", {"version": 4}, format="json")
    assert done.status_code == 200 and done.json()["milestones"][0]["done_on"] == timezone.localdate().isoformat()
    assert [e["kind"] for e in done.json()["events"]].count("milestone") == 4


def test_filters_via_django_filter(target, sam, make_target, dept_housing):
    other = make_target(lead_department=dept_housing, due_date=date(2023, 6, 30))
    api = client_for(sam)
    ids = [t["id"] for t in api.get("/api/targets/?due_before=2023-07-01").json()["results"]]
    assert ids == [other.pk]
    ids = [
        t["id"] for t in api.get(f"/api/targets/?department={dept_housing.pk}&lifecycle=not_started").json()["results"]
    ]
    assert ids == [other.pk]
    assert api.get("/api/targets/?lifecycle=nonsense").status_code == 400


def test_schema_is_valid_and_docs_work_offline(client, alice):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    client.force_login(alice)
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and not [a for a in assets if a.startswith(("http://", "https://", "//"))]
    sidecar = [a for a in assets if "drf_spectacular_sidecar" in a]
    assert sidecar  # served from the local sidecar package, no CDN
    for asset in sidecar:
        assert finders.find(asset.split("/static/", 1)[1]), asset
