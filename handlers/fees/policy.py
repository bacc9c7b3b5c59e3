"""What an estate configures about chasing fees, and the ladder's time rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers.config import EstateConfig
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

    def chase_due(self, due: date, noticed: datetime) -> datetime:
        """When the chase notice goes: `chase_after` past the due date (at `send_at`), and
        never sooner than `chase_after` after the payment notice."""
        by_due = datetime.combine(due, self.send_at, tzinfo=self.timezone) + self.chase_after
        return max(by_due, noticed + self.chase_after)

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
    )
