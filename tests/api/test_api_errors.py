"""One error shape across the API, and the bad input the schemathesis run found answering 500."""

from __future__ import annotations

import pytest
from django.urls import path
from rest_framework.test import APIClient
from rest_framework.views import APIView

from config import urls as site_urls
from config.parsing import parse_id

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


# --- unexpected exceptions: the API's shape, a 500, never Django's HTML page ------------------------------


class Broken(APIView):
    """A view with a bug (test-only URLconf below): what any API view's unexpected exception looks like."""

    def get(self, request):
        raise RuntimeError("a bug")


def broken_plain_view(request):
    raise ZeroDivisionError("a bug outside DRF")


# The site's URLconf and error handlers, plus the broken views.
urlpatterns = [
    path("api/broken/", Broken.as_view()),
    path("api/plain-broken/", broken_plain_view),
    path("api/bad-number/", lambda request: parse_id(request.GET.get("id"))),
    path("page/bad-number/", lambda request: parse_id(request.GET.get("id"))),
    *site_urls.urlpatterns,
]
handler404, handler500 = site_urls.handler404, site_urls.handler500


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/api/broken/", "/api/plain-broken/"])
def test_an_unexpected_exception_is_a_json_500(settings, alice, url):
    settings.DEBUG = False
    api = client(alice)
    api.raise_request_exception = False
    response = api.get(url)
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"error"} and "服务器内部错误" in response.json()["error"]


@pytest.mark.urls(__name__)
def test_a_bad_whole_number_raised_anywhere_is_a_400_in_chinese(db, client):
    response = client.get("/api/bad-number/?id=²")
    assert response.status_code == 400 and "编号" in response.json()["error"]
    page = client.get("/page/bad-number/?id=①")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html") and "编号" in page.content.decode()
