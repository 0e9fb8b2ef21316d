"""Print the achievements found in a document: `extract_achievements PATH [--json]`. No database."""

from __future__ import annotations

from collections.abc import Callable

from reports.extraction import extract_achievements
from reports.management.commands.extract_commitments import ExtractCommand


class Command(ExtractCommand):
    help = "提取报告回顾部分的成效（已完成的指标），不写数据库。"
    noun = "成效"
    extract: Callable = staticmethod(extract_achievements)
