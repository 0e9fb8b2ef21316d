from __future__ import annotations

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from targets.models import ProgressUpdate


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def target(make_target, dept_housing):
    return make_target(lead_department=dept_housing)


def test_anonymous_is_refused(api, target):
    assert api.get("/api/targets/").status_code == 403
    assert api.post(f"/api/targets/{target.pk}/progress/", {"value": 1, "version": 1}).status_code == 403


def test_token_auth_lists_targets(api, bob, target):
    token = Token.objects.create(user=bob)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = api.get("/api/targets/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["title"] == target.title and row["lead_department"] == "房管办"
    assert row["health"] in {"overdue", "at_risk", "due_soon", "on_track"} and len(row["milestones"]) == 4


def test_outsider_sees_nothing(api, olga, target):
    api.force_authenticate(olga)
    assert api.get("/api/targets/").json()["count"] == 0
    assert api.get(f"/api/targets/{target.pk}/").status_code == 404
    assert api.post(f"/api/targets/{target.pk}/progress/", {"value": 1, "version": 1}).status_code == 404


def test_progress_post_409_when_stale(api, bob, target):
    api.force_authenticate(bob)
    url = f"/api/targets/{target.pk}/progress/"
    first = api.post(url, {"value": 120000, "note": "开工", "version": 1}, format="json")
    assert first.status_code == 201 and first.json()["value"] == 120000
    stale = api.post(url, {"value": 130000, "version": 1}, format="json")
    assert stale.status_code == 409 and "已被他人更新" in stale.json()["error"]
    assert ProgressUpdate.objects.count() == 1
    listed = api.get(url).json()
    assert [u["value"] for u in listed] == [120000]
    detail = api.get(f"/api/targets/{target.pk}/").json()
    assert detail["version"] == 2 and detail["lifecycle"] == "in_progress"
    assert [e["kind"] for e in detail["events"]] == ["created", "progress"]


def test_other_department_cannot_write(api, alice, target):
    api.force_authenticate(alice)
    assert api.get(f"/api/targets/{target.pk}/").status_code == 200  # same town: may read
    response = api.post(f"/api/targets/{target.pk}/progress/", {"value": 1, "version": 1}, format="json")
    assert response.status_code == 403 and "error" in response.json()


def test_bad_input_is_400(api, bob, target):
    api.force_authenticate(bob)
    response = api.post(f"/api/targets/{target.pk}/progress/", {"version": 1}, format="json")
    assert response.status_code == 400 and "至少一项" in response.json()["error"]
    response = api.post(f"/api/targets/{target.pk}/progress/", {"value": 1}, format="json")
    assert response.status_code == 428 and "版本" in response.json()["error"]  # a write without a version


@time_machine.travel("2023-07-05 10:00 +0800", tick=False)
def test_filters_health_and_overdue(api, sam, target, make_target, dept_econ, bob):
    growth = make_target(
        lead_department=dept_econ,
        quote="区级税收增长15%",
        metric="区级税收",
        value=15,
        value_text="15%",
        unit="%",
        relation="growth",
        plan_year=2024,
    )
    api.force_authenticate(sam)
    assert {t["id"] for t in api.get("/api/targets/", {"plan_year": 2024}).json()["results"]} == {growth.pk}
    assert {t["id"] for t in api.get("/api/targets/", {"department": dept_econ.pk}).json()["results"]} == {growth.pk}
    assert api.get("/api/targets/", {"due_before": "2023-12-31"}).json()["count"] == 1
    assert api.get("/api/targets/", {"lifecycle": "signed_off"}).json()["count"] == 0
    overdue = api.get("/api/targets/", {"health": "overdue"}).json()["results"]
    assert [t["id"] for t in overdue] == [target.pk]
    assert [t["id"] for t in api.get("/api/targets/overdue/").json()["results"]] == [target.pk]
    assert api.get("/api/targets/", {"health": "purple"}).status_code == 400


def test_list_query_count_does_not_grow(api, sam, make_target, dept_housing, django_assert_max_num_queries):
    api.force_authenticate(sam)
    make_target(lead_department=dept_housing)
    with django_assert_max_num_queries(20) as few:
        api.get("/api/targets/")
    for _ in range(8):
        make_target(lead_department=dept_housing)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/targets/").json()["count"] == 9


def test_schema_builds(api, sam):
    api.force_authenticate(sam)
    response = api.get("/api/schema/")
    assert response.status_code == 200 and b"/api/targets/{id}/progress/" in response.content
