"""Print the commitments found in a document: `extract_commitments PATH [--json]`. No database."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from reports.documents import DocumentError, read_document
from reports.extraction import extract_commitments


class ExtractCommand(BaseCommand):
    """Read a file as an upload would be read, extract records, print them. Exit 2 on bad input."""

    requires_system_checks: list[str] = []
    noun = "记录"

    def extract(self, text: str) -> list:
        raise NotImplementedError

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="报告文件（.txt / .docx / .pdf）")
        parser.add_argument("--json", action="store_true", help="以 JSON 数组输出全部字段")

    def handle(self, *args, path: str, json: bool = False, **options) -> None:
        text = read_path_or_exit(self, path)
        records = self.extract(text)
        if json:
            self.stdout.write(dump_json([record.to_dict() for record in records]))
            return
        for record in records:
            self.stdout.write(describe(record))
        self.stdout.write(f"共 {len(records)} 条{self.noun}。")


def read_path_or_exit(command: BaseCommand, path: str) -> str:
    """The decoded text of the file at `path`; on bad input a Chinese message and exit status 2."""
    file = Path(path)
    try:
        if not file.is_file():
            raise DocumentError(f"找不到文件：{path}")
        size = file.stat().st_size
        if size > settings.REPORT_UPLOAD_MAX_BYTES:
            from reports.documents import check_size

            check_size(size, max_bytes=settings.REPORT_UPLOAD_MAX_BYTES)
        document = read_document(
            file.name,
            file.read_bytes(),
            max_bytes=settings.REPORT_UPLOAD_MAX_BYTES,
            extensions=settings.REPORT_UPLOAD_EXTENSIONS,
        )
    except DocumentError as error:
        exit_with_error(command, f"{file.name}：{error.message}")
    return document.text


def exit_with_error(command: BaseCommand, message: str) -> None:
    command.stderr.write(message)
    sys.exit(2)


def dump_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def describe(record) -> str:
    value = record.value_text or ""
    metric = record.metric or ""
    return f"[{record.start}-{record.end}] {metric} {value} {record.quote}".replace("\n", "")


class Command(ExtractCommand):
    help = "提取报告中的承诺事项（目标任务），不写数据库。"
    noun = "承诺事项"
    extract: Callable = staticmethod(extract_commitments)
