"""The foundation on the real PostgreSQL: whole-file imports, atomicity, concurrent writers.

These run when DATABASE_URL points at PostgreSQL (as in CI) and fail under CI=true otherwise.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection

from reports.models import Achievement, Commitment, Report
from reports.services import ReportImportError, commitments_accept_all, report_import
from targets.models import ProgressUpdate, Target
from targets.services import StaleVersionError, progress_record

pytestmark = [pytest.mark.integration]

LINE_BREAK = re.compile(r"[ \t\u3000]*\n[ \t\u3000]*")


@pytest.mark.django_db
def test_sample_report_imports_and_accepts_on_postgres(require_postgres, org, ada, sample_path):
    path = sample_path("002")
    report = report_import(organisation=org, filename=path.name, data=path.read_bytes(), acting_user=ada)

    assert report.plan_year == 2023
    assert report.commitments.count() > 20
    assert report.achievements.count() > 20
    targets = commitments_accept_all(report=report, acting_user=ada)
    assert len(targets) == report.commitments.filter(status=Commitment.Status.ACCEPTED).count()
    assert all(t.due_date.year == 2023 for t in targets)
    # Offsets index the stored text: the quote is exactly that span with its line breaks removed.
    for c in report.commitments.all():
        assert LINE_BREAK.sub("", report.text[c.start : c.end]) == c.quote


@pytest.mark.django_db
def test_failed_import_leaves_nothing_on_postgres(require_postgres, org, ada):
    before = (Report.objects.count(), Commitment.objects.count(), Achievement.objects.count())
    with pytest.raises(ReportImportError):
        report_import(organisation=org, filename="junk.txt", data=bytes(range(256)) * 64, acting_user=ada)
    with pytest.raises(ReportImportError):
        report_import(
            organisation=org, filename="empty.txt", data="各位代表：\n今天天气很好。\n".encode(), acting_user=ada
        )
    assert (Report.objects.count(), Commitment.objects.count(), Achievement.objects.count()) == before


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_progress_writes_one_wins(require_postgres, org, dept_econ, alice, ada, sample_path):
    """Two people submit a form that saw the same version: exactly one update lands, the other gets a conflict."""
    path = sample_path("003")
    report = report_import(organisation=org, filename=path.name, data=path.read_bytes(), acting_user=ada)
    commitments_accept_all(report=report, acting_user=ada)
    target = Target.objects.filter(kind=Target.Kind.QUANTITATIVE).order_by("id").first()
    Target.objects.filter(pk=target.pk).update(lead_department=dept_econ)
    target.refresh_from_db()
    version = target.version

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(value: float) -> None:
        try:
            barrier.wait(timeout=10)
            progress_record(
                target=Target.objects.get(pk=target.pk), acting_user=alice, value=value, expected_version=version
            )
            outcomes.append("ok")
        except StaleVersionError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(v,)) for v in (1.0, 2.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["ok", "stale"]
    assert ProgressUpdate.objects.filter(target_id=target.pk).count() == 1
    target.refresh_from_db()
    assert target.version == version + 1
