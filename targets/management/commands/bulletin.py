"""`bulletin --org NAME --period 2026-11 [--docx FILE]`: the 督查通报 of an organisation for a month (or 2026-Q3).

Without --docx, writes 「<组织>督查通报-<期间>.docx」 in the current directory. Bad input exits with 2.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from reports.management.commands.extract_commitments import exit_with_error
from targets.documents.bulletin import bulletin_document
from targets.documents.periods import PeriodError, parse_period
from targets.models import Organisation


class Command(BaseCommand):
    help = "生成某组织某月（或某季度）的督查通报（.docx）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="组织名称")
        parser.add_argument("--period", required=True, help="期间：月报 2026-11，季报 2026-Q3")
        parser.add_argument("--docx", metavar="FILE", default=None, help="输出文件（默认写入当前目录）")

    def handle(self, *args, org: str, period: str, docx: str | None, **options) -> None:
        organisation = Organisation.objects.filter(name=org.strip()).first()
        if organisation is None:
            exit_with_error(self, f"找不到组织：{org}")
        try:
            name, content = bulletin_document(organisation=organisation, period=parse_period(period))
        except PeriodError as error:
            exit_with_error(self, str(error))
        path = Path(docx or name)
        try:
            path.write_bytes(content)
        except OSError as error:
            exit_with_error(self, f"无法写入文件 {path}：{error.strerror}")
        self.stdout.write(f"督查通报已写入 {path}。")
