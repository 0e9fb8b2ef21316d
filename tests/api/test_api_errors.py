"""One error shape across the API, and the bad input the schemathesis run found answering 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

HUGE = str(10**30)  # larger than any bigint id: the database driver refuses to send it


@pytest.fixture
def target(org, dept_econ, ada):
    from reports.models import Commitment, Report
    from targets.services import target_create_from_commitment

    report = Report.objects.create(
        organisation=org, title="报告", original_name="r.txt", file_type="txt", size=1, sha256="0" * 64, text="文"
    )
    commitment = Commitment.objects.create(
        report=report, quote="完成改造", start=0, end=1, kind="deliverable", metric="改造", plan_year=2023
    )
    return target_create_from_commitment(commitment=commitment, acting_user=ada, lead_department=dept_econ)


def client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def test_drf_errors_use_the_api_error_shape(alice):
    refused = client().get("/api/targets/")
    assert refused.status_code == 403 and set(refused.json()) == {"error"} and refused.json()["error"]
    missing = client(alice).get("/api/targets/999999/")
    assert missing.status_code == 404 and set(missing.json()) == {"error"}
    bad_page = client(alice).get("/api/targets/?page=999")
    assert bad_page.status_code == 404 and set(bad_page.json()) == {"error"}


def test_filter_errors_name_the_field(alice):
    response = client(alice).get("/api/targets/?due_before=not-a-date")
    body = response.json()
    assert response.status_code == 400 and body["error"] and "due_before" in body["fields"]


def test_unknown_api_url_answers_json_and_pages_stay_html(alice):
    api = client(alice)
    unknown = api.get("/api/targets/abc/")
    assert unknown.status_code == 404 and unknown["Content-Type"].startswith("application/json")
    assert unknown.json() == {"error": "接口不存在。"}
    page = api.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/api/targets/?organisation={HUGE}", 400),
        (f"/api/targets/?department={HUGE}", 400),
        (f"/api/targets/overdue/?department={HUGE}", 400),
        (f"/api/reports/?organisation={HUGE}", 400),
        (f"/api/reconciliations/?organisation={HUGE}", 400),
        (f"/api/reconciliations/export/?organisation={HUGE}", 400),
    ],
)
def test_ids_beyond_a_bigint_are_bad_input_not_a_crash(url, status, sam, target):
    response = client(sam).get(url)
    assert response.status_code == status
    assert response.json()["count"] == 0 if status == 200 else response.json()["error"]


def test_reassign_to_an_impossible_department_is_refused(ada, target):
    response = client(ada).post(
        f"/api/targets/{target.pk}/reassign/",
        {"version": target.version, "lead_department": HUGE, "co_departments": [HUGE]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]
    target.refresh_from_db()
    assert target.version == 1


def test_a_boolean_is_not_a_figure(alice, target):
    response = client(alice).post(
        f"/api/targets/{target.pk}/progress/", {"value": True, "version": target.version}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"] == "请填写合法的数字。"
    assert not target.updates.exists()
