"""A report as people read it: a chart with a short caption, then one message per section.

The caption (Telegram allows 1,024 characters under a picture) carries the title and the KPIs
against their targets, red first; everything else (every figure with its change against the
period before, the breakdowns, and in the monthly report the complaint analysis and the open
items past a deadline) follows as text, one message per feature, each well within 4,096.

The chart travels as data (`ChartBody`): the bot draws it when the message is sent, in the
reader's language, so the same report reads in English and in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.reports.figures import Figure, ReportSections, Section
from handlers.reports.period import TREND_LENGTH, Period
from storage.uow import UnitOfWork

CAPTION_KPIS = 8
"""At most this many KPI lines under the chart (the missed ones first); all are in the text."""


@dataclass(frozen=True)
class Report:
    """A period's sections, the period before's, and the trend of the run of periods."""

    period: Period
    sections: list[Section]
    before: list[Section]
    trend: list[tuple[Period, list[Section]]]

    @property
    def kpis(self) -> list[Figure]:
        """Every figure with a target and a value, the missed ones first."""
        found = [f for s in self.sections for f in s.figures if f.met is not None]
        return sorted(found, key=lambda f: bool(f.met))


async def gather(uow: UnitOfWork, sections: ReportSections, period: Period) -> Report:
    """Ask every feature for its figures over the period and the run of periods before it."""
    run = period.run(TREND_LENGTH[period.kind])
    trend = [(p, await sections.collect(uow, p)) for p in run]
    current = trend[-1][1]
    before = trend[-2][1] if len(trend) > 1 else await sections.collect(uow, period.previous())
    return Report(period, current, before, trend)


def title(report: Report, *, so_far: bool = False) -> TextBody:
    kind = report.period.kind
    return text(
        f"report.title.{kind}_so_far" if so_far else f"report.title.{kind}",
        period=report.period.label,
        start=report.period.first.isoformat(),
    )


def messages(report: Report, *, so_far: bool = False) -> list[MessageBody]:
    """The chart with its caption, then a message per section."""
    kpis = report.kpis
    caption: list[TextBody] = [title(report, so_far=so_far)]
    if kpis:
        caption.append(text("report.kpis_met", met=sum(1 for f in kpis if f.met), count=len(kpis)))
        caption.extend(figure_line(f, None, report.period) for f in kpis[:CAPTION_KPIS])
    bodies = [message(*caption, chart=chart(report, so_far=so_far))]
    earlier = {f.key: f for s in report.before for f in s.figures}
    for section in report.sections:
        if not section.figures:  # a feature with nothing on record (no fee data kept)
            continue
        lines: list[TextBody] = [text(f"report.section.{section.key}")]
        lines += [figure_line(f, earlier.get(f.key), report.period) for f in section.figures]
        for breakdown in section.breakdowns:
            if breakdown.items:
                lines.append(text(f"report.breakdown.{breakdown.key}"))
                lines += [
                    text("report.breakdown.item", label=label, count=count)
                    for label, count in breakdown.items
                ]
        if report.period.kind == "month":
            if section.analysis:
                lines.append(text("report.analysis.title"))
                lines += list(section.analysis)
            if section.breached:
                lines.append(text("report.breached.title", count=len(section.breached)))
                lines += list(section.breached)
        bodies.append(message(*lines))
    return bodies


def figure_line(figure: Figure, before: Figure | None, period: Period) -> TextBody:
    """`🔴 Callbacks made: 80% (5 points lower than the week before) · target 100%`."""
    mark = {True: "🟢 ", False: "🔴 ", None: ""}[figure.met]
    change: TextBody | str = ""
    if (
        before is not None
        and before.value is not None
        and figure.value is not None
        and (figure.value or before.value)  # nothing then and nothing now: no change to show
    ):
        difference = _difference(figure, figure.value - before.value)
        change = (
            text(f"report.change.{period.kind}", difference=difference)
            if difference is not None
            else text(f"report.same.{period.kind}")
        )
    target: TextBody | str = ""
    if figure.target is not None:
        target = text("report.target", target=value_text(figure, figure.target))
    return text(
        "report.line",
        mark=mark,
        label=text(f"report.figure.{figure.key}"),
        value=value_text(figure, figure.value),
        change=change,
        target=target,
    )


def value_text(figure: Figure, value: float | None) -> TextBody:
    if value is None:
        return verbatim("—")
    if figure.unit == "percent":
        return text("report.unit.percent", value=f"{value:.0f}")
    if figure.unit == "hours":
        return text("report.unit.hours", value=f"{value:.1f}")
    return verbatim(f"{value:g}" if float(value).is_integer() else f"{value:.1f}")


def _difference(figure: Figure, delta: float) -> TextBody | None:
    """How far the figure moved, as the reader says it ("2 more", "5 points lower", "1.5 h
    longer"); None when it did not move as far as the figure is shown."""
    size = abs(delta)
    if figure.unit == "percent":
        shown = round(size)
        amount = text("report.unit.points", count=shown)
        up, down = text("report.higher", amount=amount), text("report.lower", amount=amount)
    elif figure.unit == "hours":
        shown = round(size, 1)
        amount = text("report.unit.hours", value=f"{shown:.1f}")
        up, down = text("report.longer", amount=amount), text("report.shorter", amount=amount)
    else:
        shown = size if float(size).is_integer() else round(size, 1)
        amount = verbatim(f"{shown:g}")
        up, down = text("report.more", amount=amount), text("report.fewer", amount=amount)
    if not shown:
        return None
    return up if delta > 0 else down


def chart(report: Report, *, so_far: bool = False) -> dict[str, Any]:
    """The chart as data: the trend of each section's trend figures, and the KPIs' bars."""
    series = []
    for index, section in enumerate(report.sections):
        for key in section.trend:
            values = [
                _value_of(sections[index] if index < len(sections) else None, key)
                for _, sections in report.trend
            ]
            series.append({"label": text(f"report.figure.{key}"), "values": values})
    return {
        "title": title(report, so_far=so_far),
        "periods": [p.short_label for p, _ in report.trend],
        "series": series,
        "trend_title": text(f"report.chart.trend.{report.period.kind}"),
        "kpi_title": text("report.chart.kpis"),
        "kpis": [
            {
                "label": text(f"report.figure.{f.key}"),
                "value": f.value,
                "target": f.target,
                "met": f.met,
            }
            for f in report.kpis
            if f.unit == "percent"
        ],
    }


def _value_of(section: Section | None, key: str) -> float | None:
    if section is None:
        return None
    return next((f.value for f in section.figures if f.key == key), None)
