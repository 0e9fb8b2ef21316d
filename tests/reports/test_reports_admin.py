"""Admin of reports: pages load, commitments filter and search, accept/reject actions go through services."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.models import Commitment
from reports.services import report_import
from targets.models import Target

MINI_BYTES = (Path(__file__).resolve().parent.parent / "data" / "docs" / "mini_report.txt").read_bytes()


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")


@pytest.fixture
def report(org):
    return report_import(organisation=org, filename="mini_report.txt", data=MINI_BYTES)


def test_admin_pages_load(client, root, report):
    client.force_login(root)
    commitment = report.commitments.first()
    for url in [
        reverse("admin:reports_report_changelist"),
        reverse("admin:reports_report_change", args=[report.pk]),
        reverse("admin:reports_commitment_changelist") + "?status__exact=proposed&kind__exact=quantitative",
        reverse("admin:reports_commitment_changelist") + "?q=73",
        reverse("admin:reports_commitment_change", args=[commitment.pk]),
        reverse("admin:reports_achievement_changelist"),
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in page


def test_admin_actions_accept_and_reject(client, root, report):
    client.force_login(root)
    first, second, *_ = report.commitments.order_by("start")
    url = reverse("admin:reports_commitment_changelist")
    client.post(url, {"action": "accept_selected", "_selected_action": [first.pk]})
    client.post(url, {"action": "reject_selected", "_selected_action": [second.pk, first.pk]})
    assert Target.objects.filter(commitment=first).exists()
    assert Commitment.objects.get(pk=first.pk).status == "accepted"  # not rejected after acceptance
    rejected = Commitment.objects.get(pk=second.pk)
    assert rejected.status == "rejected" and rejected.reject_reason
