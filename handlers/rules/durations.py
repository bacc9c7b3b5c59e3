"""Readable durations for timing policies ("15m", "2 hours", "3 working days").

Every SLA in the procedure manual is either calendar time ("within 2 hours") or working time
("within 3 working days"). Operators write them as text in the estate config; this module turns
that text into a `Duration` that says which of the two it is, so that only a working calendar
(see `handlers.rules.calendar`) resolves working time, and calendar time is never mistaken for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

__all__ = ["Duration", "DurationKind", "parse_duration"]

_EXAMPLES = "use e.g. '90s', '2h', '3 working days'"

_FIXED_UNITS: dict[str, timedelta] = {}
for _names, _size in (
    (("w", "wk", "wks", "week", "weeks"), timedelta(weeks=1)),
    (("d", "day", "days"), timedelta(days=1)),
    (("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    (("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    (("s", "sec", "secs", "second", "seconds"), timedelta(seconds=1)),
):
    for _name in _names:
        _FIXED_UNITS[_name] = _size

_UNIT_ALTERNATION = "|".join(sorted(_FIXED_UNITS, key=len, reverse=True))
# One "<number><unit>" part, optionally followed by a separator ("1h 30m", "1 hour, 30 minutes",
# "1 hour and 30 minutes"). The unit must not run on into letters ("2hx" is not "2h").
_FIXED_PART = re.compile(rf"(\d+)\s*({_UNIT_ALTERNATION})(?![a-z])\s*(?:,\s*|and\s+)?")
_WORKING = re.compile(r"(\d+)\s+working\s+(day|days|hour|hours|minute|minutes)")
_DECIMAL = re.compile(r"\d+[.,]\d+")


class DurationKind(StrEnum):
    """Which clock a duration runs on: elapsed time, or working days / working hours."""

    FIXED = "fixed"
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


@dataclass(frozen=True, repr=False)
class Duration:
    """A timing policy: a fixed span of elapsed time, or an amount of working time.

    Exactly one shape is used per kind:
    - `FIXED`: `delta` is elapsed (absolute) time, whole seconds;
    - `WORKING_DAYS`: `days` whole working days;
    - `WORKING_HOURS`: `delta` is time counted only inside working hours, whole minutes.

    Working kinds need a `WorkingCalendar` to turn into a moment. Use `parse_duration` (or the
    `fixed`, `working_days`, `working_hours` constructors) rather than building one by hand.
    Usable directly as a pydantic field type: text is parsed, output serialises as `str()`.
    """

    kind: DurationKind
    delta: timedelta = timedelta(0)
    days: int = 0

    def __post_init__(self) -> None:
        if self.delta < timedelta(0) or self.days < 0:
            raise ValueError("a duration cannot be negative")
        if self.kind is DurationKind.WORKING_DAYS:
            if self.delta:
                raise ValueError("a working-days duration has no delta")
        elif self.days:
            raise ValueError(f"a {self.kind.value} duration has no days")
        if self.kind is DurationKind.FIXED and self.delta.microseconds:
            raise ValueError("a fixed duration is a whole number of seconds")
        if self.kind is DurationKind.WORKING_HOURS and self.delta % timedelta(minutes=1):
            raise ValueError("working time is a whole number of minutes")

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def fixed(cls, delta: timedelta) -> Duration:
        """Elapsed (calendar) time, e.g. `Duration.fixed(timedelta(hours=2))`."""
        return cls(DurationKind.FIXED, delta=delta)

    @classmethod
    def working_days(cls, days: int) -> Duration:
        """`days` working days: the same local clock time that many working days later."""
        return cls(DurationKind.WORKING_DAYS, days=days)

    @classmethod
    def working_hours(cls, hours: int = 0, *, minutes: int = 0) -> Duration:
        """Time counted only inside working hours (nights, weekends and holidays skipped)."""
        return cls(DurationKind.WORKING_HOURS, delta=timedelta(hours=hours, minutes=minutes))

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Same as `parse_duration`."""
        return parse_duration(text)

    # -- queries ------------------------------------------------------------------------------

    @property
    def is_working(self) -> bool:
        """True when only a working calendar can resolve this duration."""
        return self.kind is not DurationKind.FIXED

    def as_timedelta(self) -> timedelta:
        """The elapsed time of a fixed duration; working durations raise `ValueError`."""
        if self.is_working:
            raise ValueError(f"'{self}' is working time: resolve it with a WorkingCalendar")
        return self.delta

    def __str__(self) -> str:
        if self.kind is DurationKind.WORKING_DAYS:
            return _plural(self.days, "working day")
        if self.kind is DurationKind.WORKING_HOURS:
            hours, rest = divmod(self.delta, timedelta(hours=1))
            if not rest:
                return _plural(hours, "working hour")
            return _plural(self.delta // timedelta(minutes=1), "working minute")
        return _compact(self.delta)

    def __repr__(self) -> str:
        return f"Duration({str(self)!r})"

    # -- pydantic -----------------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _coerce, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "examples": ["90s", "2h", "1h30m", "3 working days"]}


def parse_duration(text: str) -> Duration:
    """Parse readable text into a `Duration`.

    Fixed: "90s", "15m", "15 minutes", "2h", "2 hours", "1h30m", "1 hour 30 minutes", "3 days",
    "1w". Working: "1 working day", "3 working days", "4 working hours", "90 working minutes".
    Numbers are whole; case and spacing do not matter. Raises `ValueError` saying what to write.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a duration as text, e.g. '2h' (got {text!r})")
    normalised = " ".join(text.lower().split())
    if not normalised:
        raise ValueError(f"an empty text is not a duration: {_EXAMPLES}")

    if match := _WORKING.fullmatch(normalised):
        amount, unit = int(match[1]), match[2]
        if unit.startswith("day"):
            return Duration.working_days(amount)
        if unit.startswith("hour"):
            return Duration.working_hours(amount)
        return Duration.working_hours(minutes=amount)

    total = timedelta(0)
    position = 0
    while position < len(normalised):
        part = _FIXED_PART.match(normalised, position)
        if part is None:
            break
        total += int(part[1]) * _FIXED_UNITS[part[2]]
        position = part.end()
    if position and position == len(normalised) and not normalised.endswith((",", "and")):
        return Duration.fixed(total)

    raise ValueError(f"{text!r} is not a duration: {_hint(normalised)}")


def _hint(normalised: str) -> str:
    """The most useful advice for text that did not parse."""
    if normalised.startswith("-"):
        return "durations cannot be negative; " + _EXAMPLES
    if _DECIMAL.search(normalised):
        return "use whole numbers, e.g. '1h30m' or '90 working minutes'"
    if "working" in normalised:
        return "a working duration is one whole amount, e.g. '3 working days', '4 working hours'"
    return _EXAMPLES


def _coerce(value: Any) -> Duration:
    """Pydantic validator: accept a `Duration`, readable text, or a `timedelta`."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, timedelta):
        return Duration.fixed(value)
    return parse_duration(value)


def _plural(amount: int, unit: str) -> str:
    return f"{amount} {unit}" if amount == 1 else f"{amount} {unit}s"


def _compact(delta: timedelta) -> str:
    """`timedelta(days=1, minutes=90)` -> "1d1h30m"; zero -> "0s"."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)
