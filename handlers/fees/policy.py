"""What an estate configures about chasing fees, and the ladder's time rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers.config import WEEKDAY_NAMES, EstateConfig
from handlers.messages import TextBody, localized, text

CENT = Decimal("0.01")


@dataclass(frozen=True)
class FeePolicy:
    timezone: ZoneInfo
    department: str
    chase_after: timedelta
    deadline_after: timedelta
    pay_within: timedelta
    late_fee_percent_per_day: Decimal
    send_at: time
    how_to_pay_en: str | None
    how_to_pay_zh: str | None
    officers: dict[str, int]
    assistant: int | None
    assistant_visit_after: timedelta
    chase_list_at: time
    report_weekday: int  # Monday is 0
    report_at: time

    def chase_due(self, due: date, noticed: datetime) -> datetime:
        """When the chase notice goes: `chase_after` past the due date (at `send_at`), and
        never sooner than `chase_after` after the payment notice."""
        by_due = datetime.combine(due, self.send_at, tzinfo=self.timezone) + self.chase_after
        return max(by_due, noticed + self.chase_after)

    def at_send_time(self, day: date) -> datetime:
        """`send_at` local time on `day`: when a ladder step that falls on that day goes."""
        return datetime.combine(day, self.send_at, tzinfo=self.timezone)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    def next_daily(self, at: time, after: datetime) -> datetime:
        """The first local `at` strictly after `after`."""
        local = after.astimezone(self.timezone)
        moment = datetime.combine(local.date(), at, tzinfo=self.timezone)
        return moment if moment > after else moment + timedelta(days=1)

    def next_report(self, after: datetime) -> datetime:
        """The first `report_weekday` at `report_at` strictly after `after`."""
        moment = self.next_daily(self.report_at, after)
        while moment.weekday() != self.report_weekday:
            moment += timedelta(days=1)
        return moment

    def late_fee_per_day(self, owed: Decimal) -> Decimal:
        return (owed * self.late_fee_percent_per_day / 100).quantize(CENT)

    def how_to_pay(self) -> TextBody:
        if self.how_to_pay_en or self.how_to_pay_zh:
            names = {"en": self.how_to_pay_en or "", "zh_Hans": self.how_to_pay_zh or ""}
            return localized({k: v for k, v in names.items() if v})
        return text("fee.how_to_pay_default")


def fee_policy(config: EstateConfig) -> FeePolicy:
    section = config.fees
    return FeePolicy(
        timezone=config.estate.zone,
        department=section.department,
        chase_after=section.chase_after.delta,
        deadline_after=section.deadline_after.delta,
        pay_within=section.pay_within.delta,
        late_fee_percent_per_day=Decimal(section.late_fee_percent_per_day),
        send_at=time.fromisoformat(section.send_at),
        how_to_pay_en=section.how_to_pay_en,
        how_to_pay_zh=section.how_to_pay_zh,
        officers=dict(section.officers),
        assistant=section.assistant,
        assistant_visit_after=section.assistant_visit_after.delta,
        chase_list_at=time.fromisoformat(section.chase_list_at),
        report_weekday=WEEKDAY_NAMES.index(section.report_weekday),
        report_at=time.fromisoformat(section.report_at),
    )
