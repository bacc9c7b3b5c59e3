"""What an estate configures about release slips, and the gate's time rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.config import EstateConfig
from handlers.rules.durations import Duration
from handlers.rules.visits import SLOTS


@dataclass(frozen=True)
class SlipPolicy:
    timezone: ZoneInfo
    auto_approve: bool
    days_ahead: int
    window_grace: timedelta
    department: str
    reconcile_at: time
    lookup_attempts: int
    lookup_window: timedelta

    def window(self, day: str, slot: str) -> tuple[datetime, datetime]:
        """When the gate accepts the slip: its time window on its day, widened by the grace."""
        start, end = SLOTS[slot]
        on = date.fromisoformat(day)
        return (
            datetime.combine(on, start, tzinfo=self.timezone) - self.window_grace,
            datetime.combine(on, end, tzinfo=self.timezone) + self.window_grace,
        )

    def reconcile_due(self, after: datetime) -> datetime:
        """The next reconciliation time after `after`, in the estate's time zone."""
        local = after.astimezone(self.timezone)
        due = datetime.combine(local.date(), self.reconcile_at, tzinfo=self.timezone)
        return due if due > after else due + timedelta(days=1)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, time(0), tzinfo=self.timezone)
        return start, start + timedelta(days=1)


def slip_policy(config: EstateConfig) -> SlipPolicy:
    section = config.release_slips
    return SlipPolicy(
        timezone=config.estate.zone,
        auto_approve=section.auto_approve,
        days_ahead=section.days_ahead,
        window_grace=_elapsed(section.window_grace),
        department=section.department,
        reconcile_at=section.reconcile_time,
        lookup_attempts=section.lookup_attempts,
        lookup_window=_elapsed(section.lookup_window),
    )


def _elapsed(duration: Duration) -> timedelta:
    """The config refuses working-time durations here; the gate runs on the wall clock."""
    return duration.delta
