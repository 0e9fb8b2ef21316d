"""Time and memory of the office's documents at district scale: prints figures, asserts nothing.

    .venv/bin/python bench/documents.py [--district NAME] [--import-rows 30000]

Needs a seeded benchmark database (`manage.py seed_bench --orgs 100 --targets-per-org 300
--updates-per-target 10`: a district of 30,000 targets, see bench/common.py for DATABASE_URL). Each document is
produced in its own child process, so its peak memory (max RSS, the process's whole footprint: Python, Django,
pandas, matplotlib) is its own:

- the 督查通报 of the district for last month (counts, ranks of its 100 towns, chart, lists);
- the full 任务台账 of the district (30,000 rows, as the board's export builds it);
- a 30,000-row ledger written as an office keeps it, read, checked and imported into a new organisation in one
  transaction, then imported again (creates nothing);
- a 督办通知单: numbered, recorded, rendered.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import emit, figure, server_env, setup_django  # noqa: E402

STEPS = ("bulletin", "ledger_export", "ledger_import", "notice")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _district(name: str | None):
    from targets.models import Organisation

    if name:
        return Organisation.objects.get(name=name)
    return Organisation.objects.filter(children__isnull=False).distinct().order_by("id").first()


def step_bulletin(district) -> dict:
    from django.utils import timezone

    from targets.documents.bulletin import bulletin_document
    from targets.documents.periods import previous_month

    started = time.perf_counter()
    _name, content = bulletin_document(organisation=district, period=previous_month(timezone.localdate()))
    return {"seconds": time.perf_counter() - started, "bytes": len(content)}


def step_ledger_export(district) -> dict:
    from django.utils import timezone

    from targets import selectors
    from targets.documents.ledger_export import ledger_workbook
    from targets.models import Target

    started = time.perf_counter()
    organisations = [district, *district.children.all()]
    rows = selectors.board_rows(Target.objects.filter(organisation__in=organisations), on=timezone.localdate())
    content = ledger_workbook(selectors.prefetch_for_rows(rows), title=f"{district.name}重点工作任务台账")
    return {"seconds": time.perf_counter() - started, "rows": len(rows), "bytes": len(content)}


def _office_ledger(rows: int, year: int) -> bytes:
    """A ledger as an office keeps it: a title row, the header on line 3, a section row every 50 tasks, 牵头单位
    merged down over groups of 5, dates as text."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f"{year}年重点工作任务台账"])
    sheet.merge_cells("A1:H1")
    sheet.append([])
    sheet.append(["序号", "工作任务", "牵头单位", "责任单位", "分管领导", "完成时限", "时间节点", "目标值"])
    line, merges = 3, []
    for i in range(rows):
        if i % 50 == 0:
            sheet.append([f"{'一二三四五六七八九十'[i // 50 % 10]}、第 {i // 50 + 1} 组"])
            line += 1
        month = i % 12 + 1
        sheet.append(
            [
                i + 1,
                f"重点任务第 {i + 1:05d} 项：建设项目",
                f"部门{i // 5 % 40:02d}" if i % 5 == 0 else None,
                f"部门{(i + 7) % 40:02d}、部门{(i + 13) % 40:02d}",
                f"副镇长{i % 6}",
                f"{year}年{month}月底",
                f"{max(month - 2, 1)}月底前完成招标，{month}月底前完工",
                f"{i % 90 + 10}个",
            ]
        )
        line += 1
        if i % 5 == 0:
            merges.append(f"C{line}:C{line + min(4, rows - i - 1)}")
    for cells in merges:  # after the rows: a merged range's cells are placeholders openpyxl appends after
        sheet.merge_cells(cells)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def step_ledger_import(district, rows: int) -> dict:
    from django.utils import timezone

    from targets.documents.ledger_import import ledger_check, ledger_import
    from targets.documents.ledger_read import guess_mapping, read_ledger
    from targets.models import Organisation

    year = timezone.localdate().year
    content = _office_ledger(rows, year)
    organisation, _ = Organisation.objects.get_or_create(name=f"台账导入基准镇-{rows}")
    organisation.targets.all().delete()  # an earlier run's import (not timed): the first pass creates every row
    figures = {"file_bytes": len(content)}
    for label in ("first", "again"):
        started = time.perf_counter()
        table = read_ledger(content, "台账.xlsx")
        read = time.perf_counter() - started
        check = ledger_check(
            table=table, mapping=guess_mapping(table.headers), organisation=organisation, plan_year=year
        )
        checked = time.perf_counter() - started
        created = ledger_import(check=check, organisation=organisation, plan_year=year, source="台账.xlsx")
        figures[label] = {
            "read_s": round(read, 2),
            "check_s": round(checked - read, 2),
            "total_s": round(time.perf_counter() - started, 2),
            "created": len(created),
            "existing": len(check.existing),
            "errors": len(check.errors),
            "headings": len(check.headings),
        }
    return figures


def step_notice(district) -> dict:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from targets import services
    from targets.documents.notice import notice_docx, notice_issue
    from targets.models import Target

    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench-notice", "", "bench-notice-pw"
    )
    target = (
        Target.objects.filter(organisation__parent=district, overdue_from__lte=timezone.localdate())
        .exclude(lifecycle__in=["signed_off", "cancelled"])
        .first()
    )
    if target.escalated_at is None:
        services.target_escalate(target=target, acting_user=user, expected_version=target.version, note="基准测试")
        target.refresh_from_db()
    times = []
    for _ in range(20):
        started = time.perf_counter()
        notice = notice_issue(target=target, acting_user=user, reply_by=timezone.localdate() + timedelta(days=7))
        notice_docx(notice)
        times.append(time.perf_counter() - started)
    return {"seconds": sorted(times)[len(times) // 2], "last_number": notice.number_text}


def child(step: str, district_name: str | None, rows: int) -> None:
    setup_django()
    district = _district(district_name)
    result = step_ledger_import(district, rows) if step == "ledger_import" else globals()[f"step_{step}"](district)
    print(
        json.dumps(
            {"step": step, "district": district.name, "peak_mib": round(_peak_mib()), **result}, ensure_ascii=False
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--district", default=None)
    parser.add_argument("--import-rows", type=int, default=30000)
    parser.add_argument("--step", choices=STEPS, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child(args.step, args.district, args.import_rows)
        return
    results = {}
    for step in STEPS:
        command = [sys.executable, __file__, "--step", step, "--import-rows", str(args.import_rows)]
        if args.district:
            command += ["--district", args.district]
        out = subprocess.run(command, check=True, capture_output=True, text=True, env=server_env(), cwd=ROOT)  # noqa: S603
        results[step] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(results[step], ensure_ascii=False), flush=True)
    b, e, i, n = (results[s] for s in STEPS)
    emit(
        "documents",
        [
            figure(f"bulletin ({b['district']})", round(b["seconds"], 2), "s"),
            figure("bulletin peak memory", b["peak_mib"], "MiB"),
            figure(f"ledger export ({e['rows']} rows)", round(e["seconds"], 2), "s"),
            figure("ledger export peak memory", e["peak_mib"], "MiB"),
            figure(f"ledger import ({i['first']['created']} rows, one transaction)", i["first"]["total_s"], "s"),
            figure("ledger re-import (nothing created)", i["again"]["total_s"], "s"),
            figure("ledger import peak memory", i["peak_mib"], "MiB"),
            figure("notice issue + render (median of 20)", round(n["seconds"] * 1000), "ms"),
        ],
        f"documents: bulletin {b['seconds']:.1f} s, ledger export {e['seconds']:.1f} s, "
        f"import {i['first']['total_s']:.1f} s, notice {n['seconds'] * 1000:.0f} ms",
    )


if __name__ == "__main__":
    main()
