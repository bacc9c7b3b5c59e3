"""What a feature hands the reports: its section of figures for a period.

Every feature that keeps records a manager counts (repairs, complaints, release slips, and fees
when they join) declares a `SectionProvider` in its `Feature.figures`; the reports feature asks
each one, in the features' order, for the same period and for the one before, and knows nothing
of their tables. A figure says what it measures, in which unit, and the target the manual sets
for it, so a report can show it, compare it with the period before, colour it red or green and
chart it without knowing which feature it came from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from handlers.messages import TextBody
from handlers.reports.period import Period
from storage.uow import UnitOfWork

Unit = Literal["count", "percent", "hours"]


@dataclass(frozen=True)
class Figure:
    """One number of a period. `value` is None when there was nothing to measure (no answered
    survey, no job accepted): shown as a dash, never as a zero that would look like a failure.

    The label is the catalog's `report.figure.<key>`. A `target` (in the figure's unit) is met
    when the value reaches it, or stays within it when `higher_is_better` is False."""

    key: str
    value: float | None
    unit: Unit = "count"
    target: float | None = None
    higher_is_better: bool = True

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None without a target or a value."""
        if self.target is None or self.value is None:
            return None
        if self.higher_is_better:
            return self.value >= self.target
        return self.value <= self.target


@dataclass(frozen=True)
class Breakdown:
    """Counts by something (category, department, severity, topic), largest first. The title is
    the catalog's `report.breakdown.<key>`."""

    key: str
    items: tuple[tuple[TextBody, int], ...]


@dataclass(frozen=True)
class Section:
    """One feature's part of a report. Its title is the catalog's `report.section.<key>`.

    `trend` names the figures the chart follows over the weeks or months; `analysis` (causes and
    what was done about them) and `breached` (items still open past a deadline) are read in the
    monthly report, which goes to the managers."""

    key: str
    figures: tuple[Figure, ...]
    breakdowns: tuple[Breakdown, ...] = ()
    analysis: tuple[TextBody, ...] = ()
    breached: tuple[TextBody, ...] = ()
    trend: tuple[str, ...] = ()

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


SectionProvider = Callable[[UnitOfWork, Period], Awaitable[Section]]
"""A feature's figures: (unit of work, period) -> its section. Reads only; never writes."""


class ReportSections:
    """The providers the features declared, in the features' order; filled once by the registry
    after every feature declared itself (as the resident menu is)."""

    def __init__(self) -> None:
        self._providers: tuple[SectionProvider, ...] = ()

    @property
    def providers(self) -> tuple[SectionProvider, ...]:
        return self._providers

    def fill(self, providers: Sequence[SectionProvider]) -> None:
        self._providers = tuple(providers)

    async def collect(self, uow: UnitOfWork, period: Period) -> list[Section]:
        return [await provider(uow, period) for provider in self._providers]


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent; None when there is no whole to take a share of."""
    return 100.0 * part / whole if whole else None


def mean_hours(spans: Sequence[timedelta]) -> float | None:
    if not spans:
        return None
    return sum(s.total_seconds() for s in spans) / len(spans) / 3600
