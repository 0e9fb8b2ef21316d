"""Writes of the year-end reconciliation: run it for an organisation and year, confirm or override a verdict.

The engine (`engine.py`) proposes; these services store the proposals and record a supervisor's decision as
a `TargetEvent(kind="verdict")` on the target, so the confirmed verdict and who confirmed it are part of the
target's history.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from reports.models import Achievement, Commitment, Reconciliation, ReconciliationTerm, Report
from reports.reconciliation import engine, vocabulary
from targets import permissions
from targets.models import Organisation, Target, TargetEvent


class ReconciliationError(ValidationError):
    """A reconciliation request we refuse (message in Chinese, meant for the user)."""


def partly_met_share() -> float:
    return float(getattr(settings, "RECONCILIATION_PARTLY_MET_SHARE", engine.DEFAULT_PARTLY_MET_SHARE))


def review_report_for(*, organisation: Organisation, year: int) -> Report | None:
    """The report that reviews `year`: the latest one whose review year is `year`, else the one planning `year`+1."""
    reports = Report.objects.filter(organisation=organisation)
    return (
        reports.filter(review_year=year).order_by("-created_at", "-id").first()
        or reports.filter(plan_year=year + 1).order_by("-created_at", "-id").first()
    )


def vocabulary_current() -> vocabulary.Vocabulary:
    """The matcher's words as the administrators keep them (管理后台 → 年终核对词表)."""
    rows = ReconciliationTerm.objects.values_list("kind", "name", "terms")
    return vocabulary.build((kind, name, vocabulary.split_terms(terms)) for kind, name, terms in rows)


def target_figure(target: Target) -> engine.TargetFigure:
    """The engine's view of a target, with the last figure staff reported."""
    commitment = target.commitment
    updates = [u for u in target.updates.all() if u.value is not None or u.percent is not None]
    last = max(updates, key=lambda u: (u.created_at, u.pk)) if updates else None
    return engine.TargetFigure(
        id=target.pk,
        metric=target.metric or (commitment.metric if commitment else "") or target.title,
        value=target.target_value,
        value_max=target.target_value_max,
        unit=target.unit or None,
        comparator=target.comparator or "=",
        relation=target.relation or None,
        kind=target.kind,
        quote=(commitment.quote if commitment else "") or target.title,
        plan_year=target.plan_year,
        baseline_value=target.baseline_value,
        stretch_value=target.stretch_value,
        staff_value=last.value if last else None,
        staff_percent=last.percent if last and last.value is None else None,
        department=target.lead_department.name if target.lead_department else "",
        section=commitment.section if commitment else "",
    )


@transaction.atomic
def reconciliation_run(
    *,
    organisation: Organisation,
    year: int,
    acting_user=None,
    report: Report | None = None,
    at: datetime | None = None,
) -> list[Reconciliation]:
    """Propose a verdict for every target of `year` from the review report; keep verdicts already confirmed.

    `acting_user` is None for the CLI. Running again refreshes the proposals (after a corrected import, say);
    a confirmed row keeps its verdict and confirmation, only its proposal and evidence are refreshed.
    """
    if acting_user is not None and not permissions.can_supervise_organisation(acting_user, organisation):
        raise PermissionDenied("您没有权限对该组织进行年终核对。")
    report = report or review_report_for(organisation=organisation, year=year)
    if report is None:
        raise ReconciliationError(f"尚未导入{organisation.name}回顾 {year} 年工作的报告（{year + 1} 年政府工作报告）。")
    if report.organisation_id != organisation.pk:
        raise ReconciliationError("复核报告不属于该组织。")
    targets = list(
        Target.objects.filter(organisation=organisation, plan_year=year)
        .exclude(lifecycle=Target.Lifecycle.CANCELLED)
        .select_related("commitment", "lead_department")
        .prefetch_related("updates")
        .order_by("id")
    )
    if not targets:
        raise ReconciliationError(f"{organisation.name}没有 {year} 年的目标任务可供核对。")

    achievements = list(Achievement.objects.filter(report=report).order_by("start", "id"))
    source_reports = {t.commitment.report_id for t in targets if t.commitment_id} - {report.pk}
    previous = list(Achievement.objects.filter(report_id__in=source_reports).order_by("report_id", "start", "id"))
    next_commitments = list(Commitment.objects.filter(report=report).exclude(status=Commitment.Status.REJECTED))
    review_text, offset = engine.review_part(report.text, report.sections or [], year)
    proposals = engine.reconcile(
        [target_figure(t) for t in targets],
        achievements,
        review_text=review_text,
        review_offset=offset,
        previous=previous,
        next_commitments=next_commitments,
        year=year,
        partly_share=partly_met_share(),
        vocabulary=vocabulary_current(),
    )

    now = at or timezone.now()
    existing = {r.target_id: r for r in Reconciliation.objects.filter(report=report, target__in=targets)}
    to_create, to_update = [], []
    for target, proposal in zip(targets, proposals, strict=True):
        achievement = achievements[proposal.achievement_index] if proposal.achievement_index is not None else None
        fields = {
            "achievement": achievement,
            "year": year,
            "proposed_verdict": proposal.verdict,
            "ratio": proposal.ratio,
            "achieved_value": proposal.achieved_value,
            "evidence_quote": proposal.achievement_quote,
            "details": _details(proposal),
        }
        row = existing.get(target.pk)
        if row is None:
            to_create.append(Reconciliation(target=target, report=report, verdict=proposal.verdict, **fields))
            continue
        for name, value in fields.items():
            setattr(row, name, value)
        if not row.is_confirmed:
            row.verdict = proposal.verdict
        row.updated_at = now
        to_update.append(row)
    Reconciliation.objects.bulk_create(to_create)
    Reconciliation.objects.bulk_update(
        to_update,
        [
            "achievement",
            "year",
            "proposed_verdict",
            "verdict",
            "ratio",
            "achieved_value",
            "evidence_quote",
            "details",
            "updated_at",
        ],
    )
    return list(
        Reconciliation.objects.filter(report=report, target__in=targets)
        .select_related("target", "achievement")
        .order_by("target_id")
    )


def _details(proposal: engine.Proposal) -> dict:
    details = dict(proposal.details)
    details["evidence_start"] = proposal.evidence_start
    details["evidence_end"] = proposal.evidence_end
    details["comparator"] = proposal.comparator
    return details


@transaction.atomic
def reconciliation_confirm(
    *,
    reconciliation: Reconciliation,
    acting_user,
    verdict: str | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Reconciliation:
    """A supervisor confirms the proposed verdict, or overrides it with a reason; recorded on the target's history."""
    target = reconciliation.target
    if not permissions.can_supervise_organisation(acting_user, target.organisation):
        raise PermissionDenied("只有督查人员或管理员可以确认年终核对结论。")
    verdict = verdict or reconciliation.proposed_verdict
    if verdict not in Reconciliation.Verdict.values:
        raise ReconciliationError(f"核对结论“{verdict}”无效。")
    reason = (reason or "").strip()
    overriding = verdict != reconciliation.proposed_verdict
    if overriding and not reason:
        raise ReconciliationError("改判核对结论时必须填写理由。")
    # Lock the row: two supervisors deciding at once must not both write history for one verdict.
    row = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    now = at or timezone.now()
    before = {"verdict": row.verdict, "confirmed": row.is_confirmed}
    row.verdict = verdict
    row.override_reason = reason[:500]
    row.confirmed_by = acting_user
    row.confirmed_at = now
    row.save(update_fields=["verdict", "override_reason", "confirmed_by", "confirmed_at", "updated_at"])
    label = Reconciliation.Verdict(verdict).label
    if overriding:
        proposed = Reconciliation.Verdict(row.proposed_verdict).label
        message = f"年终核对改判为“{label}”（建议为“{proposed}”），理由：{reason}"
    else:
        message = f"年终核对确认：{label}" + (f"，备注：{reason}" if reason else "")
    TargetEvent.objects.create(
        target=target,
        actor=acting_user,
        kind=TargetEvent.Kind.VERDICT,
        message=message[:500],
        before=before,
        after={
            "verdict": verdict,
            "proposed_verdict": row.proposed_verdict,
            "reason": reason,
            "reconciliation": row.pk,
            "report": row.report_id,
            "year": row.year,
            "ratio": row.ratio,
            "achieved_value": row.achieved_value,
        },
        created_at=now,
    )
    return row


@transaction.atomic
def reconciliation_confirm_department(
    *,
    organisation: Organisation,
    year: int,
    department_id: int | None,
    acting_user,
    at: datetime | None = None,
) -> int:
    """Confirm, as proposed, every row of one lead department (None: rows without one) not confirmed yet.

    Each row is confirmed through `reconciliation_confirm`, so each gets its own history event; rows already
    confirmed or overridden keep their decision. Returns how many were confirmed.
    """
    if not permissions.can_supervise_organisation(acting_user, organisation):
        raise PermissionDenied("只有督查人员或管理员可以确认年终核对结论。")
    rows = Reconciliation.objects.filter(
        target__organisation=organisation, year=year, confirmed_at__isnull=True
    ).select_related("target__organisation")
    rows = (
        rows.filter(target__lead_department_id=department_id)
        if department_id
        else rows.filter(target__lead_department__isnull=True)
    )
    confirmed = 0
    for row in rows.order_by("target_id", "id"):
        reconciliation_confirm(reconciliation=row, acting_user=acting_user, at=at)
        confirmed += 1
    return confirmed
