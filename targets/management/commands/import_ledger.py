"""`import_ledger PATH --org NAME [--year Y] [--skip-rows 7,12] [--dry-run]`: import an existing 任务台账.

Every row is checked first; when any row is bad (and not skipped), the rows and reasons are printed to stderr,
nothing is saved and the exit status is 2. Re-running on the same file creates nothing new.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.management.commands.extract_commitments import exit_with_error
from targets.documents.ledger_import import LedgerMappingError, LedgerRowsError, ledger_check, ledger_import
from targets.documents.ledger_read import FIELD_LABELS, LedgerFileError, guess_mapping, guess_plan_year, read_ledger
from targets.models import Organisation


class Command(BaseCommand):
    help = "导入已有的任务台账（.xlsx/.xls/.csv）：逐行检查，有问题的行不跳过则不导入任何任务。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="台账文件")
        parser.add_argument("--org", required=True, help="组织名称")
        parser.add_argument("--year", type=int, default=None, help="计划年度（默认取表头标题或日期中的年份）")
        parser.add_argument("--skip-rows", default="", help="跳过的行号，逗号分隔（如 7,12）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")

    def handle(self, *args, path: str, org: str, year, skip_rows: str, dry_run: bool, **options) -> None:
        organisation = Organisation.objects.filter(name=org.strip()).first()
        if organisation is None:
            exit_with_error(self, f"找不到组织：{org}")
        try:
            skip = {int(n) for n in skip_rows.replace("，", ",").split(",") if n.strip()}
        except ValueError:
            exit_with_error(self, f"--skip-rows 应为逗号分隔的行号：{skip_rows}")
        file = Path(path)
        try:
            content = file.read_bytes()
        except OSError as error:
            exit_with_error(self, f"无法读取文件 {file}：{error.strerror}")
        try:
            table = read_ledger(content, file.name)
            mapping = guess_mapping(table.headers)
            plan_year = year or guess_plan_year(table, timezone.localdate().year)
            check = ledger_check(
                table=table, mapping=mapping, organisation=organisation, plan_year=plan_year, skip_rows=skip
            )
            columns = "，".join(f"{table.headers[i]}→{FIELD_LABELS[n]}" for i, n in sorted(mapping.items()))
            self.stdout.write(f"表头在第 {table.header_row} 行；列：{columns}；计划年度 {plan_year}。")
            if check.errors:
                raise LedgerRowsError(check.errors)
            created = (
                []
                if dry_run
                else ledger_import(check=check, organisation=organisation, plan_year=plan_year, source=file.name)
            )
        except (LedgerFileError, LedgerMappingError) as error:
            exit_with_error(self, str(error))
        except LedgerRowsError as error:
            lines = [f"第 {e['row']} 行：{e['reason']}" for e in error.errors]
            exit_with_error(self, "\n".join([str(error), *lines, "请修改文件，或用 --skip-rows 跳过这些行。"]))
        verb = "可导入" if dry_run else "已导入"
        self.stdout.write(
            f"{verb} {len(check.planned) if dry_run else len(created)} 项；已存在 {len(check.existing)} 项；"
            f"分类标题 {len(check.headings)} 行；跳过 {len(check.skipped)} 行。"
        )
