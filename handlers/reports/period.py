"""The span a report covers: an ISO week (Monday to Sunday) or a calendar month, on the estate's
wall clock.

A week's report on Monday morning covers the week that just ended, a month's on the 1st the
month that just ended; both compare with the one before, and the chart shows a run of them. The
bounds are local midnights turned into aware moments, so a ticket received at 23:30 on Sunday
in Shanghai belongs to that week whatever the server's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Kind = Literal["week", "month"]
KINDS: tuple[Kind, ...] = ("week", "month")
TREND_LENGTH: dict[Kind, int] = {"week": 8, "month": 12}
"""How many periods a report's chart shows: the last 8 weeks, or the last 12 months."""

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    kind: Kind
    first: date
    """The period's first local day (a Monday, or the 1st)."""
    zone: ZoneInfo

    @property
    def after(self) -> date:
        """The first local day after the period."""
        if self.kind == "week":
            return self.first + timedelta(days=7)
        return _next_month(self.first)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.after, time(0), tzinfo=self.zone)

    @property
    def label(self) -> str:
        """How people and file names write it: 2026-W47 or 2026-11."""
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first:%Y-%m}"

    @property
    def short_label(self) -> str:
        """What the chart's axis shows: the week's Monday (11-16) or the month (2026-11)."""
        return f"{self.first:%m-%d}" if self.kind == "week" else self.label

    def previous(self) -> Period:
        if self.kind == "week":
            return Period("week", self.first - timedelta(days=7), self.zone)
        return Period("month", (self.first - timedelta(days=1)).replace(day=1), self.zone)

    def run(self, length: int) -> list[Period]:
        """This period and the `length - 1` before it, oldest first."""
        periods = [self]
        while len(periods) < length:
            periods.append(periods[-1].previous())
        return periods[::-1]

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def current(kind: Kind, now: datetime, zone: ZoneInfo) -> Period:
    """The week or month `now` falls in (so far)."""
    today = now.astimezone(zone).date()
    if kind == "week":
        return Period("week", today - timedelta(days=today.weekday()), zone)
    return Period("month", today.replace(day=1), zone)


def last_complete(kind: Kind, now: datetime, zone: ZoneInfo) -> Period:
    """The last whole week or month before `now`: what a scheduled report covers."""
    return current(kind, now, zone).previous()


def parse(kind: Kind, words: str, now: datetime, zone: ZoneInfo) -> Period:
    """`/report month 2026-11` or `/report week` (the last whole one); ValueError otherwise.

    A month may be named (YYYY-MM); without one, the last whole week or month is meant."""
    words = words.strip()
    if not words:
        return last_complete(kind, now, zone)
    match = _MONTH.fullmatch(words)
    if kind != "month" or match is None:
        raise ValueError(words)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValueError(words)
    return Period("month", date(year, month, 1), zone)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
