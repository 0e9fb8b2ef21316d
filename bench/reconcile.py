"""Speed of the reconciliation engine: prints figures, asserts nothing.

    .venv/bin/python bench/reconcile.py [--targets 1000] [--achievements 1000] [--repeat 3]

Builds N target figures from the commitments and M achievements extracted from the corpus reports and samples
(cycled when there are fewer), plus the corpus review texts for the deliverables, then times `engine.reconcile`
(matching, verdicts, deliverable evidence, growth from levels, the cross-document warnings). Extraction is
done once beforehand and not timed. The issue's bar: 1,000 targets against 1,000 achievements in under 2 s
(scaled linearly for other sizes). Ends with one JSON line of figures (bench/common.py) and a summary.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import emit, figure  # noqa: E402

from reports.extraction import extract_achievements, extract_commitments  # noqa: E402
from reports.reconciliation import engine  # noqa: E402

SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--achievements", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))]
    commitments = [c for t in texts for c in extract_commitments(t)]
    achievements = [a for t in texts for a in extract_achievements(t)]
    figures = [
        engine.TargetFigure.from_commitment(c, id=i) for i, c in enumerate(islice(cycle(commitments), args.targets))
    ]
    records = list(islice(cycle(achievements), args.achievements))
    review_text = "\n".join(texts[-4:])  # a long review: the deliverables search it
    kinds = Counter(f.kind for f in figures)
    print(
        f"{len(figures)} target figures ({dict(kinds)}) against {len(records)} achievements; "
        f"review text {len(review_text):,} characters"
    )
    best = None
    for run in range(args.repeat):
        engine.metric_grams.cache_clear()
        engine.is_generic.cache_clear()
        engine._INDEXES.clear()
        started = time.perf_counter()
        proposals = engine.reconcile(figures, records, review_text=review_text, previous=records, year=None)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
        print(f"run {run + 1}: {elapsed:.2f} s (cold caches)")
    verdicts = Counter(p.verdict for p in proposals)
    print(f"best {best:.2f} s — {len(figures) / best:,.0f} targets/s; verdicts {dict(verdicts)}")
    goal = 2.0 * max(len(figures), len(records)) / 1000
    emit(
        "reconcile",
        [
            figure(f"reconcile {len(figures)} targets x {len(records)} achievements", round(best, 2), "s",
                   f"<= {goal:g} s", best <= goal),
            figure("reconcile throughput", round(len(figures) / best), "targets/s"),
        ],
        f"reconcile: {len(figures)} targets against {len(records)} achievements in {best:.2f} s "
        f"(best of {args.repeat})",
        verdicts=dict(verdicts),
    )  # fmt: skip


if __name__ == "__main__":
    main()
