"""Charts drawn as PNG with matplotlib (Agg backend, no display).

Chinese labels need a CJK font (Debian's fonts-wqy-zenhei or fonts-noto-cjk, installed by `make fonts`). Without
one, bars are labelled by their rank number instead of the department's name (the document's table gives the
names in the same order), so the chart never shows boxes for missing glyphs.
"""

from __future__ import annotations

import logging
from functools import cache
from io import BytesIO

import matplotlib

matplotlib.use("Agg")
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "weight normal, now using 500" noise

from matplotlib import font_manager  # noqa: E402 (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "SimSun")


@cache
def cjk_font() -> str | None:
    """The first installed font family that has Chinese glyphs, or None. A font installed after matplotlib built
    its font cache is found on disk and added, so `make fonts` takes effect without clearing the cache."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    family = next((f for f in CJK_FAMILIES if f in installed), None)
    if family is None:
        for path in font_manager.findSystemFonts():
            if any(word in path.lower() for word in ("wqy", "notosanscjk", "notoserifcjk", "noto-cjk")):
                font_manager.fontManager.addfont(path)
        installed = {entry.name for entry in font_manager.fontManager.ttflist}
        family = next((f for f in CJK_FAMILIES if f in installed), None)
    return family


AUTO = object()


def department_chart(
    names: list[str],
    rates: list[float],
    trend: list[tuple[str, float]],
    *,
    rate_label: str = "按期完成率",
    font=AUTO,
) -> bytes:
    """Left: one bar per department (its rate, in %); right: the organisation's rate at each month's end.
    `font`: a CJK family, or None for the number labels used when the machine has none (default: detected)."""
    font = cjk_font() if font is AUTO else font
    family = {"family": font} if font else {}
    labels = names if font else [str(i) for i in range(1, len(names) + 1)]
    figure = Figure(figsize=(10, 4.2), dpi=150, layout="constrained")
    bars, line = figure.subplots(1, 2, width_ratios=[2.2, 1])
    positions = list(range(len(labels)))
    bars.bar(positions, rates, width=0.6, color=["#c00000" if r < 60 else "#2f5597" for r in rates])
    crowded = len(labels) > 6
    bars.set_xticks(
        positions, labels, rotation=45 if crowded else 0, ha="right" if crowded else "center", fontsize=7, **family
    )
    bars.set_ylim(0, 105)
    bars.set_xlim(-0.8, max(len(labels), 3) - 0.2)
    bars.set_ylabel(f"{rate_label}（%）" if font else "%", **family)
    bars.set_title(f"各单位{rate_label}" if font else "rate by unit (see table)", **family)
    for x, rate in zip(positions, rates, strict=True):
        bars.annotate(f"{rate:.0f}", (x, rate), ha="center", va="bottom", fontsize=6)
    months = [m for m, _ in trend]
    line.plot(range(len(months)), [r for _, r in trend], marker="o", color="#2f5597")
    line.set_xticks(range(len(months)), months if font else [m.rstrip("月") for m in months], fontsize=7, **family)
    line.set_ylim(0, 105)
    line.set_title("逐月趋势" if font else "by month", **family)
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
