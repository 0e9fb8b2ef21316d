"""Importing a 任务台账: check every row first, then create the targets in one transaction.

`ledger_check` turns the table and a column mapping into planned targets and row errors (row number + reason);
`ledger_import` refuses while any error is not skipped, and creates everything or nothing. Re-importing the same
ledger creates nothing new: a row whose 工作任务 already exists in the organisation's plan year is reported as
已存在 and left alone. Departments are matched by name within the organisation, or created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from reports.extraction.numbers import find_quantities
from targets import limits, permissions, services
from targets.documents.ledger_dates import parse_due, parse_milestones
from targets.documents.ledger_read import FIELD_LABELS, REQUIRED, LedgerTable
from targets.models import Department, Milestone, Organisation, ProgressUpdate, Target, TargetEvent

SECTION_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[部分章类])"
)
UNIT_SPLIT = re.compile(r"[、，,；;/\s]+")
COMPARATORS = {"at_least": ">=", "at_most": "<=", "about": "~"}
YEARS_AHEAD = 5
BATCH = 1000


class LedgerRowsError(ValueError):
    """Some rows are bad and not skipped: nothing was imported."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} 行有问题，未导入任何任务。")
        self.errors = errors


class LedgerMappingError(ValueError):
    """The column mapping lacks a required column (message in Chinese)."""


@dataclass
class PlannedTarget:
    row: int
    title: str
    lead: str
    co: list[str]
    leader: str
    due_date: date
    milestones: list[tuple[date, str]]
    target_value: float | None = None
    unit: str = ""
    comparator: str = ""
    current_value: float | None = None
    note: str = ""


@dataclass
class LedgerCheck:
    planned: list[PlannedTarget] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"row": n, "reason": "..."}
    headings: list[dict] = field(default_factory=list)  # section rows read as headings, not tasks
    existing: list[dict] = field(default_factory=list)  # rows already imported (same 工作任务 and plan year)
    skipped: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "to_create": len(self.planned),
            "errors": self.errors,
            "headings": self.headings,
            "existing": self.existing,
            "skipped": self.skipped,
        }


def check_mapping(mapping: dict[int, str], headers: list[str]) -> None:
    fields = list(mapping.values())
    for name in REQUIRED:
        if name not in fields:
            raise LedgerMappingError(f"请指定「{FIELD_LABELS[name]}」对应的列。")
    if "due" not in fields and "milestones" not in fields:
        raise LedgerMappingError("请指定「完成时限」或「时间节点」对应的列。")
    doubled = {n for n in fields if fields.count(n) > 1}
    if doubled:
        raise LedgerMappingError("每个字段只能对应一列：" + "、".join(FIELD_LABELS[n] for n in sorted(doubled)) + "。")
    if any(not 0 <= i < len(headers) for i in mapping):
        raise LedgerMappingError("列的编号超出表格范围。")


def ledger_check(
    *,
    table: LedgerTable,
    mapping: dict[int, str],
    organisation: Organisation,
    plan_year: int,
    skip_rows: set[int] = frozenset(),
) -> LedgerCheck:
    """Every data row checked: planned targets, or errors with the row number and the reason."""
    check_mapping(mapping, table.headers)
    result = LedgerCheck()
    seen: dict[str, int] = {}
    existing = set(
        Target.objects.filter(organisation=organisation, plan_year=plan_year).values_list("title", flat=True)
    )
    for number, values in table.rows:
        cells = {name: values[index] for index, name in mapping.items()}
        if number in skip_rows:
            result.skipped.append(number)
            continue
        if _is_heading(cells):
            result.headings.append({"row": number, "text": _text(cells.get("title") or cells.get("seq"))})
            continue
        planned, reasons = _plan_row(number, cells, plan_year)
        if planned and planned.title in seen:
            reasons.append(f"工作任务与第 {seen[planned.title]} 行重复")
        if reasons:
            result.errors.append({"row": number, "reason": "；".join(reasons)})
            continue
        seen[planned.title] = number
        if planned.title in existing:
            result.existing.append({"row": number, "title": planned.title})
            continue
        result.planned.append(planned)
    return result


def _is_heading(cells: dict) -> bool:
    """A section row (一、经济发展): a title-like text and none of lead, dates or figures."""
    title = _text(cells.get("title")) or _text(cells.get("seq"))
    others = [cells.get(n) for n in ("lead", "due", "milestones", "target_value", "co")]
    return (
        bool(title)
        and all(v is None for v in others)
        and (bool(SECTION_HEADING.match(title)) or cells.get("title") is None or len(title) <= 12)
    )


def _plan_row(number: int, cells: dict, plan_year: int) -> tuple[PlannedTarget | None, list[str]]:
    reasons = []
    title = _text(cells.get("title"))
    lead = _text(cells.get("lead"))
    if not title:
        reasons.append("工作任务为空")
    elif len(title) > 500:
        reasons.append("工作任务超过 500 字")
    if not lead:
        reasons.append("牵头单位为空")
    elif len(lead) > 100:
        reasons.append("牵头单位名称过长")
    leader = _text(cells.get("leader"))
    if len(leader) > 50:
        reasons.append("分管领导超过 50 字")
    milestones = parse_milestones(cells.get("milestones"), plan_year=plan_year)
    due_cell = cells.get("due")
    due = parse_due(due_cell, plan_year=plan_year)
    if due is None and due_cell is not None:
        reasons.append(f"完成时限「{_text(due_cell)}」无法识别为日期")
    elif due is None:
        if milestones:
            due = max(day for day, _ in milestones)
        else:
            reasons.append("完成时限为空")
    for day in [due, *(d for d, _ in milestones)]:
        if day is not None and not plan_year <= day.year <= plan_year + YEARS_AHEAD:
            reasons.append(f"日期 {day:%Y-%m-%d} 不在 {plan_year} 年度计划范围内")
            break
    value, unit, comparator, value_reason = _figure(cells.get("target_value"))
    if value_reason:
        reasons.append(value_reason)
    current, _u, _c, current_reason = _figure(cells.get("current_value"), label="当前值")
    if current_reason:
        reasons.append(current_reason)
    for label, figure in (("目标值", value), ("当前值", current)):  # a numeric cell too: targets/limits.py
        try:
            limits.check_figure(figure, label=label)
        except limits.OutOfBounds as error:
            reasons.append(error.message)
    if reasons:
        return None, reasons
    co = [name for name in UNIT_SPLIT.split(_text(cells.get("co"))) if name and name != lead]
    if any(len(name) > 100 for name in co):
        return None, ["责任单位名称过长"]
    milestones = [(min(day, due) if day > due else day, what) for day, what in milestones]
    return (
        PlannedTarget(
            row=number,
            title=title,
            lead=lead,
            co=list(dict.fromkeys(co)),
            leader=leader,
            due_date=due,
            milestones=milestones,
            target_value=value,
            unit=unit,
            comparator=comparator,
            current_value=current,
            note=_text(cells.get("note"))[:2000],
        ),
        [],
    )


def _figure(value, *, label: str = "目标值") -> tuple[float | None, str, str, str]:
    """(value in base units, unit, comparator, error). Text without a number is a deliverable's description."""
    if value is None:
        return None, "", "", ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), "", "", ""
    text = _text(value)
    quantities = [q for q in find_quantities(text) if not q.rank]
    if quantities:
        q = quantities[0]
        if not -1e15 < q.value < 1e15:
            return None, "", "", f"{label}「{text}」超出合理范围"
        return q.value, q.unit or "", COMPARATORS.get(q.qualifier or "", ""), ""
    if re.search(r"\d", text):
        return None, "", "", f"{label}「{text}」无法识别为数值"
    return None, "", "", ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


@transaction.atomic
def ledger_import(
    *,
    check: LedgerCheck,
    organisation: Organisation,
    plan_year: int,
    acting_user=None,
    source: str = "",
) -> list[Target]:
    """Create the checked targets, all or none. `acting_user` None is the command line (no permission check)."""
    if acting_user is not None and not permissions.can_manage_organisation(acting_user, organisation):
        raise PermissionDenied("只有本单位管理员可以导入任务台账。")
    if check.errors:
        raise LedgerRowsError(check.errors)
    now = timezone.now()
    # Lock the organisation's row: two imports of the same ledger at once would both see no existing title
    # and create the same departments.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    departments = _departments(organisation, check.planned)
    taken = set(Target.objects.filter(organisation=organisation, plan_year=plan_year).values_list("title", flat=True))
    fresh = []
    for planned in check.planned:
        if planned.title not in taken:
            taken.add(planned.title)
            fresh.append(planned)
    # Bulk inserts (ids returned by PostgreSQL and SQLite): a district's 30,000 rows in a few dozen statements.
    created = Target.objects.bulk_create(
        [
            Target(
                organisation=organisation,
                title=p.title,
                kind=Target.Kind.QUANTITATIVE if p.target_value is not None else Target.Kind.DELIVERABLE,
                lead_department=departments[p.lead],
                leader=p.leader,
                plan_year=plan_year,
                due_date=p.due_date,
                target_value=p.target_value,
                unit=p.unit,
                comparator=p.comparator or ("=" if p.target_value is not None else ""),
                lifecycle=Target.Lifecycle.IN_PROGRESS if p.note or p.current_value else Target.Lifecycle.NOT_STARTED,
            )
            for p in fresh
        ],
        batch_size=BATCH,
    )
    pairs = list(zip(created, fresh, strict=True))
    Target.co_departments.through.objects.bulk_create(
        [
            Target.co_departments.through(target_id=t.pk, department_id=departments[name].pk)
            for t, p in pairs
            for name in p.co
        ],
        batch_size=BATCH,
    )
    Milestone.objects.bulk_create(
        [
            Milestone(target=t, title=what, due_date=day, expected_percent=round(100 * (i + 1) / len(p.milestones), 1))
            for t, p in pairs
            for i, (day, what) in enumerate(p.milestones)
        ],
        batch_size=BATCH,
    )
    TargetEvent.objects.bulk_create(
        [
            TargetEvent(
                target=t,
                actor=acting_user,
                created_at=now,
                kind=TargetEvent.Kind.CREATED,
                message=f"从任务台账导入（{source} 第 {p.row} 行）"[:500],
                after={"source": source, "row": p.row, "note": p.note},
            )
            for t, p in pairs
        ],
        batch_size=BATCH,
    )
    if acting_user is not None:
        ProgressUpdate.objects.bulk_create(
            [
                ProgressUpdate(target=t, author=acting_user, created_at=now, value=p.current_value, note=p.note)
                for t, p in pairs
                if p.note or p.current_value is not None
            ],
            batch_size=BATCH,
        )
    services.refresh_health_basis(t.pk for t in created)
    return created


def _departments(organisation: Organisation, planned: list[PlannedTarget]) -> dict[str, Department]:
    names = {p.lead for p in planned} | {n for p in planned for n in p.co}
    known = {d.name: d for d in Department.objects.filter(organisation=organisation, name__in=names)}
    for name in sorted(names - set(known)):
        known[name] = Department.objects.create(organisation=organisation, name=name)
    return known
