"""The estate's report settings: when the reports go out, and the targets they are read against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.config import EstateConfig
from handlers.rules.calendar import WorkingCalendar


@dataclass(frozen=True)
class ReportPolicy:
    timezone: ZoneInfo
    calendar: WorkingCalendar
    weekday: int = 0
    weekly_at: time = time(8, 30)
    monthly_at: time = time(9)
    callback_target: float = 100
    satisfaction_target: float = 90
    deadline_target: float = 100

    def next_weekly(self, now: datetime) -> datetime:
        """The next weekly report after `now`: the configured weekday and time."""
        today = now.astimezone(self.timezone).date()
        ahead = (self.weekday - today.weekday()) % 7
        moment = self._at(today + timedelta(days=ahead), self.weekly_at)
        return (
            moment if moment > now else self._at(today + timedelta(days=ahead + 7), self.weekly_at)
        )

    def next_monthly(self, now: datetime) -> datetime:
        """The next monthly report after `now`: the 1st at the configured time."""
        first = now.astimezone(self.timezone).date().replace(day=1)
        moment = self._at(first, self.monthly_at)
        if moment > now:
            return moment
        return self._at((first + timedelta(days=32)).replace(day=1), self.monthly_at)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.timezone)


def report_policy(config: EstateConfig) -> ReportPolicy:
    section = config.reports
    return ReportPolicy(
        timezone=config.estate.zone,
        calendar=config.calendar(),
        weekday=section.weekday,
        weekly_at=time.fromisoformat(section.weekly_at),
        monthly_at=time.fromisoformat(section.monthly_at),
        callback_target=section.callback_target,
        satisfaction_target=section.satisfaction_target,
        deadline_target=section.deadline_target,
    )
