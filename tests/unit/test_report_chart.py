"""The report's chart: drawn in either language at the expected size, with no missing glyph."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from PIL import Image

from bot.charts import DPI, HEIGHT, WIDTH
from bot.render import Renderer
from handlers.messages import text
from tests.domain.harness import ZONE

CHART = {
    "title": text("report.title.month", period="2026-11", start="2026-11-01"),
    "trend_title": text("report.chart.trend.month"),
    "kpi_title": text("report.chart.kpis"),
    "periods": [
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ],
    "series": [
        {
            "label": text("report.figure.repairs.received"),
            "values": [12, 15, 9, None, 14, 18, 21, 17, 13, 16, 19, 22],
        },
        {
            "label": text("report.figure.complaints.received"),
            "values": [3, 2, 4, 1, 0, 2, 5, 3, 2, 1, 4, 3],
        },
        {
            "label": text("report.figure.slips.issued"),
            "values": [7, 6, 8, 9, 5, 4, 6, 8, 7, 9, 10, 6],
        },
    ],
    "kpis": [
        {
            "label": text("report.figure.repairs.callbacks"),
            "value": 87.5,
            "target": 100,
            "met": False,
        },
        {
            "label": text("report.figure.complaints.reply_on_time.minor"),
            "value": 50.0,
            "target": 100,
            "met": False,
        },
        {
            "label": text("report.figure.repairs.satisfied"),
            "value": 93.0,
            "target": 90,
            "met": True,
        },
        {
            "label": text("report.figure.complaints.satisfied"),
            "value": 100.0,
            "target": 90,
            "met": True,
        },
    ],
}


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_the_chart_is_drawn_at_its_size_with_every_glyph(language: str, tmp_path: Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = Renderer(ZONE).chart_png(language, CHART)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing
    (tmp_path / f"report-{language}.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (WIDTH * DPI, HEIGHT * DPI)
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # a drawing, not a blank page


def test_a_chart_body_goes_out_as_a_photo_with_its_caption():
    body = {
        "lines": [text("report.title.month", period="2026-11", start="2026-11-01")],
        "chart": CHART,
    }
    renderer = Renderer(ZONE)
    assert renderer.captioned(body)
    (call,) = renderer.send("zh_Hans", -1001, body)
    assert call.method == "sendPhoto" and call.params["caption"] == "<b>月报 2026-11</b>"
    assert call.params["photo"].filename == "report.png"
