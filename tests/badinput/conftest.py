"""Fixtures of the bad-input tests: a town with an administrator, a staff member and one target of hers.

Evidence and media go to the test's own directories so "no file left behind" can be checked exactly."""

from __future__ import annotations

import hashlib

import pytest


@pytest.fixture(autouse=True)
def upload_dirs(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.MEDIA_ROOT = tmp_path / "media"
    return [settings.EVIDENCE_ROOT, settings.MEDIA_ROOT]


@pytest.fixture
def target(org, ada, alice, dept_econ):
    """A target of alice's department, accepted by ada through the service."""
    from reports.models import Commitment, Report
    from targets.services import target_create_from_commitment

    text = "2023年主要目标：完成精品小区建设42万平方米。"
    report = Report.objects.create(
        organisation=org,
        title="2023年政府工作报告",
        original_name="report.txt",
        file_type="txt",
        size=len(text.encode()),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        plan_year=2023,
    )
    commitment = Commitment.objects.create(
        report=report,
        quote="完成精品小区建设42万平方米",
        start=9,
        end=23,
        kind="quantitative",
        metric="精品小区建设面积",
        value=420000,
        value_text="42万平方米",
        unit="平方米",
        comparator="=",
        relation="absolute",
    )
    return target_create_from_commitment(commitment=commitment, acting_user=ada, lead_department=dept_econ)
