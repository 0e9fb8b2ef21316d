"""A rate written 同口径增长 / 可比增长 / 按可比价 takes the sentence's subject, as 同比 does."""

from __future__ import annotations

import pytest

from reports.extraction import extract_achievements


@pytest.mark.parametrize("marker", ["同口径增长", "可比增长", "同比增长", "按可比价计算增长"])
def test_a_comparable_rate_names_the_subject(marker):
    text = f"一、2023年工作回顾\n全年完成一般公共预算收入 9.3 亿元，{marker} 13.5%。\n二、2024年工作安排\n"
    rates = [a for a in extract_achievements(text) if a.unit == "%"]
    assert [(a.metric, a.value, a.relation) for a in rates] == [("一般公共预算收入增速", 13.5, "growth")]
