"""Confirm a whole lead department's proposals at once: the service, the page, who may."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from reports.models import Reconciliation
from reports.reconciliation import selectors
from reports.reconciliation.services import (
    reconciliation_confirm,
    reconciliation_confirm_department,
    reconciliation_run,
)
from targets.models import TargetEvent
from tests.reports.reconciliation_fixtures import import_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(org, sam):
    import_pair(org, "hailaer_2017_review2016_targets2017.txt", "hailaer_2018_review2017_targets2018.txt")
    return reconciliation_run(organisation=org, year=2017, acting_user=sam)


def by_department(rows) -> Counter:
    return Counter(r.target.lead_department_id for r in rows)


def test_confirms_every_pending_row_of_each_department_and_nothing_else(org, sam, checked):
    departments = by_department(checked)
    assert len(departments) >= 2
    overridden = next(r for r in checked if r.proposed_verdict == "no_evidence")
    reconciliation_confirm(reconciliation=overridden, acting_user=sam, verdict="met", reason="统计公报已完成")
    for department_id, total in departments.items():
        before = Reconciliation.objects.filter(confirmed_at__isnull=False).count()
        count = reconciliation_confirm_department(
            organisation=org, year=2017, department_id=department_id, acting_user=sam
        )
        mine = Reconciliation.objects.filter(target__lead_department_id=department_id, year=2017)
        assert all(r.is_confirmed for r in mine)
        expected = total - (1 if overridden.target.lead_department_id == department_id else 0)
        assert count == expected
        assert Reconciliation.objects.filter(confirmed_at__isnull=False).count() == before + expected
    overridden.refresh_from_db()
    assert (overridden.verdict, overridden.override_reason) == ("met", "统计公报已完成")  # a decision stays
    for row in Reconciliation.objects.exclude(pk=overridden.pk):
        assert row.verdict == row.proposed_verdict and row.confirmed_by == sam
    # one history event per decision, none twice
    assert TargetEvent.objects.filter(kind=TargetEvent.Kind.VERDICT).count() == len(checked)
    # running it again confirms nothing more
    first = next(iter(departments))
    assert reconciliation_confirm_department(organisation=org, year=2017, department_id=first, acting_user=sam) == 0


def test_staff_may_not_confirm_a_department(org, alice, checked):
    department_id = checked[0].target.lead_department_id
    with pytest.raises(PermissionDenied):
        reconciliation_confirm_department(organisation=org, year=2017, department_id=department_id, acting_user=alice)
    assert not Reconciliation.objects.filter(confirmed_at__isnull=False).exists()


def test_the_page_offers_one_button_per_department_and_confirms_through_it(client, org, sam, alice, checked):
    url = reverse("reports:reconciliation-review", kwargs={"organisation": org.pk, "year": 2017})
    client.force_login(sam)
    page = client.get(url).content.decode()
    pending = selectors.pending_by_department(checked)
    assert page.count("确认本单位") == len([d for d in pending if d["pending"]])
    assert page.count('data-role="reason"') == len(checked)  # the reason of every proposal is on the page
    for row in checked:
        assert escape(row.reason) in page
    target = pending[0]
    post = reverse("reports:reconciliation-confirm-department", kwargs={"organisation": org.pk, "year": 2017})
    response = client.post(post, {"department": target["department_id"] or "none"}, follow=True)
    assert f"已确认{target['department']}的 {target['pending']} 项核对建议" in response.content.decode()
    done = [r for r in Reconciliation.objects.all() if r.target.lead_department_id == target["department_id"]]
    assert done and all(r.is_confirmed for r in done)
    client.force_login(alice)
    assert "确认本单位" not in client.get(url).content.decode()
    other = pending[-1]
    assert other is not target
    client.post(post, {"department": other["department_id"] or "none"})
    rows = [r for r in Reconciliation.objects.all() if r.target.lead_department_id == other["department_id"]]
    assert rows and not any(r.is_confirmed for r in rows)  # staff cannot


def test_a_bad_department_value_is_refused(client, org, sam, checked):
    client.force_login(sam)
    post = reverse("reports:reconciliation-confirm-department", kwargs={"organisation": org.pk, "year": 2017})
    for bad in ("x1", "²", "-3", "9" * 30):
        assert client.post(post, {"department": bad}).status_code == 400, bad
    assert not Reconciliation.objects.filter(confirmed_at__isnull=False).exists()
