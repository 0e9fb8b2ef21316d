"""The bulletin's chart: a PNG with Chinese labels where a CJK font is installed, number labels otherwise; never a
box for a missing glyph."""

from __future__ import annotations

import io
import warnings

import pytest
from PIL import Image

from targets.documents.charts import cjk_font, department_chart
from tests.conftest import require_service

NAMES = ["经济发展办", "房管办", "财政所", "社区事务受理服务中心", "城管中队", "规划办", "农业中心", "文体中心"]
RATES = [100.0, 87.5, 66.7, 50.0, 40.0, 33.3, 0.0, 100.0]
TREND = [(f"{m}月", 100.0 - m * 3) for m in range(1, 12)]


@pytest.mark.parametrize("font", ["detected", None])
def test_chart_draws_without_missing_glyphs(font):
    if font == "detected":
        require_service(cjk_font() is not None, "a CJK font (make fonts installs fonts-wqy-zenhei)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = department_chart(NAMES, RATES, TREND, **({} if font == "detected" else {"font": None}))
    assert not [w for w in caught if "missing from" in str(w.message)]  # "Glyph 32463 missing from font(s)"
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1500, 630)  # 10 x 4.2 in at 150 dpi


def test_a_single_unit_and_a_single_month():
    image = Image.open(io.BytesIO(department_chart(["经济发展办"], [50.0], [("1月", 50.0)])))
    assert image.format == "PNG"
