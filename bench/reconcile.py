"""Speed of the reconciliation engine: prints figures, asserts nothing.

    .venv/bin/python bench/reconcile.py [--targets 1000] [--achievements 1000] [--repeat 3] [--orgs 1]

Builds N target figures from the commitments and M achievements extracted from the corpus reports and samples
(cycled when there are fewer), plus the corpus review texts for the deliverables, then times `engine.reconcile`
(matching, verdicts, deliverable evidence, growth from levels, the cross-document warnings). Extraction is
done once beforehand and not timed. The issue's bar: 1,000 targets against 1,000 achievements in under 2 s
(scaled linearly for other sizes). `--orgs N` reconciles N organisations one after the other, each its own
`--targets` against its own `--achievements` (a district's towns at year end: `--orgs 100 --targets 300`).
Ends with one JSON line of figures (bench/common.py) and a summary.
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
    parser.add_argument("--orgs", type=int, default=1, help="organisations reconciled one after the other")
    args = parser.parse_args()

    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))]
    commitments = [c for t in texts for c in extract_commitments(t)]
    achievements = [a for t in texts for a in extract_achievements(t)]
    # Each organisation its own slice of the cycled extractions (offset, so towns differ).
    batches = [
        (
            [
                engine.TargetFigure.from_commitment(c, id=o * args.targets + i)
                for i, c in enumerate(islice(cycle(commitments), o * args.targets, (o + 1) * args.targets))
            ],
            list(islice(cycle(achievements), o * args.achievements, (o + 1) * args.achievements)),
        )
        for o in range(args.orgs)
    ]
    figures = [f for batch, _ in batches for f in batch]
    review_text = "\n".join(texts[-4:])  # a long review: the deliverables search it
    kinds = Counter(f.kind for f in figures)
    print(
        f"{args.orgs} x {args.targets} target figures ({dict(kinds)}) against {args.achievements} achievements each; "
        f"review text {len(review_text):,} characters"
    )
    best = None
    for run in range(args.repeat):
        engine.metric_grams.cache_clear()
        engine.is_generic.cache_clear()
        engine._INDEXES.clear()
        started = time.perf_counter()
        proposals = [
            p
            for batch, achieved in batches
            for p in engine.reconcile(batch, achieved, review_text=review_text, previous=achieved, year=None)
        ]
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
        print(f"run {run + 1}: {elapsed:.2f} s (cold caches)")
    verdicts = Counter(p.verdict for p in proposals)
    print(f"best {best:.2f} s — {len(figures) / best:,.0f} targets/s; verdicts {dict(verdicts)}")
    goal = args.orgs * 2.0 * max(args.targets, args.achievements) / 1000
    what = f"{args.targets} targets x {args.achievements} achievements"
    what = what if args.orgs == 1 else f"{args.orgs} organisations x ({what})"
    emit(
        "reconcile",
        [
            figure(f"reconcile {what}", round(best, 2), "s", f"<= {goal:g} s", best <= goal),
            figure(f"reconcile throughput ({what})", round(len(figures) / best), "targets/s"),
        ],
        f"reconcile: {what} in {best:.2f} s (best of {args.repeat})",
        verdicts=dict(verdicts),
    )  # fmt: skip


if __name__ == "__main__":
    main()
