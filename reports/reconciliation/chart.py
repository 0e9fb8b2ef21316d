"""Verdicts by department as an inline SVG (stacked horizontal bars), drawn on the server: no script, no CDN."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.models import Reconciliation

COLOURS = {
    "met": "#2f9e44",
    "partly_met": "#f0b429",
    "missed": "#d64545",
    "no_evidence": "#9aa5b1",
    "contradicted": "#8e44ad",
}
BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 22, 8, 130, 420


def verdict_chart(departments: list[dict]) -> SafeString:
    """`departments` as from `selectors.verdicts_by_department`."""
    labels = dict(Reconciliation.Verdict.choices)
    most = max((d["total"] for d in departments), default=0) or 1
    legend_y = 14
    parts = []
    x = 0
    for verdict, colour in COLOURS.items():
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y}" font-size="12">{labels[verdict]}</text>')
        x += 90
    y = 28
    for entry in departments:
        name = escape(entry["department"])
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{name}</text>')
        offset = LABEL_WIDTH
        for verdict, colour in COLOURS.items():
            count = entry[verdict]
            if not count:
                continue
            width = count / most * BAR_WIDTH
            parts.append(
                f'<rect class="bar bar-{verdict}" x="{offset:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{colour}" data-department="{name}" data-verdict="{verdict}" data-count="{count}">'
                f"<title>{name} · {labels[verdict]}：{count}</title></rect>"
            )
            if width >= 18:
                parts.append(
                    f'<text x="{offset + width / 2:.1f}" y="{y + 15}" font-size="12" fill="#fff" '
                    f'text-anchor="middle">{count}</text>'
                )
            offset += width
        parts.append(f'<text x="{offset + 6:.1f}" y="{y + 15}" font-size="12" fill="#52606d">{entry["total"]}</text>')
        y += BAR_HEIGHT + GAP
    height = max(y, 40)
    width = LABEL_WIDTH + BAR_WIDTH + 40
    svg = (
        f'<svg class="verdict-chart" role="img" aria-label="各牵头单位核对结果" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 - every text inside was escaped above  # nosec B308, B703
