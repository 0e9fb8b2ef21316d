"""Reconciliation pages without a browser: index, review page, decisions, export, who sees what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import Reconciliation
from reports.reconciliation.services import reconciliation_run
from tests.reports.reconciliation_fixtures import import_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(org, sam):
    import_pair(org, "hailaer_2017_review2016_targets2017.txt", "hailaer_2018_review2017_targets2018.txt")
    return reconciliation_run(organisation=org, year=2017, acting_user=sam)


def test_index_offers_the_run_to_supervisors_only(client, org, sam, alice, checked):
    client.force_login(sam)
    page = client.get(reverse("reports:reconciliation-index")).content.decode()
    assert "重新核对" in page and f"{len(checked)} 项" in page
    client.force_login(alice)
    page = client.get(reverse("reports:reconciliation-index")).content.decode()
    assert "重新核对" not in page and f"{len(checked)} 项" in page


def test_review_page_side_by_side_with_chart(client, org, sam, checked, django_assert_max_num_queries):
    client.force_login(sam)
    url = reverse("reports:reconciliation-review", kwargs={"organisation": org.pk, "year": 2017})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    page = response.content.decode()
    assert page.count('class="rec-item') == len(checked)
    assert "<svg" in page and "verdict-chart" in page and "cdn" not in page.lower()
    assert "159.5亿元" in page and "164.1亿元" in page
    only = client.get(url, {"verdict": "partly_met"}).content.decode()
    assert only.count('class="rec-item') == sum(r.verdict == "partly_met" for r in checked)


def test_decide_confirms_or_overrides(client, org, sam, checked):
    client.force_login(sam)
    row = next(r for r in checked if r.verdict == "no_evidence")
    url = reverse("reports:reconciliation-decide", kwargs={"pk": row.pk})
    response = client.post(url, {"verdict": "met", "reason": ""}, follow=True)
    assert "必须填写理由" in response.content.decode()
    assert not Reconciliation.objects.get(pk=row.pk).is_confirmed
    client.post(url, {"verdict": "met", "reason": "统计公报显示已完成"})
    row.refresh_from_db()
    assert (row.verdict, row.override_reason, row.confirmed_by) == ("met", "统计公报显示已完成", sam)


def test_staff_cannot_decide_and_outsiders_see_nothing(client, org, alice, olga, checked):
    row = checked[0]
    client.force_login(alice)
    client.post(reverse("reports:reconciliation-decide", kwargs={"pk": row.pk}), {})
    assert not Reconciliation.objects.get(pk=row.pk).is_confirmed
    client.force_login(olga)
    url = reverse("reports:reconciliation-review", kwargs={"organisation": org.pk, "year": 2017})
    assert client.get(url).status_code == 404
    assert client.post(reverse("reports:reconciliation-decide", kwargs={"pk": row.pk}), {}).status_code == 404
    export = reverse("reports:reconciliation-export", kwargs={"organisation": org.pk, "year": 2017})
    assert client.get(export).status_code == 404


def test_export_download(client, org, alice, checked):
    client.force_login(alice)
    response = client.get(reverse("reports:reconciliation-export", kwargs={"organisation": org.pk, "year": 2017}))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"  # an xlsx is a zip
