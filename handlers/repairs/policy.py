"""The estate's repair policy: categories and who fixes them, visit windows, and the SLA clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.config import EstateConfig
from handlers.fees.policy import fee_policy
from handlers.messages import TextBody, text
from handlers.on_duty.policy import OnDuty, on_duty_policy
from handlers.rules.calendar import WorkingCalendar
from handlers.rules.durations import Duration, DurationKind, parse_duration
from handlers.rules.visits import SLOTS


@dataclass(frozen=True)
class Category:
    key: str
    names: dict[str, str]
    department: str


@dataclass(frozen=True)
class RepairPolicy:
    """Everything about repairs that an estate configures; built from the estate config."""

    timezone: ZoneInfo
    calendar: WorkingCalendar
    categories: tuple[Category, ...]
    accept_urgent: Duration
    accept_normal: Duration
    confirm_timeout: Duration
    survey_delay: Duration
    callback_reminder: Duration
    duplicate_window: timedelta = timedelta(days=3)
    low_rating: int = 2
    digest_at: time = time(8, 30)
    digest_on_days_off: bool = False
    departments: tuple[tuple[str, str], ...] = ()
    """(key, name) of the departments a job can be re-routed to: those with a group that fix
    things; the managers' group decides, it is not a department a job goes to."""
    on_duty: OnDuty | None = None
    """Who takes urgent jobs and their escalations outside office hours (the control room)."""
    quote_timeout: Duration = field(default_factory=lambda: parse_duration("1 working day"))
    """How long a quote waits for the resident before the front desk is asked to call."""
    paid_summary_day: int = 25
    paid_summary_at: time = time(9)
    finance_department: str = "finance"
    how_to_pay: TextBody = field(default_factory=lambda: text("fee.how_to_pay_default"))
    """Where residents pay the estate (`[fees] how_to_pay_*`), told with the fees of a job."""
    front_desk_phone: str | None = None

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def accept_due(self, received: datetime, urgent: bool) -> datetime:
        """When an unaccepted job escalates: 15 minutes for urgent, 2 hours otherwise.

        With an on-duty group, the night is its: an ordinary job's time counts office hours
        only (its "2h" is two working hours), so it escalates in office hours, never at night."""
        if urgent:
            return self.calendar.add(received, self.accept_urgent)
        wait = self.accept_normal
        if self.on_duty is not None and wait.kind is DurationKind.FIXED:
            wait = Duration.working_hours(minutes=-(-wait.delta // timedelta(minutes=1)))
        return self.calendar.add(received, wait)

    def window_end(self, day: str, slot: str) -> datetime:
        """The end of the visit window the resident agreed to, as an aware datetime."""
        _start, end = SLOTS.get(slot, SLOTS["evening"])
        return datetime.combine(date.fromisoformat(day), end, tzinfo=self.timezone)

    def window_check(self, day: str, slot: str, urgent: bool) -> datetime:
        """When a job not done in its visit window is reported: at the window's end, except
        that with an on-duty group an ordinary job's is reported in office hours (an evening
        window ending at 20:00 is reported as the office opens); an urgent job's at once, to
        the on-duty group at night."""
        end = self.window_end(day, slot)
        if urgent or self.on_duty is None:
            return end
        return self.calendar.next_working_start(end)

    def unhappy(self, answer: dict[str, Any]) -> bool:
        """Whether a callback's answer (its event data) is one the supervisor follows up."""
        if answer.get("by_phone"):
            return not answer.get("satisfied", True)
        rating = answer.get("rating")
        return isinstance(rating, int) and rating <= self.low_rating

    def next_digest(self, after: datetime) -> datetime:
        """The front desk's next daily digest: the first `digest_at` strictly after `after`, on a
        working day unless the estate wants it on days off too."""
        local = after.astimezone(self.timezone)
        moment = datetime.combine(local.date(), self.digest_at, tzinfo=self.timezone)
        if moment <= after:
            moment += timedelta(days=1)
        while not self.digest_on_days_off and not self.calendar.is_working_day(moment.date()):
            moment += timedelta(days=1)
        return moment

    def quote_due(self, sent: datetime) -> datetime:
        """When an unanswered quote becomes a phone call for the front desk."""
        return self.calendar.add(sent, self.quote_timeout)

    def paid_summary_on(self, year: int, month: int) -> datetime:
        """The moment of the month's summary of paid services (the 25th, 09:00 by default)."""
        return datetime.combine(
            date(year, month, self.paid_summary_day), self.paid_summary_at, tzinfo=self.timezone
        )

    def last_paid_summary(self, at: datetime) -> datetime:
        """The latest summary moment at or before `at`."""
        local = at.astimezone(self.timezone)
        moment = self.paid_summary_on(local.year, local.month)
        if moment <= at:
            return moment
        year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
        return self.paid_summary_on(year, month)

    def next_paid_summary(self, after: datetime) -> datetime:
        """The first summary moment strictly after `after`."""
        last = self.last_paid_summary(after).astimezone(self.timezone)
        year, month = (last.year, last.month + 1) if last.month < 12 else (last.year + 1, 1)
        return self.paid_summary_on(year, month)

    def confirm_due(self, done: datetime) -> datetime:
        return self.calendar.add(done, self.confirm_timeout)

    def survey_due(self, confirmed: datetime) -> datetime:
        """The callback, the manual's "next working day": a delay in working days counts from the
        moment of confirmation in office hours, and from the day of it outside them (a job
        confirmed on Monday evening is called back on Tuesday morning, not on Wednesday)."""
        working_days = self.survey_delay.kind is DurationKind.WORKING_DAYS
        if not working_days or self.calendar.is_working_time(confirmed):
            return self.calendar.add(confirmed, self.survey_delay)
        moment = confirmed
        for _ in range(max(1, self.survey_delay.days)):
            next_day = moment.astimezone(self.timezone).date() + timedelta(days=1)
            moment = self.calendar.next_working_start(
                datetime.combine(next_day, time(0), tzinfo=self.timezone)
            )
        return moment


def repair_policy(config: EstateConfig) -> RepairPolicy:
    """The estate config's repair settings, as the policy the handlers read."""
    timings = config.timings
    return RepairPolicy(
        timezone=config.estate.zone,
        calendar=config.calendar(),
        categories=tuple(
            Category(c.key, {"en": c.name_en, "zh_Hans": c.name_zh}, c.department)
            for c in config.repair_categories
        ),
        accept_urgent=timings.repair_accept_urgent,
        accept_normal=timings.repair_accept_normal,
        confirm_timeout=timings.repair_confirm_timeout,
        survey_delay=timings.repair_survey_delay,
        callback_reminder=timings.callback_reminder,
        digest_at=time.fromisoformat(config.repairs.digest_at),
        digest_on_days_off=config.repairs.digest_on_days_off,
        departments=tuple(
            (d.key, d.name) for d in config.departments if d.chat_id and d.key != "managers"
        ),
        on_duty=on_duty_policy(config),
        quote_timeout=timings.repair_quote_timeout,
        paid_summary_day=config.repairs.paid_summary_day,
        paid_summary_at=time.fromisoformat(config.repairs.paid_summary_at),
        finance_department=config.fees.department,
        how_to_pay=fee_policy(config).how_to_pay(),
        front_desk_phone=config.estate.front_desk_phone,
    )
