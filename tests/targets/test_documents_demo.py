"""Every document from the demo: the 督查通报 of each town and of a district over them, the 任务台账 export, a
督办通知单, and the export imported back (the ledger a town keeps is the ledger Duban reads)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta

import docx
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from targets import selectors, services
from targets.documents.bulletin import bulletin_document
from targets.documents.ledger_export import COLUMNS, ledger_workbook
from targets.documents.ledger_import import ledger_check, ledger_import
from targets.documents.ledger_read import guess_mapping, read_ledger
from targets.documents.notice import notice_docx, notice_issue
from targets.documents.periods import parse_period
from targets.models import Organisation, Target

pytestmark = pytest.mark.django_db


def test_each_document_from_the_demo(tmp_path):
    call_command("demo", "--password", "pw", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    today = timezone.localdate()
    towns = [o for o in Organisation.objects.all() if o.targets.exists()]
    assert len(towns) >= 3
    district = Organisation.objects.create(name="演示区", level="district")
    for town in towns:
        year = town.targets.values_list("plan_year", flat=True).first()
        period = parse_period(f"{year}-11" if date(year, 11, 1) <= today else f"{year}-{today.month:02d}")
        _name, content = bulletin_document(organisation=town, period=period)
        document = docx.Document(io.BytesIO(content))
        live = town.targets.filter(plan_year=year).exclude(lifecycle="cancelled").count()
        total_row = [c.text for c in document.tables[0].rows[-1].cells]
        assert total_row[1] == "合计" and int(total_row[2]) == live
        assert sum(int(c.text) for row in document.tables[0].rows[1:-1] for c in row.cells[2:3]) == live
        assert len(document.inline_shapes) == 1
        town.parent = district
        town.save(update_fields=["parent"])
    years = Counter(Target.objects.values_list("plan_year", flat=True))
    year = years.most_common(1)[0][0]
    document = docx.Document(io.BytesIO(bulletin_document(organisation=district, period=parse_period(f"{year}-Q4"))[1]))
    assert [c.text for c in document.tables[0].rows[0].cells][1] == "镇（街道）"

    # The ledger of one town's year, exported as a supervisor hands it upward, then imported into a new town.
    town = max(towns, key=lambda o: o.targets.count())
    year = town.targets.values_list("plan_year", flat=True).first()
    rows = selectors.prefetch_for_rows(selectors.board_rows(town.targets.filter(plan_year=year), on=today))
    content = ledger_workbook(rows, title=f"{town.name}重点工作任务台账")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[2]] == COLUMNS and sheet.max_row == len(rows) + 2

    table = read_ledger(content, "台账.xlsx")
    mapping = guess_mapping(table.headers)
    assert {table.headers[i]: name for i, name in mapping.items()} == {
        "序号": "seq", "工作任务": "title", "牵头单位": "lead", "责任单位": "co", "分管领导": "leader",
        "完成时限": "due", "目标值": "target_value", "当前值": "current_value", "进展情况": "note",
        "时间节点": "milestones",
    }  # fmt: skip
    copy = Organisation.objects.create(name="导入镇")
    check = ledger_check(table=table, mapping=mapping, organisation=copy, plan_year=year)
    # Titles that occur twice in the town's plan are the only rows a careful clerk would query.
    assert all("重复" in e["reason"] for e in check.errors)
    assert len(check.errors) == sum(n - 1 for t, n in Counter(t.title for t in rows).items() if n > 1)
    # The administrator skips the repeated rows; the rest imports in one go.
    skip = {e["row"] for e in check.errors}
    check = ledger_check(table=table, mapping=mapping, organisation=copy, plan_year=year, skip_rows=skip)
    created = ledger_import(check=check, organisation=copy, plan_year=year, source="台账.xlsx")
    originals: dict[str, Target] = {}
    for target in rows:
        originals.setdefault(target.title, target)  # the first of a repeated title is the one imported
    assert len(created) == len(originals)
    for target in created:
        original = originals[target.title]
        assert target.lead_department.name == original.lead_department.name
        assert target.due_date == original.due_date
        assert [m.due_date for m in target.milestones.all()] == [m.due_date for m in original.milestones.all()]

    # A 督办通知单 on an escalated demo target.
    target = Target.objects.filter(organisation=town).exclude(lifecycle__in=["signed_off", "cancelled"]).first()
    if target.escalated_at is None:
        services.target_escalate(target=target, acting_user=admin, expected_version=target.version, note="滞后")
        target.refresh_from_db()
    notice = notice_issue(target=target, acting_user=admin, reply_by=today + timedelta(days=7))
    text = [p.text for p in docx.Document(io.BytesIO(notice_docx(notice))).paragraphs]
    assert text[1] == f"督办〔{today.year}〕1 号"
