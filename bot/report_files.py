"""`estate-bot report week|month [YYYY-MM]`: the report on the command line, its chart and the
period's tickets written to a folder.

The same report the groups receive, from the same figures: printed as text in the estate's
language (or the one asked for), the chart drawn as it would be sent, and the spreadsheet /export
sends. For an office that files its reports, or a manager without Telegram at hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.features import Features
from bot.render import Renderer, plain_text
from handlers.reports.delivery import build
from handlers.reports.export import tickets_of, workbook
from handlers.reports.period import Kind, parse
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class ReportFiles:
    """A report as text, its chart as a PNG and the period's tickets as an XLSX."""

    label: str
    language: str
    text: str
    chart: bytes
    spreadsheet: bytes

    def save(self, folder: Path) -> tuple[Path, Path]:
        """Write the chart and the spreadsheet into `folder`; their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        chart = folder / f"report-{self.label}-{self.language}.png"
        chart.write_bytes(self.chart)
        sheet = folder / f"tickets-{self.label}.xlsx"
        sheet.write_bytes(self.spreadsheet)
        return chart, sheet


async def make_report(
    uow: UnitOfWork, features: Features, renderer: Renderer, language: str, kind: Kind, month: str
) -> ReportFiles:
    """The report of the period asked for (ValueError if the words name none)."""
    period = parse(kind, month, uow.now, renderer.timezone)
    bodies = await build(uow, features.sections, period)
    spreadsheet = workbook(await tickets_of(uow, period), renderer.timezone)
    return ReportFiles(
        period.label,
        language,
        "\n\n".join(plain_text(renderer.text(language, body)) for body in bodies),
        renderer.chart_png(language, bodies[0]["chart"]),
        spreadsheet,
    )
