"""Year-end verdicts measured on labelled pairs (tests/data/reconciliation/*.json, see reconciliation_labels.py).

Real pairs read by hand (national 2023, 2024; 海拉尔 2018; 满城 2022; 清苑 2023; 顺平 2023) and town-style reviews
written for the sample plan years (高行, 庙行, 新泾 2023). The figures are printed by
`python -m tests.reports.reconciliation_labels` and copied into docs/reconciliation.md.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import require_service
from tests.reports import reconciliation_labels as labels


@pytest.fixture(scope="module")
def rows():
    try:
        return labels.all_rows()
    except FileNotFoundError as missing:
        require_service(False, f"../shared corpus and seeds ({missing})")


def test_every_label_finds_its_target(rows):
    for path in labels.label_files():
        spec = json.loads(path.read_text(encoding="utf-8"))
        matched = [r for r in rows if r.pair == path.stem and r.expected]
        assert len(matched) == len(spec["labels"]), path.stem
        # and every target figure of the pair is labelled: nothing is left out of the measurement
        assert len(matched) == len([r for r in rows if r.pair == path.stem]), path.stem


def test_met_is_precise_and_the_verdicts_accurate(rows):
    figures = labels.measure(rows)
    assert figures["labelled"] >= 300
    assert figures["met"]["precision"] >= 0.98, figures["met"]
    assert figures["accuracy"] >= 0.90, figures["accuracy"]


def test_no_met_for_a_deferred_not_started_or_negated_item(rows):
    negative = [r for r in rows if r.state in labels.NEGATIVE_STATES]
    assert len(negative) >= 10
    assert [r.quote for r in negative if r.proposed == "met"] == []


def test_metric_names_name_the_measured_thing(rows):
    figures = labels.measure(rows)
    assert figures["names_checked"] >= 150
    assert figures["names_right"] / figures["names_checked"] >= 0.95


def test_every_labelled_proposal_gives_its_reason(rows):
    for row in rows:
        assert row.reason and row.reason.split("：", 1)[0] in {"完成", "基本完成", "未完成", "无法核实", "存在矛盾"}
