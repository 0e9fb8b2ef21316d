"""督办通知单 / 催办单: issued from an escalated target (a numbered, kept record and a history event), rendered
as a one-page .docx on demand, and as PDF where LibreOffice is installed."""

from __future__ import annotations

import shutil
import subprocess  # nosec B404: runs only LibreOffice, found by shutil.which, without a shell
import tempfile
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from docx.shared import Cm, Pt

from targets import permissions
from targets.documents import docx_style as style
from targets.health import CLOSED, days_overdue
from targets.models import SupervisionNotice, Target, TargetEvent
from targets.services import TargetServiceError

NUMBER_ATTEMPTS = 50
DEFAULT_REQUIREMENT = (
    "请牵头单位高度重视，认真分析滞后原因，明确整改措施、责任人和完成时限，加快推进；"
    "配合单位要主动对接、密切配合。请于反馈时限前将整改落实情况书面报送督查室。"
)


@transaction.atomic
def notice_issue(
    *,
    target: Target,
    acting_user,
    reply_by: date,
    kind: str = SupervisionNotice.Kind.SUPERVISE,
    requirement: str = "",
    at: datetime | None = None,
) -> SupervisionNotice:
    """Number and record a notice for an escalated target, and write it into the target's history."""
    now = at or timezone.now()
    if not permissions.can(acting_user, permissions.ESCALATE, target):
        raise PermissionDenied("只有督查人员或管理员可以签发督办通知单。")
    if target.lifecycle in CLOSED:
        raise TargetServiceError("该任务已销号或已取消。", code="closed")
    if target.escalated_at is None:
        raise TargetServiceError("请先对该任务督办升级，再签发督办通知单。", code="not_escalated")
    if kind not in SupervisionNotice.Kind.values:
        raise TargetServiceError("通知单类型无效。", code="bad_kind")
    today = timezone.localdate(now)
    if not today < reply_by <= date(today.year + 1, 12, 31):
        raise TargetServiceError("反馈时限应晚于今天，且不超过明年年底。", code="bad_reply_by")
    notice = SupervisionNotice(
        organisation=target.organisation,
        target=target,
        kind=kind,
        year=today.year,
        late_text=late_text(target, on=today),
        requirement=(requirement or "").strip()[:2000] or DEFAULT_REQUIREMENT,
        reply_by=reply_by,
        issuer=f"{target.organisation.name}督查室",
        issued_by=acting_user,
        issued_at=now,
    )
    _save_numbered(notice)
    TargetEvent.objects.create(
        target=target,
        actor=acting_user,
        created_at=now,
        kind=TargetEvent.Kind.NOTICE,
        message=f"签发{notice.get_kind_display()}（{notice.number_text}），反馈时限 {reply_by:%Y-%m-%d}",
        after={"notice": notice.pk, "number": notice.number_text, "reply_by": reply_by.isoformat()},
    )
    return notice


def _save_numbered(notice: SupervisionNotice) -> None:
    """The next number of the organisation's year. Two issues at once may read the same maximum: the unique
    constraint lets one insert win, and the other (in its savepoint) reads the new maximum and tries again."""
    for _attempt in range(NUMBER_ATTEMPTS):
        last = SupervisionNotice.objects.filter(organisation=notice.organisation, year=notice.year).aggregate(
            last=Max("number")
        )["last"]
        notice.number = (last or 0) + 1
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
            return
        except IntegrityError:
            notice.pk = None
    raise TargetServiceError("编号分配冲突，请稍后重试。", code="number_conflict")


def late_text(target: Target, *, on: date) -> str:
    """What is late, in words: the passed nodes not done, days overdue, the last report."""
    milestones = list(target.milestones.all())
    parts = []
    for milestone in milestones:
        if milestone.done_on is None and milestone.due_date < on:
            parts.append(f"时间节点「{milestone.title}」应于 {_cn(milestone.due_date)}前完成，至今未完成")
    if target.due_date < on:
        parts.append(f"完成时限 {_cn(target.due_date)}已过")
    days = days_overdue(target, on=on) if target.lifecycle not in CLOSED else None
    if days is not None:
        parts.append(f"已逾期 {days} 天")
    updates = list(target.updates.all())
    latest = max(updates, key=lambda u: (u.created_at, u.pk)) if updates else None
    parts.append(f"最近一次进展填报为 {timezone.localdate(latest.created_at):%Y-%m-%d}" if latest else "至今未填报进展")
    if target.escalation_note:
        parts.append(f"督办升级原因：{target.escalation_note}")
    return "；".join(parts) + "。"


def notice_docx(notice: SupervisionNotice) -> bytes:
    target = notice.target
    document = style.new_document()
    style.title(document, " ".join(notice.get_kind_display()))
    style.right(document, notice.number_text)
    quote = target.commitment.quote if target.commitment_id else ""
    rows = [
        ("任务名称", target.title),
        ("任务来源", quote or "—"),
        ("牵头单位", target.lead_department.name if target.lead_department_id else "未分配"),
        ("责任单位", "、".join(d.name for d in target.co_departments.all()) or "—"),
        ("分管领导", target.leader or "—"),
        ("完成时限", _cn(target.due_date)),
        ("滞后情况", notice.late_text),
        ("督办要求", notice.requirement),
        ("反馈时限", f"请于 {_cn(notice.reply_by)}前书面反馈"),
    ]
    grid = document.add_table(rows=0, cols=2)
    grid.style = "Table Grid"
    for label, text in rows:
        cells = grid.add_row().cells
        cells[0].width, cells[1].width = Cm(3.2), Cm(12.4)
        for cell, value, bold in ((cells[0], label, True), (cells[1], text, False)):
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.line_spacing = 1.15
            style.set_font(paragraph.add_run(value), style.BODY_FONT, Pt(14), bold=bold)
    document.add_paragraph()
    style.right(document, f"签发单位：{notice.issuer}")
    style.right(document, _cn(timezone.localdate(notice.issued_at)))
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(content: bytes, *, timeout: int = 60) -> bytes | None:
    """The PDF of a .docx through LibreOffice, or None when it is not installed or fails."""
    converter = pdf_converter()
    if converter is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "notice.docx"
        source.write_bytes(content)
        try:
            subprocess.run(  # noqa: S603  # nosec B603: fixed argument list, no shell
                [converter, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
                check=True,
                timeout=timeout,
                capture_output=True,
                env={"HOME": folder, "PATH": "/usr/bin:/bin"},
            )
        except (subprocess.SubprocessError, OSError):
            return None
        pdf = Path(folder) / "notice.pdf"
        return pdf.read_bytes() if pdf.is_file() else None


def notice_filename(notice: SupervisionNotice, suffix: str) -> str:
    return f"{notice.get_kind_display()}-{notice.year}-{notice.number}{suffix}"


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
