"""Writes on reports: import a document, and review the commitments extraction proposed.

Every service takes keyword arguments and runs in one transaction. Permission
is checked by the pages and the API through `targets.permissions`; the
services check it again when a person acts (`acting_user` is None only for
system imports such as the CLI), so no entry point can forget it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import date
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reports import extraction
from reports.documents import DocumentError, read_document
from reports.extraction import sections as extraction_sections
from reports.models import Achievement, Commitment, Report
from targets import limits, permissions
from targets.models import Department, Organisation, Target

logger = logging.getLogger(__name__)

NO_COMMITMENTS_MESSAGE = "未在该文件中找到任何目标任务（承诺事项）。请确认上传的是政府工作报告或年度工作计划。"
DUPLICATE_MESSAGE = "该组织已导入过同一文件（{title}，{when}），不能重复导入。"

# Fields an administrator may correct on a proposed commitment (quote and offsets stay as extracted).
EDITABLE_FIELDS = (
    "kind",
    "metric",
    "value",
    "value_max",
    "value_text",
    "unit",
    "comparator",
    "relation",
    "baseline",
    "stretch_value",
    "plan_year",
    "list_item",
)


class ReportImportError(Exception):
    """An upload we refuse; nothing was saved. The message is Chinese and meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CommitmentReviewError(ValidationError):
    """A review action that breaks a rule (message in Chinese)."""


# --- import ----------------------------------------------------------------


def read_upload(*, filename: str, data: bytes):
    """Decode an upload with the size and type limits from settings."""
    try:
        return read_document(
            filename,
            data,
            max_bytes=settings.REPORT_UPLOAD_MAX_BYTES,
            extensions=settings.REPORT_UPLOAD_EXTENSIONS,
        )
    except DocumentError as error:
        raise ReportImportError(error.message) from None


@transaction.atomic
def report_import(
    *,
    organisation: Organisation,
    filename: str,
    data: bytes,
    acting_user=None,
    year: int | None = None,
) -> Report:
    """Decode, extract and store a report with its commitments and achievements, all or nothing."""
    if acting_user is not None and not permissions.can_manage_organisation(acting_user, organisation):
        raise PermissionDenied("您没有权限为该组织导入报告。")
    if year is not None and not 1949 <= year <= 2100:
        raise ReportImportError(f"年度“{year}”无效。")
    document = read_upload(filename=filename, data=data)
    digest = hashlib.sha256(data).hexdigest()
    existing = Report.objects.filter(organisation=organisation, sha256=digest).first()
    if existing is not None:
        raise ReportImportError(_duplicate_message(existing))

    text = document.text
    # The same report saved again in another encoding or format has other bytes but the same text.
    existing = Report.objects.filter(organisation=organisation, text=text).only("title", "created_at").first()
    if existing is not None:
        raise ReportImportError(_duplicate_message(existing))
    try:
        found_commitments = extraction.extract_commitments(text)
        found_achievements = extraction.extract_achievements(text)
        info = extraction_sections.describe_document(text)
        sections = [_jsonable(s) for s in extraction_sections.split_sections(text)]
    except Exception:
        # An extractor bug must not become a 500 for the person uploading; the log keeps the trace.
        logger.exception("extraction failed for %s", filename)
        raise ReportImportError("解析报告内容时出错，请联系管理员。") from None
    if not found_commitments:
        raise ReportImportError(NO_COMMITMENTS_MESSAGE)

    detected_plan_year = _int_year(info.plan_year)
    plan_year = year if year is not None else detected_plan_year
    doc_kind = info.doc_kind if info.doc_kind in Report.DocKind.values else Report.DocKind.OTHER
    report = Report(
        organisation=organisation,
        title=_title(filename=filename, organisation=organisation, doc_kind=doc_kind, year=plan_year),
        original_name=PurePath(filename).name[:255],
        file_type=document.file_type,
        encoding=document.encoding,
        size=len(data),
        sha256=digest,
        text=text,
        doc_kind=doc_kind,
        plan_year=plan_year,
        review_year=_int_year(info.review_year),
        sections=sections,
        uploaded_by=acting_user,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # the same file uploaded twice at the same moment
        raise ReportImportError(DUPLICATE_MESSAGE.format(title=report.title, when="刚刚")) from None

    Commitment.objects.bulk_create(
        _commitment_row(report, record, year=year, detected_plan_year=detected_plan_year)
        for record in found_commitments
    )
    Achievement.objects.bulk_create(_achievement_row(report, record) for record in found_achievements)
    return report


def _duplicate_message(existing: Report) -> str:
    when = timezone.localtime(existing.created_at).strftime("%Y-%m-%d %H:%M")
    return DUPLICATE_MESSAGE.format(title=f"《{existing.title}》", when=f"导入于 {when}")


def _title(*, filename: str, organisation: Organisation, doc_kind: str, year: int | None) -> str:
    """The file's own name when it says something (Chinese), else organisation, year and kind."""
    stem = PurePath(filename).stem.strip()
    if re.search(r"[\u4e00-\u9fff]", stem):
        return stem[:200]
    label = Report.DocKind(doc_kind).label if doc_kind != Report.DocKind.OTHER else "报告"
    year_text = f"{year}年" if year else ""
    return f"{organisation.name}{year_text}{label}"[:200]


def _int_year(value: Any) -> int | None:
    """'2023' -> 2023; a span '2022-2026' -> its last year (when it is due); None stays None."""
    if value is None or value == "":
        return None
    years = re.findall(r"\d{4}", str(value))
    return int(years[-1]) if years else None


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _cut(value: Any, limit: int) -> str:
    return (str(value) if value is not None else "")[:limit]


def _commitment_row(report: Report, record, *, year: int | None, detected_plan_year: int | None) -> Commitment:
    plan_year = _int_year(record.plan_year)
    # --year corrects the document's year: records that carried the detected year follow it.
    if year is not None and (plan_year is None or plan_year == detected_plan_year):
        plan_year = year
    return Commitment(
        report=report,
        quote=record.quote,
        start=record.start,
        end=record.end,
        section=_cut(record.section, 300),
        kind=record.kind,
        metric=_cut(record.metric, 200),
        value=record.value,
        value_max=record.value_max,
        value_text=_cut(record.value_text, 50),
        unit=_cut(record.unit, 20),
        comparator=record.comparator or Commitment.Comparator.EQ,
        relation=record.relation or "",
        baseline=_cut(record.baseline, 100),
        stretch_value=record.stretch_value,
        plan_year=plan_year if plan_year is not None else report.plan_year,
        list_item=_cut(record.list_item, 50),
        confidence=record.confidence,
    )


def _achievement_row(report: Report, record) -> Achievement:
    return Achievement(
        report=report,
        quote=record.quote,
        start=record.start,
        end=record.end,
        section=_cut(record.section, 300),
        metric=_cut(record.metric, 200),
        value=record.value,
        value_text=_cut(record.value_text, 50),
        unit=_cut(record.unit, 20),
        relation=_cut(record.relation, 10),
        baseline=_cut(record.baseline, 100),
        qualifier=_cut(record.qualifier, 12),
        as_of=_cut(record.as_of, 20),
        is_forecast=bool(record.is_forecast),
        completion_ratio=record.completion_ratio,
        implied_target=record.implied_target,
        period_year=_cut(record.period_year, 20),
    )


# --- review ----------------------------------------------------------------


def _check_can_review(acting_user, commitment: Commitment) -> None:
    if acting_user is not None and not permissions.can_manage_organisation(acting_user, commitment.report.organisation):
        raise PermissionDenied("您没有权限审核该组织的承诺事项。")


def _locked_proposed(commitment: Commitment, action: str) -> Commitment:
    """Lock the row and insist it is still proposed: two reviewers must not both act on it."""
    locked = Commitment.objects.select_for_update().filter(pk=commitment.pk).first()
    if locked is None:
        raise CommitmentReviewError("该承诺事项不存在。", code="missing")
    if locked.status != Commitment.Status.PROPOSED:
        raise CommitmentReviewError(
            f"该承诺事项{locked.get_status_display()}，不能{action}。",
            code="not_proposed",
        )
    return locked


@transaction.atomic
def commitment_update(*, commitment: Commitment, acting_user, **fields: Any) -> Commitment:
    """Correct what extraction proposed (only while the commitment awaits review)."""
    _check_can_review(acting_user, commitment)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise CommitmentReviewError(f"不能修改字段：{'、'.join(sorted(unknown))}。", code="not_editable")
    locked = _locked_proposed(commitment, "修改")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if value is None and name not in {"value", "value_max", "stretch_value", "plan_year"}:
            value = ""
        setattr(locked, name, value)
    if locked.value is not None and locked.value_max is not None and locked.value_max < locked.value:
        raise CommitmentReviewError("上限不能小于数值。", code="bad_range")
    try:  # the bounds every target figure and plan year has (targets/limits.py), before it becomes one
        for name, label in (("value", "数值"), ("value_max", "上限"), ("stretch_value", "力争值")):
            limits.check_figure(getattr(locked, name), label=label)
        limits.check_plan_year(locked.plan_year)
    except limits.OutOfBounds as error:
        raise CommitmentReviewError(error.message, code="out_of_bounds") from None
    try:
        locked.full_clean(exclude=["report", "reviewed_by"])
    except ValidationError as error:
        raise CommitmentReviewError(error.message_dict) from None
    locked.save(update_fields=list(fields))
    _copy(locked, commitment)
    return commitment


@transaction.atomic
def commitment_reject(*, commitment: Commitment, acting_user, reason: str) -> Commitment:
    """Reject a proposed commitment; the reason is kept."""
    _check_can_review(acting_user, commitment)
    reason = (reason or "").strip()
    if not reason:
        raise CommitmentReviewError("驳回时必须填写理由。", code="reason_required")
    if len(reason) > 300:
        raise CommitmentReviewError("驳回理由不能超过 300 字。", code="reason_too_long")
    locked = _locked_proposed(commitment, "驳回")
    locked.status = Commitment.Status.REJECTED
    locked.reject_reason = reason
    locked.reviewed_by = acting_user
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    _copy(locked, commitment)
    return commitment


@transaction.atomic
def commitment_reopen(*, commitment: Commitment, acting_user) -> Commitment:
    """Undo a rejection: the commitment awaits review again."""
    _check_can_review(acting_user, commitment)
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.status != Commitment.Status.REJECTED:
        raise CommitmentReviewError("只有已驳回的承诺事项可以恢复待审核。", code="not_rejected")
    locked.status = Commitment.Status.PROPOSED
    locked.reject_reason = ""
    locked.reviewed_by = None
    locked.reviewed_at = None
    locked.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    _copy(locked, commitment)
    return commitment


def commitment_accept(
    *,
    commitment: Commitment,
    acting_user,
    lead_department: Department | None = None,
    co_departments: Iterable[Department] = (),
    due_date: date | None = None,
) -> Target:
    """Accept a commitment into a target (targets' service: target, milestones and history at once)."""
    from targets.services import TargetServiceError, target_create_from_commitment

    _check_can_review(acting_user, commitment)
    try:
        return target_create_from_commitment(
            commitment=commitment,
            acting_user=acting_user,
            lead_department=lead_department,
            co_departments=co_departments,
            due_date=due_date,
        )
    except TargetServiceError as error:
        raise CommitmentReviewError(error.messages) from None


@transaction.atomic
def commitments_accept_all(*, report: Report, acting_user) -> list[Target]:
    """Accept every commitment of the report that still awaits review, with suggested departments."""
    from targets.services import target_create_from_commitment

    if acting_user is not None and not permissions.can_manage_organisation(acting_user, report.organisation):
        raise PermissionDenied("您没有权限审核该组织的承诺事项。")
    proposed = list(
        report.commitments.select_related("report__organisation")
        .select_for_update(of=("self",))
        .filter(status=Commitment.Status.PROPOSED)
        .order_by("start", "id")
    )
    return [target_create_from_commitment(commitment=c, acting_user=acting_user) for c in proposed]


def _copy(source: Commitment, target: Commitment) -> None:
    if source is target:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
