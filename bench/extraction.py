"""Speed of extraction: prints figures, asserts nothing.

    .venv/bin/python bench/extraction.py [--repeat N]

Measures normalisation + extract_commitments + extract_achievements (the work an import does) over the five
samples and the twelve corpus reports, against a bare single-pattern regex number scan over the same texts in the
same run; the five samples alone in a warm process; and linearity on 1x, 10x, 100x the corpus concatenated.
Per-text caches (normalise, and split_sections when it has one) are cleared before every pass, so each pass
does the full work once per document: the caches only let the two extractors share one normalisation.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports.extraction import extract_achievements, extract_commitments  # noqa: E402
from reports.extraction import sections as _sections  # noqa: E402
from reports.extraction.text import normalise  # noqa: E402

SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"
BARE = re.compile(r"\d+(?:\.\d+)?")


def clear_caches() -> None:
    normalise.cache_clear()
    clear = getattr(_sections.split_sections, "cache_clear", None)
    if clear:
        clear()


def pipeline(text: str) -> int:
    normalise(text)
    return len(extract_commitments(text)) + len(extract_achievements(text))


def bare_scan(text: str) -> int:
    return sum(1 for _ in BARE.finditer(text))


def timed(fn, texts: list[str], repeat: int) -> float:
    """Best wall time (seconds) of `repeat` passes of fn over all texts; caches cleared before each pass."""
    best = float("inf")
    for _ in range(repeat):
        clear_caches()
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    return best


def read(folder: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))] if folder.is_dir() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    samples, corpus = read(SAMPLES), read(CORPUS)
    texts = samples + corpus
    chars = sum(map(len, texts))
    for t in texts:  # warm up: imports, regex compilation
        pipeline(t)

    full = timed(pipeline, texts, args.repeat)
    bare = timed(bare_scan, texts, args.repeat)
    print(f"documents: {len(samples)} samples + {len(corpus)} corpus = {len(texts)}, {chars:,} characters")
    print(
        f"extraction (normalise + commitments + achievements): {full * 1000:.1f} ms, "
        f"{len(texts) / full:.0f} documents/s, {chars / full / 1e6:.2f} M characters/s"
    )
    print(f"bare regex number scan: {bare * 1000:.2f} ms, {chars / bare / 1e6:.1f} M characters/s")
    print(f"ratio extraction / bare scan: {full / bare:.0f}x")

    s_full = timed(pipeline, samples, args.repeat * 3)
    s_bare = timed(bare_scan, samples, args.repeat * 3)
    s_commit = timed(extract_commitments, samples, args.repeat * 3)
    s_ach = timed(extract_achievements, samples, args.repeat * 3)
    print(
        f"5 samples, warm process: {s_full * 1000:.1f} ms (goal < 50 ms; commitments alone {s_commit * 1000:.1f} ms, "
        f"achievements alone {s_ach * 1000:.1f} ms), {s_full / s_bare:.0f}x the bare scan ({s_bare * 1000:.2f} ms)"
    )

    if corpus:
        base = "\n".join(corpus)
        print("linearity (corpus concatenated):")
        per_char = []
        for k in (1, 10, 100):
            big = "\n".join([base] * k)
            runs = 3 if k < 100 else 1
            t = timed(pipeline, [big], runs)
            per_char.append(t / len(big))
            print(f"  {k:>3}x: {len(big):>10,} chars  {t:8.3f} s  {t / len(big) * 1e6:.3f} µs/char")
        spread = max(per_char) / min(per_char)
        print(f"  per-character time varies by {spread:.2f}x from 1x to 100x (1.00 = perfectly linear)")
    print("run-on input (one sentence of n figures, review + plan; must stay linear in n):")
    for n in (1_000, 10_000):
        body = "完成1个，" * n
        hostile = f"一、2022年工作回顾\n{body}。\n二、2023年工作安排\n{body}。\n"
        t = timed(pipeline, [hostile], 1)
        print(f"  n={n:>6,}: {len(hostile):>8,} chars  {t:7.2f} s  {t / len(hostile) * 1e6:.2f} µs/char")
    print(f"(best of {args.repeat} passes; the machine is shared, so single runs vary)")


if __name__ == "__main__":
    main()
