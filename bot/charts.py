"""A report's chart, drawn from its figures when the message is sent, in the reader's language.

matplotlib with the Agg backend (no display, no GUI toolkit), one figure per call, closed after
drawing so a long-running bot does not collect them. Drawing takes a few hundred milliseconds,
so callers on the event loop run it in a thread (`asyncio.to_thread`). Chinese labels are set in
Noto Sans SC, which the `pylopdf-fonts-zh-cn` package ships under the SIL Open Font License;
the font list falls back to matplotlib's own DejaVu Sans for any glyph Noto lacks, so no label
turns into empty boxes. Labels arrive already translated: this module knows no catalog.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

WIDTH, HEIGHT, DPI = 10, 8, 100
"""The picture is 1000 x 800 pixels: readable on a phone, well under Telegram's photo limits."""
FONTS = ["Noto Sans SC", "DejaVu Sans"]
GREEN, RED = "#2e7d32", "#c62828"
LABEL_WIDTH = 24
"""A KPI's label wraps at this many characters, so long ones do not squeeze the bars."""
_lock = threading.Lock()


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Kpi:
    label: str
    value: float
    target: float
    met: bool


@dataclass(frozen=True)
class Chart:
    """What to draw, every word already in the reader's language."""

    title: str
    trend_title: str
    kpi_title: str
    periods: Sequence[str]
    series: Sequence[Series]
    kpis: Sequence[Kpi]


@cache
def _matplotlib() -> None:
    """Load matplotlib on the first chart (about a second, which a process that never draws one,
    the command line's imports and every start of the bot, does not pay), with the Agg backend
    and Noto Sans SC known to it."""
    import matplotlib

    matplotlib.use("Agg")
    import pylopdf_fonts_zh_cn
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(pylopdf_fonts_zh_cn.sans_path()))


def draw(chart: Chart) -> bytes:
    """The chart as a PNG: the trend of the last periods above, the KPIs against targets below."""
    _matplotlib()
    import matplotlib
    from matplotlib.figure import Figure

    with _lock, matplotlib.rc_context({"font.family": FONTS, "axes.unicode_minus": False}):
        figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
        trend, kpis = figure.subplots(2, 1, height_ratios=(1, 1))
        figure.suptitle(chart.title, fontsize=16)
        _trend(trend, chart)
        _kpis(kpis, chart)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _trend(axes, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.ticker import MaxNLocator

    axes.set_title(chart.trend_title, fontsize=13)
    positions = range(len(chart.periods))
    for series in chart.series:
        values = [v if v is not None else float("nan") for v in series.values]
        axes.plot(positions, values, marker="o", label=series.label)
    axes.set_xticks(list(positions), list(chart.periods), fontsize=10)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.2 of a request
    axes.grid(axis="y", alpha=0.3)
    if chart.series:
        axes.legend(loc="upper left", fontsize=10)


def _kpis(axes, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    axes.set_title(chart.kpi_title, fontsize=13)
    if not chart.kpis:
        axes.set_axis_off()
        return
    rows = list(range(len(chart.kpis)))[::-1]
    colours = [GREEN if k.met else RED for k in chart.kpis]
    axes.barh(rows, [k.value for k in chart.kpis], color=colours, height=0.6)
    axes.scatter([k.target for k in chart.kpis], rows, marker="|", s=400, color="black", zorder=3)
    for row, kpi in zip(rows, chart.kpis, strict=True):
        axes.text(min(kpi.value, 100) + 1, row, f"{kpi.value:.0f}%", va="center", fontsize=10)
    labels = [textwrap.fill(k.label, LABEL_WIDTH) for k in chart.kpis]
    axes.set_yticks(rows, labels, fontsize=10)
    axes.set_xlim(0, 110)
    axes.grid(axis="x", alpha=0.3)
