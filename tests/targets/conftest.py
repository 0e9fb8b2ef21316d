"""Helpers for target tests: commitments made directly, targets accepted through the service."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


@pytest.fixture
def report(org):
    from reports.models import Report

    text = "2023年主要目标：区级税收增长15%。完成精品小区建设42万平方米。确保无重大安全事故。"
    return Report.objects.create(
        organisation=org,
        title="2023年政府工作报告",
        original_name="report.txt",
        file_type="txt",
        size=len(text.encode()),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        plan_year=2023,
    )


@pytest.fixture
def make_commitment(report):
    from reports.models import Commitment

    def _make(**fields):
        defaults = dict(
            quote="完成精品小区建设42万平方米",
            start=0,
            end=10,
            kind="quantitative",
            metric="精品小区建设面积",
            value=420000,
            value_text="42万平方米",
            unit="平方米",
            comparator="=",
            relation="absolute",
        )
        defaults.update(fields)
        return Commitment.objects.create(report=report, **defaults)

    return _make


@pytest.fixture
def make_target(make_commitment, ada):
    """Accept a commitment through the service, as an administrator would."""
    from targets.services import target_create_from_commitment

    def _make(lead_department=None, due_date=None, when=None, **fields):
        commitment = make_commitment(**fields)
        return target_create_from_commitment(
            commitment=commitment,
            acting_user=ada,
            lead_department=lead_department,
            due_date=due_date,
            at=when or at(2023, 1, 10),
        )

    return _make


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Evidence files of a test go to its own directory, never into var/; personas hash passwords fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture
def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from targets_testdata import PNG

    def _upload(name: str = "photo.png", content: bytes = PNG, content_type: str = "application/octet-stream"):
        return SimpleUploadedFile(name, content, content_type=content_type)

    return _upload


@pytest.fixture
def dept_finance(org):
    return org.departments.create(name="财政所")


@pytest.fixture
def carol(org, dept_finance):
    """Staff of a co-department (责任单位) of the `co_target` fixture."""
    return member(org, "carol", "staff", dept_finance)


@pytest.fixture
def district(org):
    from targets.models import Organisation

    district = Organisation.objects.create(name="测试区", level="district")
    org.parent = district
    org.save(update_fields=["parent"])
    return district


@pytest.fixture
def dan(district):
    """Supervisor of the district above `org` (sees its towns)."""
    return member(district, "dan", "supervisor")


def member(org, username: str, role: str, department=None):
    from django.contrib.auth import get_user_model

    from targets.models import Membership

    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    Membership.objects.create(user=user, organisation=org, department=department, role=role)
    return user
