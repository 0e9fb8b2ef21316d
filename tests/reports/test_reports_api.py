"""REST API of reports and their review: upload, list, commitments, edit, accept, reject, accept all."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reports.models import Commitment, Report
from reports.services import report_import
from targets.models import Target

DOCS = Path(__file__).resolve().parent.parent / "data" / "docs"
MINI_BYTES = (DOCS / "mini_report.txt").read_bytes()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def report(org):
    return report_import(organisation=org, filename="mini_report.txt", data=MINI_BYTES)


def as_user(api, user):
    api.force_authenticate(user)
    return api


def upload(api, org, name="mini_report.txt", data=MINI_BYTES, **extra):
    return api.post(
        "/api/reports/", {"file": SimpleUploadedFile(name, data), "organisation": org.pk, **extra}, format="multipart"
    )


# --- upload ----------------------------------------------------------------------


def test_upload_creates_the_report(api, org, ada):
    response = upload(as_user(api, ada), org, year=2024)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation"] == org.pk and body["plan_year"] == 2024
    assert body["commitment_count"] == body["proposed_count"] > 5
    assert body["achievement_count"] >= 1
    report = Report.objects.get(pk=body["id"])
    assert report.uploaded_by == ada and report.commitments.count() == body["commitment_count"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "文件为空"),
        ("report.exe", MINI_BYTES, "不支持的文件类型"),
        ("scan.pdf", (DOCS / "image_only.pdf").read_bytes(), "没有文字层"),
        ("fake.docx", MINI_BYTES, "不是有效的 Word"),
        ("notice.txt", "关于召开运动会的通知：请各部门做好准备。\n".encode(), "未在该文件中找到任何目标任务"),
    ],
)
def test_bad_upload_is_400_with_chinese_error(api, org, ada, name, data, message):
    response = upload(as_user(api, ada), org, name=name, data=data)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Report.objects.exists()


def test_upload_of_30_mb_is_refused(api, org, ada):
    response = upload(as_user(api, ada), org, name="big.txt", data=b"a" * (30 * 1024 * 1024))
    assert response.status_code == 400 and "文件过大" in response.json()["error"]
    assert not Report.objects.exists()


def test_upload_over_the_size_limit(api, org, ada, settings):
    settings.REPORT_UPLOAD_MAX_BYTES = 500
    response = upload(as_user(api, ada), org)
    assert response.status_code == 400 and "文件过大" in response.json()["error"]


def test_upload_twice_is_400(api, org, ada):
    as_user(api, ada)
    assert upload(api, org).status_code == 201
    response = upload(api, org)
    assert response.status_code == 400 and "已导入过同一文件" in response.json()["error"]


def test_upload_without_file_or_organisation_is_400(api, org, ada):
    as_user(api, ada)
    response = api.post("/api/reports/", {"organisation": org.pk}, format="multipart")
    assert response.status_code == 400 and response.json()["error"] == "请选择要上传的文件。"
    response = api.post("/api/reports/", {"file": SimpleUploadedFile("a.txt", MINI_BYTES)}, format="multipart")
    assert response.status_code == 400 and response.json()["error"] == "请选择组织。"


@pytest.mark.parametrize("persona", ["alice", "sam"])
def test_only_administrators_upload(api, org, persona, request):
    response = upload(as_user(api, request.getfixturevalue(persona)), org)
    assert response.status_code == 403 and "没有权限" in response.json()["error"]
    assert not Report.objects.exists()


def test_upload_to_another_organisation_answers_like_a_missing_one(api, org, olga):
    """Organisation scope: another organisation's id gets byte for byte the answer of an id that does not exist."""
    as_user(api, olga)
    foreign = upload(api, org)
    missing = upload(api, type(org)(pk=org.pk + 1000))
    assert foreign.status_code == missing.status_code == 400
    assert foreign.content == missing.content and "组织不存在" in foreign.json()["error"]
    assert not Report.objects.exists()


def test_anonymous_gets_403(api, org, report):
    assert upload(api, org).status_code == 403
    assert api.get("/api/reports/").status_code == 403
    assert api.post(f"/api/commitments/{report.commitments.first().pk}/accept/").status_code == 403


# --- reading ---------------------------------------------------------------------


def test_list_shows_only_visible_organisations(api, org, other_org, report, olga, alice):
    report_import(organisation=other_org, filename="a.txt", data=MINI_BYTES)
    body = as_user(api, alice).get("/api/reports/").json()
    assert [r["organisation"] for r in body["results"]] == [org.pk]
    body = as_user(api, olga).get("/api/reports/").json()
    assert [r["organisation"] for r in body["results"]] == [other_org.pk]


def test_detail_commitments_and_achievements(api, report, alice, olga):
    as_user(api, alice)
    detail = api.get(f"/api/reports/{report.pk}/").json()
    assert detail["text"] == report.text and detail["sections"]
    commitments = api.get(f"/api/reports/{report.pk}/commitments/").json()
    assert commitments["count"] == report.commitments.count()
    first = commitments["results"][0]
    assert report.text[first["start"] : first["end"]].replace("\n", "") == first["quote"].replace("\n", "")
    assert {"kind", "metric", "value", "unit", "comparator", "relation", "baseline", "plan_year"} <= set(first)
    achievements = api.get(f"/api/reports/{report.pk}/achievements/").json()
    assert achievements["count"] == report.achievements.count() >= 1
    as_user(api, olga)
    assert api.get(f"/api/reports/{report.pk}/").status_code == 404
    assert api.get(f"/api/reports/{report.pk}/commitments/").status_code == 404


def test_commitments_filter_by_status(api, report, ada):
    as_user(api, ada)
    one = report.commitments.first()
    api.post(f"/api/commitments/{one.pk}/reject/", {"reason": "重复"}, format="json")
    rejected = api.get(f"/api/reports/{report.pk}/commitments/", {"status": "rejected"}).json()
    assert [c["id"] for c in rejected["results"]] == [one.pk]
    proposed = api.get(f"/api/reports/{report.pk}/commitments/", {"status": "proposed"}).json()
    assert proposed["count"] == report.commitments.count() - 1
    assert api.get(f"/api/reports/{report.pk}/commitments/", {"status": "nope"}).status_code == 400


# --- review ----------------------------------------------------------------------


def test_patch_edits_fields(api, report, ada):
    one = report.commitments.filter(kind="quantitative").first()
    response = as_user(api, ada).patch(
        f"/api/commitments/{one.pk}/", {"metric": "改后的指标", "value": 12.5}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["metric"] == "改后的指标"
    one.refresh_from_db()
    assert (one.metric, one.value) == ("改后的指标", 12.5)
    response = api.patch(f"/api/commitments/{one.pk}/", {"comparator": "bogus"}, format="json")
    assert response.status_code == 400 and response.json()["error"]


def test_accept_returns_the_target(api, report, ada, dept_housing):
    one = report.commitments.first()
    response = as_user(api, ada).post(
        f"/api/commitments/{one.pk}/accept/", {"lead_department": dept_housing.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    target = Target.objects.get(pk=response.json()["target_id"])
    assert target.commitment_id == one.pk and target.lead_department == dept_housing
    assert response.json()["commitment"]["status"] == "accepted"
    assert response.json()["commitment"]["target_id"] == target.pk
    again = api.post(f"/api/commitments/{one.pk}/accept/", {}, format="json")
    assert again.status_code == 400 and again.json()["error"]


def test_accept_with_a_foreign_department_is_400(api, report, ada, other_org):
    foreign = other_org.departments.create(name="外镇办")
    one = report.commitments.first()
    response = as_user(api, ada).post(
        f"/api/commitments/{one.pk}/accept/", {"lead_department": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert not Target.objects.exists()


def test_reject_requires_a_reason(api, report, ada):
    one = report.commitments.first()
    as_user(api, ada)
    response = api.post(f"/api/commitments/{one.pk}/reject/", {}, format="json")
    assert response.status_code == 400 and response.json()["error"] == "驳回时必须填写理由。"
    response = api.post(f"/api/commitments/{one.pk}/reject/", {"reason": "不是考核指标"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected" and response.json()["reject_reason"] == "不是考核指标"


def test_accept_all(api, report, ada):
    as_user(api, ada)
    first = report.commitments.first()
    api.post(f"/api/commitments/{first.pk}/reject/", {"reason": "重复"}, format="json")
    response = api.post(f"/api/reports/{report.pk}/accept-all/")
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == report.commitments.count() - 1 == len(body["targets"])
    assert report.commitments.filter(status=Commitment.Status.PROPOSED).count() == 0
    assert api.post(f"/api/reports/{report.pk}/accept-all/").json()["accepted"] == 0


@pytest.mark.parametrize("persona", ["alice", "sam", "olga"])
def test_only_administrators_review(api, report, persona, request):
    as_user(api, request.getfixturevalue(persona))
    one = report.commitments.first()
    expected = 404 if persona == "olga" else 403
    assert api.patch(f"/api/commitments/{one.pk}/", {"metric": "x"}, format="json").status_code == expected
    assert api.post(f"/api/commitments/{one.pk}/accept/", {}, format="json").status_code == expected
    assert api.post(f"/api/commitments/{one.pk}/reject/", {"reason": "x"}, format="json").status_code == expected
    assert api.post(f"/api/reports/{report.pk}/accept-all/").status_code == expected
    assert set(report.commitments.values_list("status", flat=True)) == {"proposed"}


def test_list_queries_do_not_grow_with_reports(api, org, ada, django_assert_max_num_queries):
    for n in range(5):
        report_import(organisation=org, filename=f"{n}.txt", data=MINI_BYTES + f"\n附{n}".encode())
    as_user(api, ada)
    with django_assert_max_num_queries(6):
        assert api.get("/api/reports/").json()["count"] == 5


def test_commitment_list_queries_do_not_grow_with_rows(api, report, ada, django_assert_max_num_queries):
    as_user(api, ada)
    api.post(f"/api/reports/{report.pk}/accept-all/")
    with django_assert_max_num_queries(8):
        body = api.get(f"/api/reports/{report.pk}/commitments/").json()
    assert body["count"] == report.commitments.count()
    assert all(row["target_id"] for row in body["results"])


def test_schema_lists_the_report_paths(api, ada):
    response = as_user(api, ada).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/reports/",
        "/api/reports/{id}/",
        "/api/reports/{id}/commitments/",
        "/api/reports/{id}/achievements/",
        "/api/reports/{id}/accept-all/",
        "/api/commitments/{id}/",
        "/api/commitments/{id}/accept/",
        "/api/commitments/{id}/reject/",
    ]:
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/reports/"]["post"]["requestBody"]["content"]
