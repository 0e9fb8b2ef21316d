"""Year-end reconciliation from the shell: `reconcile --org NAME --year Y [--json] [--xlsx FILE]`.

Runs the same service as the page and the API (proposals only; confirming is a person's act). With --json,
prints one row per checked target figure; with --xlsx, writes the 任务台账 workbook. Bad input exits with 2.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from reports.management.commands.extract_commitments import exit_with_error
from reports.models import Reconciliation
from reports.reconciliation import export, selectors
from reports.reconciliation.services import ReconciliationError, reconciliation_run
from targets.models import Organisation


def json_row(row: Reconciliation) -> dict:
    target, details = row.target, row.details or {}
    return {
        "target_id": target.pk,
        "metric": target.metric,
        "relation": target.relation or None,
        "unit": target.unit or None,
        "comparator": target.comparator or None,
        "target_value": target.target_value,
        "achieved_value": row.achieved_value,
        "verdict": row.verdict,
        "proposed_verdict": row.proposed_verdict,
        "ratio": row.ratio,
        "commitment_quote": target.commitment.quote if target.commitment else target.title,
        "achievement_quote": row.evidence_quote or None,
        "department": selectors.department_name(row),
        "basis": details.get("basis"),
        "similarity": details.get("similarity"),
        "period": details.get("period"),
        "marks": details.get("marks") or [],
        "warnings": details.get("warnings") or [],
        "why": details.get("why"),
        "reason": row.reason,
        "arithmetic": details.get("arithmetic"),
        "candidates": [
            {"metric": c["metric"], "value": c["value"], "unit": c["unit"], "score": c["score"]}
            for c in details.get("candidates") or []
        ],
    }


class Command(BaseCommand):
    help = "年终核对：将某年度的目标任务与回顾该年度的报告逐项核对，生成建议结论（可导出任务台账）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="组织名称")
        parser.add_argument("--year", type=int, required=True, help="核对年度（目标任务的计划年度）")
        parser.add_argument("--json", action="store_true", help="以 JSON 数组输出每项目标的核对结果")
        parser.add_argument("--xlsx", metavar="FILE", default=None, help="导出任务台账 Excel 文件")

    def handle(self, *args, org: str, year: int, json: bool, xlsx: str | None, **options) -> None:
        organisation = Organisation.objects.filter(name=org.strip()).first()
        if organisation is None:
            exit_with_error(self, f"找不到组织：{org}")
        try:
            reconciliation_run(organisation=organisation, year=year)
        except ReconciliationError as error:
            exit_with_error(self, error.messages[0])
        rows = list(selectors.reconciliations_for(organisation=organisation, year=year))
        if xlsx:
            path = Path(xlsx)
            try:
                path.write_bytes(export.ledger_workbook(rows, title=f"{organisation.name} {year} 年"))
            except OSError as error:
                exit_with_error(self, f"无法写入文件 {path}：{error.strerror}")
        if json:
            self.stdout.write(_dumps([json_row(r) for r in rows]))
            return
        counts = selectors.verdict_counts(rows)
        labels = dict(Reconciliation.Verdict.choices)
        summary = "，".join(f"{labels[v]} {n}" for v, n in counts.items())
        self.stdout.write(f"{organisation.name} {year} 年核对 {len(rows)} 项：{summary}。")
        if xlsx:
            self.stdout.write(f"任务台账已写入 {xlsx}。")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
