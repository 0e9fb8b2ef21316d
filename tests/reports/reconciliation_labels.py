"""Labelled year-end pairs and the figures measured on them (per-verdict precision and recall).

Each pair is a report that sets year Y's targets and the report (or a town-style review written for the purpose)
that reviews Y. Labels live in `tests/data/reconciliation/*.json`, one file per pair, written by reading both texts:
for every target figure extracted from the plan, the verdict a careful reader gives (`expected`), for deliverables
the outcome the review states when it is negative (`state`: deferred / not_started / negated), and the words a
right metric name must contain (`names`, any of them).

    .venv/bin/python -m tests.reports.reconciliation_labels            # the table in docs/reconciliation.md
    .venv/bin/python -m tests.reports.reconciliation_labels --dump P   # draft lines for a pair's targets

The thresholds are asserted by `tests/reports/test_reconciliation_labelled.py`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reports.extraction import extract_achievements, extract_commitments  # noqa: E402
from reports.extraction.sections import split_sections  # noqa: E402
from reports.reconciliation import engine  # noqa: E402
from reports.reconciliation.engine import TargetFigure  # noqa: E402

SHARED = ROOT.parent / "shared"
LABELS = ROOT / "tests" / "data" / "reconciliation"
VERDICTS = engine.VERDICTS
NEGATIVE_STATES = ("deferred", "not_started", "negated")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


@dataclass
class Row:
    pair: str
    quote: str
    metric: str
    value: float | None
    kind: str
    proposed: str
    expected: str | None = None
    state: str = ""
    names: list[str] = field(default_factory=list)
    reason: str = ""


def label_files() -> list[Path]:
    return sorted(LABELS.glob("*.json"))


def _resolve(path: str) -> Path:
    """Paths in a label file are relative to ../shared (corpus, seeds) or to the label folder (written reviews)."""
    for base in (SHARED, LABELS):
        if (base / path).exists():
            return base / path
    raise FileNotFoundError(path)


@cache
def run_pair(name: str) -> tuple[list, list[engine.Proposal]]:
    spec = json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))
    plan_text = _resolve(spec["plan"]).read_text(encoding="utf-8")
    review_text = _resolve(spec["review"]).read_text(encoding="utf-8")
    year = spec["year"]
    commitments = [c for c in extract_commitments(plan_text) if str(c.plan_year or "").startswith(str(year))]
    figures = [TargetFigure.from_commitment(c, id=i) for i, c in enumerate(commitments)]
    part, offset = engine.review_part(review_text, split_sections(review_text), year)
    proposals = engine.reconcile(
        figures,
        extract_achievements(review_text),
        review_text=part,
        review_offset=offset,
        previous=extract_achievements(plan_text),
        next_commitments=extract_commitments(review_text),
        year=year,
    )
    return commitments, proposals


def rows_for(name: str) -> list[Row]:
    """Every target figure of the pair with its proposal and, when labelled, its expected verdict."""
    spec = json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))
    commitments, proposals = run_pair(name)
    rows = [
        Row(name, c.quote, c.metric, c.value, c.kind, p.verdict, reason=p.details.get("reason", ""))
        for c, p in zip(commitments, proposals, strict=True)
    ]
    free = list(range(len(rows)))
    for label in spec["labels"]:
        key = _squash(label["quote"])
        hits = [
            i
            for i in free
            if key in _squash(rows[i].quote)
            and (label.get("value") is None or _close(rows[i].value, label["value"]))
            and (label.get("value") is not None or rows[i].value is None or rows[i].kind != "quantitative")
        ]
        if not hits:
            continue  # a label whose target the extraction no longer produces counts as nothing proposed
        i = hits[0]
        free.remove(i)
        rows[i].expected = label["expected"]
        rows[i].state = label.get("state", "")
        rows[i].names = label.get("names", [])
    return rows


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def measure(rows: list[Row]) -> dict:
    labelled = [r for r in rows if r.expected]
    out: dict = {"figures": len(rows), "labelled": len(labelled)}
    for verdict in VERDICTS:
        proposed = [r for r in labelled if r.proposed == verdict]
        expected = [r for r in labelled if r.expected == verdict]
        right = [r for r in proposed if r.expected == verdict]
        out[verdict] = {
            "proposed": len(proposed),
            "expected": len(expected),
            "right": len(right),
            "precision": len(right) / len(proposed) if proposed else None,
            "recall": len(right) / len(expected) if expected else None,
        }
    out["accuracy"] = sum(r.proposed == r.expected for r in labelled) / len(labelled) if labelled else None
    out["met_on_negative"] = sum(r.proposed == "met" for r in labelled if r.state in NEGATIVE_STATES)
    out["negative_items"] = sum(r.state in NEGATIVE_STATES for r in labelled)
    named = [r for r in labelled if r.kind == "quantitative" and r.names]
    out["names_checked"] = len(named)
    out["names_right"] = sum(any(n in r.metric for n in r.names) for r in named)
    return out


def all_rows() -> list[Row]:
    return [row for path in label_files() for row in rows_for(path.stem)]


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def table() -> str:
    lines = [
        "| pair | labelled | met P/R | partly_met P/R | missed P/R | no_evidence P/R | accuracy |",
        "|" + " --- |" * 7,
    ]
    for path in [*label_files(), None]:
        rows = rows_for(path.stem) if path else all_rows()
        m = measure(rows)
        cells = [
            f"{_pct(m[v]['precision'])} / {_pct(m[v]['recall'])}"
            for v in ("met", "partly_met", "missed", "no_evidence")
        ]
        name = path.stem if path else "**all**"
        lines.append(
            f"| {name} | {m['labelled']} of {m['figures']} | " + " | ".join(cells) + f" | {_pct(m['accuracy'])} |"
        )
    m = measure(all_rows())
    lines.append("")
    lines.append(
        f"met proposed {m['met']['proposed']}, right {m['met']['right']}; met on deferred/not-started/negated items: "
        f"{m['met_on_negative']} of {m['negative_items']}; metric names naming the measured thing: "
        f"{m['names_right']} of {m['names_checked']}"
    )
    confusion = Counter((r.expected, r.proposed) for r in all_rows() if r.expected)
    lines.append("")
    lines.append(
        "confusion (expected → proposed): "
        + ", ".join(f"{e}→{p} {n}" for (e, p), n in sorted(confusion.items()) if e != p)
    )
    return "\n".join(lines)


def dump(name: str) -> None:
    """Draft label lines for a pair: each target's quote, value, the engine's proposal and reason (to be checked)."""
    for row in rows_for(name):
        draft = {"quote": row.quote[:60], "value": row.value, "expected": row.expected or "?", "names": row.names}
        print(
            json.dumps(draft, ensure_ascii=False), "#", row.kind, row.metric, "→", row.proposed, "|", row.reason[:160]
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dump", metavar="PAIR")
    args = parser.parse_args()
    if args.dump:
        dump(args.dump)
    else:
        print(table())


if __name__ == "__main__":
    main()
