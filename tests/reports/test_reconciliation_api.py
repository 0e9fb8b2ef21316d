"""REST API of the year-end reconciliation: list/filter, run, confirm, override, export, permissions."""

from __future__ import annotations

import io

import pytest
from rest_framework.test import APIClient

from reports.models import Reconciliation
from targets.models import TargetEvent
from tests.reports.reconciliation_fixtures import import_pair

pytestmark = pytest.mark.django_db

URL = "/api/reconciliations/"


@pytest.fixture
def pair(org):
    return import_pair(org, "hailaer_2017_review2016_targets2017.txt", "hailaer_2018_review2017_targets2018.txt")


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def run(api, org, year=2017):
    return api.post(URL, {"organisation": org.pk, "year": year}, format="json")


def test_run_then_list_filtered(org, sam, pair, django_assert_max_num_queries):
    api = client_for(sam)
    response = run(api, org)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert len(created) == Reconciliation.objects.count() > 50
    first = created[0]
    for field in (
        "target",
        "metric",
        "target_value",
        "achieved_value",
        "verdict",
        "proposed_verdict",
        "ratio",
        "commitment_quote",
        "achievement_quote",
        "details",
        "department",
    ):
        assert field in first
    with django_assert_max_num_queries(8):
        listed = api.get(URL, {"organisation": org.pk, "year": 2017, "verdict": "partly_met"}).json()
    assert listed["count"] >= 1 and {r["verdict"] for r in listed["results"]} == {"partly_met"}
    assert api.get(URL, {"year": 2016}).json()["count"] == 0
    assert api.get(URL, {"verdict": "bogus"}).status_code == 400


def test_confirm_and_override(org, sam, pair):
    api = client_for(sam)
    rows = run(api, org).json()
    retail = next(r for r in rows if r["metric"] == "社会消费品零售总额" and r["relation"] == "absolute")
    growth = next(r for r in rows if r["metric"] == "社会消费品零售总额增速")

    confirmed = api.post(f"{URL}{growth['id']}/confirm/", {}, format="json")
    assert confirmed.status_code == 200
    assert (confirmed.json()["verdict"], confirmed.json()["confirmed_by"]) == ("missed", "sam")

    refused = api.post(f"{URL}{retail['id']}/override/", {"verdict": "met", "reason": " "}, format="json")
    assert refused.status_code == 400 and "理由" in refused.json()["error"]
    overridden = api.post(f"{URL}{retail['id']}/override/", {"verdict": "met", "reason": "年报口径达标"}, format="json")
    assert overridden.status_code == 200
    body = overridden.json()
    assert (body["verdict"], body["proposed_verdict"], body["override_reason"]) == ("met", "partly_met", "年报口径达标")
    assert TargetEvent.objects.filter(kind=TargetEvent.Kind.VERDICT).count() == 2
    assert api.get(f"{URL}{retail['id']}/").json()["verdict"] == "met"


def test_permissions(org, sam, alice, olga, pair):
    assert run(client_for(alice), org).status_code == 403  # staff may read, not run
    assert run(client_for(olga), org).status_code == 404  # an outsider does not see the organisation
    rows = run(client_for(sam), org).json()
    row_id = rows[0]["id"]
    assert client_for(alice).get(URL, {"organisation": org.pk}).json()["count"] == len(rows)
    assert client_for(alice).post(f"{URL}{row_id}/confirm/", {}, format="json").status_code == 403
    assert client_for(olga).get(URL).json()["count"] == 0
    assert client_for(olga).post(f"{URL}{row_id}/confirm/", {}, format="json").status_code == 404
    assert APIClient().get(URL).status_code in (401, 403)


def test_run_without_review_is_400(org, sam, pair):
    response = run(client_for(sam), org, year=2019)
    assert response.status_code == 400 and "尚未导入" in response.json()["error"]


def test_export_xlsx(org, sam, pair):
    import openpyxl

    api = client_for(sam)
    run(api, org)
    response = api.get(f"{URL}export/", {"organisation": org.pk, "year": 2017})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["任务台账"].max_row == Reconciliation.objects.count() + 2  # the title row, then the header


def test_schema_lists_the_endpoints(sam):
    api = client_for(sam)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path in (URL, f"{URL}{{id}}/confirm/", f"{URL}{{id}}/override/", f"{URL}export/"):
        assert path in schema["paths"]
