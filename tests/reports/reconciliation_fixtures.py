"""Shared set-up for reconciliation tests: corpus pairs imported through the real services."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import require_service

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        require_service(False, f"../shared/corpus ({name}) for the corpus pairs")
    return path


def read_corpus(name: str) -> str:
    return corpus_file(name).read_text(encoding="utf-8")


def import_pair(organisation, plan_file: str, review_file: str):
    """Import the report that sets year Y's targets (all accepted) and the one reviewing Y; return both."""
    from reports.services import commitments_accept_all, report_import

    plan = report_import(organisation=organisation, filename=plan_file, data=corpus_file(plan_file).read_bytes())
    commitments_accept_all(report=plan, acting_user=None)
    review = report_import(organisation=organisation, filename=review_file, data=corpus_file(review_file).read_bytes())
    return plan, review
