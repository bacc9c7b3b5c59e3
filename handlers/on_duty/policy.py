"""Which department is on duty outside office hours, and when that is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.config import EstateConfig
from handlers.rules.calendar import WorkingCalendar


@dataclass(frozen=True)
class OnDuty:
    """The estate's on-duty group (`[on_duty] department`) and the calendar that says when the
    office is closed; an estate without one has no `OnDuty` at all."""

    department: str
    calendar: WorkingCalendar

    def covers(self, moment: datetime) -> bool:
        """Whether the on-duty group takes what comes in at `moment` (the office is closed)."""
        return not self.calendar.is_working_time(moment)


def on_duty_policy(config: EstateConfig) -> OnDuty | None:
    """The estate config's on-duty group, or None when it names none."""
    key = config.on_duty.department
    return OnDuty(key, config.calendar()) if key is not None else None
