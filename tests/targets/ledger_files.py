"""Ledger files as offices keep them, built in code: a messy .xlsx (title rows, merged cells, blank lines,
section rows, dates as text and as Excel dates, a few broken rows), the same as .xls-free .csv, and bad files."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import openpyxl

HEADER = ["序号", "工作任务", "牵头单位", "配合单位", "分管领导", "完成时限", "时间节点", "目标值", "进展情况", "备注"]

# (row cells, what a careful clerk makes of it)
GOOD = [
    [
        "1",
        "新建道路 3.5 公里",
        "建管中心",
        "财政所、规划办",
        "王副镇长",
        "2026年12月底",
        "6 月底前完成招标，12 月底前竣工",
        "3.5公里",
        "已完成可研",
        None,
    ],
    [
        "2",
        "改造老旧小区 12 个",
        None,
        "房管办",
        "王副镇长",
        datetime(2026, 11, 30),
        "3月底前完成立项；6月完成设计、招标，11月竣工",
        "12个",
        None,
        None,
    ],
    ["3", "实现财政预算收入 9.1 亿元", None, None, "李镇长", "年底前", None, "9.1亿元", "1—10 月完成 7.8 亿元", None],
    ["4", "建成口袋公园 5 个", "绿化所", None, None, "2026.9", "三季度末建成", "不少于5个", None, None],
    [
        "5",
        "完成河道整治",
        "水务站",
        "城管中队",
        "赵副镇长",
        None,
        "6月底前完成方案，次年3月底前完工",
        None,
        None,
        "跨年度",
    ],
]
BROKEN = [
    [
        "6",
        "新增就业岗位 800 个",
        None,
        None,
        None,
        "待定",
        None,
        "800个",
        None,
        None,
    ],  # lead empty (not merged), due 待定
    ["7", None, "经济办", None, None, "2026年6月底", None, None, None, None],  # no task text
    ["8", "引进企业 1.2.3 家", "经济办", None, None, "2016年6月底", None, "1.2.3家", None, None],  # bad figure, year
]


def messy_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["长兴镇 2026 年重点工作任务台账"])
    sheet.merge_cells("A1:J1")
    sheet.append(["填报单位：长兴镇督查室", None, None, None, None, None, None, None, "单位：项"])
    sheet.append([])
    sheet.append(HEADER)  # the header on line 4
    sheet.append(["一、城市建设"])
    sheet.merge_cells("A5:J5")
    for row in GOOD[:2]:
        sheet.append(row)
    sheet.merge_cells("C6:C7")  # 建管中心 leads rows 6 and 7
    sheet.append([])  # a blank line
    sheet.append(["二、经济发展"])
    sheet.merge_cells("A9:J9")
    sheet.append(GOOD[2])
    sheet["C10"] = "财政所"
    for row in GOOD[3:]:
        sheet.append(row)
    for row in BROKEN:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# sheet row of each GOOD and BROKEN row in messy_xlsx()
GOOD_ROWS = [6, 7, 10, 11, 12]
BROKEN_ROWS = [13, 14, 15]


def simple_csv(encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(HEADER[:7])]
    lines.append("1,建设文化中心,文体中心,,张副镇长,2026年10月底,5月底前开工，10月底前竣工")
    lines.append("2,完成垃圾分类达标小区 20 个,城管中队,各居委,,2026-12-31,")
    return ("\n".join(lines) + "\n").encode(encoding)
