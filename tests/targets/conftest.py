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
