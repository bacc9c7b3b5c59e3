"""The estate's working calendar: which days and hours count as working time.

Complaint and callback deadlines are set in working days and working hours (see the procedure
manual), and a make-up workday on a Sunday or a week-long National Day holiday moves them. This
module answers "is this working time?" and "when is N working days after this moment?" for one
estate, from its time zone, weekdays, office hours, a public-holiday source and the estate's own
extra closed days and make-up days. It knows nothing about Telegram or storage.
"""

from __future__ import annotations

import logging
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from handlers.rules.durations import Duration, DurationKind

__all__ = [
    "ChineseCalendarHolidays",
    "HolidaySource",
    "NoHolidays",
    "PublicHolidays",
    "WorkingCalendar",
    "holiday_source_from_spec",
]

logger = logging.getLogger(__name__)

MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))
# No estate is closed for this long; beyond it the calendar is misconfigured (no working days).
_MAX_CLOSED_DAYS = 3 * 366


@runtime_checkable
class HolidaySource(Protocol):
    """Where public holidays (and official make-up workdays, if any) come from."""

    spec: str

    def is_holiday(self, day: date) -> bool:
        """True on a public holiday, whatever weekday it falls on."""
        ...

    def is_makeup_workday(self, day: date) -> bool:
        """True on an officially declared working day that would otherwise be a rest day."""
        ...


class NoHolidays:
    """No public holidays: only the weekday rule and the estate's own extra days apply."""

    spec = "none"

    def is_holiday(self, day: date) -> bool:
        return False

    def is_makeup_workday(self, day: date) -> bool:
        return False


class ChineseCalendarHolidays:
    """Mainland China's statutory holidays and make-up workdays (调休), from `chinese_calendar`.

    The package only covers the years the State Council has announced. For other years it raises
    `NotImplementedError`; then the plain weekday rule applies and a warning is logged once per
    year, because deadlines around unannounced holidays may be off by a few days.
    """

    spec = "chinese-calendar"

    def __init__(self) -> None:
        self._warned_years: set[int] = set()

    def is_holiday(self, day: date) -> bool:
        rest, name = self._detail(day)
        return rest and name is not None

    def is_makeup_workday(self, day: date) -> bool:
        rest, name = self._detail(day)
        return not rest and name is not None

    def _detail(self, day: date) -> tuple[bool, str | None]:
        import chinese_calendar

        try:
            return chinese_calendar.get_holiday_detail(day)
        except NotImplementedError as error:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                logger.warning(
                    "chinese-calendar has no holiday data for %s (%s); using the weekday rule "
                    "for that year. Upgrade the chinese-calendar package when the State Council "
                    "publishes the schedule.",
                    day.year,
                    error,
                )
            return False, None


class PublicHolidays:
    """Public holidays of a country (and optionally a subdivision) from the `holidays` package.

    Make-up workdays are not modelled here; add them to the estate's extra workdays if needed.
    """

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        import holidays

        self.spec = f"holidays:{country}" + (f":{subdivision}" if subdivision else "")
        try:
            self._holidays = holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError as error:
            raise ValueError(f"{self.spec!r}: {error}") from None

    def is_holiday(self, day: date) -> bool:
        return day in self._holidays

    def is_makeup_workday(self, day: date) -> bool:
        return False


def holiday_source_from_spec(spec: str) -> HolidaySource:
    """Build a holiday source from "chinese-calendar", "holidays:CN", "holidays:GB:ENG" or "none".

    Raises `ValueError` naming the accepted forms, or the unknown country / subdivision.
    """
    text = spec.strip()
    if text.lower() == "none":
        return NoHolidays()
    if text.lower() == "chinese-calendar":
        return ChineseCalendarHolidays()
    parts = text.split(":")
    if parts[0].lower() == "holidays" and len(parts) in (2, 3) and all(parts[1:]):
        country = parts[1].upper()
        subdivision = parts[2].upper() if len(parts) == 3 else None
        return PublicHolidays(country, subdivision)
    raise ValueError(
        f"{spec!r} is not a holiday source: use 'chinese-calendar', 'holidays:<COUNTRY>' "
        "(e.g. 'holidays:CN'), 'holidays:<COUNTRY>:<SUBDIVISION>' (e.g. 'holidays:GB:ENG') "
        "or 'none'"
    )


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours of one estate, in its own time zone.

    `weekdays` uses `date.weekday()` numbers (0 = Monday). Working hours run from `day_start`
    (inclusive) to `day_end` (exclusive); `day_end == time(0)` means midnight at the end of the
    day. A day is a working day by the first rule that decides it:
    estate extra workday > estate extra holiday > source's make-up workday > source's holiday >
    weekday rule.

    All methods take timezone-aware datetimes and return them in `timezone`. Fixed durations
    are elapsed time (2h across a DST change is still 2 real hours); working days keep the local
    clock time.
    """

    timezone: ZoneInfo
    weekdays: AbstractSet[int] = MONDAY_TO_FRIDAY
    day_start: time = time(9)
    day_end: time = time(18)
    holiday_source: HolidaySource = field(default_factory=NoHolidays)
    extra_holidays: AbstractSet[date] = frozenset()
    extra_workdays: AbstractSet[date] = frozenset()

    def __post_init__(self) -> None:
        # Stored as frozensets so the calendar is immutable and hashable whatever was passed in.
        for name in ("weekdays", "extra_holidays", "extra_workdays"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if not self.weekdays:
            raise ValueError("a working calendar needs at least one working weekday")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays are numbers 0 (Monday) to 6 (Sunday)")
        if self.day_start.tzinfo or self.day_end.tzinfo:
            raise ValueError("day_start and day_end are local clock times without a time zone")
        if self.day_end != time(0) and self.day_end <= self.day_start:
            raise ValueError("working hours must end after they start on the same day")

    # -- days and moments ---------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether the estate office works on `day` (a local date)."""
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if self.holiday_source.is_makeup_workday(day):
            return True
        if self.holiday_source.is_holiday(day):
            return False
        return day.weekday() in self.weekdays

    def is_working_time(self, moment: datetime) -> bool:
        """Whether `moment` falls inside working hours on a working day."""
        local = self._local(moment)
        return self.is_working_day(local.date()) and self._within_hours(local.time())

    def next_working_start(self, moment: datetime) -> datetime:
        """The earliest working moment at or after `moment`.

        `moment` itself (in the calendar's zone) when it is working time, otherwise the start of
        working hours on the next working day (today's, if the office has not opened yet).
        """
        local = self._local(moment)
        if self.is_working_day(local.date()):
            if local.time() < self.day_start:
                return self._at(local.date(), self.day_start)
            if self._within_hours(local.time()):
                return local
        return self._at(self._next_working_day(local.date()), self.day_start)

    def next_opening(self, after: datetime) -> datetime:
        """The next moment the office opens strictly after `after`: today's opening if it is
        still to come on a working day, else the next working day's (a morning hand-over)."""
        local = self._local(after)
        if self.is_working_day(local.date()) and local.time() < self.day_start:
            return self._at(local.date(), self.day_start)
        return self._at(self._next_working_day(local.date()), self.day_start)

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The moment `duration` after `start`.

        - fixed: `start` plus that much elapsed time;
        - N working days: the same local clock time N working days later, counted from
          `next_working_start(start)` when `start` is outside working time;
        - working hours: only time inside working hours counts.
        """
        local = self._local(start)
        if duration.kind is DurationKind.FIXED:
            return (local.astimezone(UTC) + duration.delta).astimezone(self.timezone)
        begin = self.next_working_start(local)
        if duration.kind is DurationKind.WORKING_DAYS:
            day = begin.date()
            for _ in range(duration.days):
                day = self._next_working_day(day)
            return self._at(day, begin.time())
        return self._add_working_time(begin, duration.delta)

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """How much working time lies between two moments (zero if `end` is not after `start`).

        What a report measures a job by when the manual counts in working time: a complaint
        answered on Monday morning that came in on Friday evening waited minutes, not days.
        """
        current = self.next_working_start(self._local(start))
        stop = self._local(end).astimezone(UTC)
        total = timedelta(0)
        while current.astimezone(UTC) < stop:
            closing = self._closing(current.date()).astimezone(UTC)
            total += min(closing, stop) - current.astimezone(UTC)
            current = self.next_working_start(self._closing(current.date()))
        return total

    # -- helpers ------------------------------------------------------------------------------

    def _add_working_time(self, begin: datetime, remaining: timedelta) -> datetime:
        current = begin
        while True:
            closing = self._closing(current.date())
            available = closing.astimezone(UTC) - current.astimezone(UTC)
            if remaining <= available:
                return (current.astimezone(UTC) + remaining).astimezone(self.timezone)
            remaining -= available
            current = self.next_working_start(closing)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"expected a timezone-aware datetime (got naive {moment!r})")
        return moment.astimezone(self.timezone)

    def _within_hours(self, clock: time) -> bool:
        return self.day_start <= clock and (self.day_end == time(0) or clock < self.day_end)

    def _at(self, day: date, clock: time) -> datetime:
        """`day` at local `clock`; a time skipped by a DST change moves forward past the gap."""
        naive = datetime.combine(day, clock, tzinfo=self.timezone)
        return naive.astimezone(UTC).astimezone(self.timezone)

    def _closing(self, day: date) -> datetime:
        if self.day_end == time(0):
            return self._at(day + timedelta(days=1), time(0))
        return self._at(day, self.day_end)

    def _next_working_day(self, day: date) -> date:
        for offset in range(1, _MAX_CLOSED_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_MAX_CLOSED_DAYS} days after {day}")
