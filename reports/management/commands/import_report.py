"""Import reports from files: `import_report PATH [PATH ...] --org NAME [--year Y] [--accept-all]`.

All files or none: one transaction, so a bad file leaves the database as it was.
A progress bar shows on a terminal only; bad input exits with status 2.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from reports.management.commands.extract_commitments import exit_with_error
from reports.services import ReportImportError, commitments_accept_all, report_import
from targets.models import Organisation


class Command(BaseCommand):
    help = "导入报告文件：提取承诺事项和成效并保存（可选全部采纳为目标任务）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="报告文件（.txt / .docx / .pdf）")
        parser.add_argument("--org", required=True, help="组织名称（不存在时自动创建）")
        parser.add_argument("--year", type=int, default=None, help="计划年度（覆盖自动识别的年度）")
        parser.add_argument("--accept-all", action="store_true", help="将全部承诺事项采纳为目标任务")

    def handle(self, *args, paths: list[str], org: str, year: int | None, accept_all: bool, **options) -> None:
        name = org.strip()
        if not name:
            exit_with_error(self, "组织名称不能为空。")
        files = [Path(p) for p in paths]
        for file in files:
            if not file.is_file():
                exit_with_error(self, f"找不到文件：{file}")

        lines: list[str] = []
        try:
            with transaction.atomic():
                organisation, _ = Organisation.objects.get_or_create(name=name)
                for file in self._progress(files):
                    try:
                        report = report_import(
                            organisation=organisation, filename=file.name, data=file.read_bytes(), year=year
                        )
                    except ReportImportError as error:
                        raise _FileError(f"{file.name}：{error.message}") from None
                    line = (
                        f"已导入《{report.title}》（{file.name}）：承诺事项 {report.commitments.count()} 条，"
                        f"成效 {report.achievements.count()} 条"
                    )
                    if accept_all:
                        targets = commitments_accept_all(report=report, acting_user=None)
                        line += f"，已采纳为目标任务 {len(targets)} 项"
                    lines.append(line + "。")
        except _FileError as error:
            exit_with_error(self, f"{error}\n未导入任何文件。")
        for line in lines:
            self.stdout.write(line)

    def _progress(self, files: list[Path]):
        if len(files) > 1 and self.stdout.isatty():
            return tqdm(files, desc="导入报告", unit="份", file=self.stdout._out)
        return files


class _FileError(Exception):
    pass
