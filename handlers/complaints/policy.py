"""The estate's complaint policy: topics, the severity table, and the clocks it sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.config import EstateConfig
from handlers.on_duty.policy import OnDuty, on_duty_policy
from handlers.rules.calendar import WorkingCalendar
from handlers.rules.durations import Duration

SEVERITIES = ("major", "important", "minor")


@dataclass(frozen=True)
class Topic:
    key: str
    names: dict[str, str]


@dataclass(frozen=True)
class ComplaintPolicy:
    """Built from the estate config; defaults are the manual's table."""

    timezone: ZoneInfo
    calendar: WorkingCalendar
    topics: tuple[Topic, ...]
    reply: dict[str, Duration]
    resolve: dict[str, Duration]
    invalid_explain: Duration
    callback: Duration
    callback_reminder: Duration
    visit_verdict: Duration
    departments: tuple[tuple[str, str], ...] = ()  # (key, name) a complaint can be routed to
    group_window: timedelta = timedelta(hours=2)
    group_size: int = 3
    on_duty: OnDuty | None = None
    """Who takes complaints and their escalations outside office hours (the control room)."""

    def topic(self, key: str) -> Topic | None:
        return next((t for t in self.topics if t.key == key), None)

    def reply_due(self, start: datetime, severity: str) -> datetime:
        return self.calendar.add(start, self.reply[severity])

    def resolve_due(self, start: datetime, severity: str) -> datetime:
        return self.calendar.add(start, self.resolve[severity])

    def explain_due(self, start: datetime) -> datetime:
        return self.calendar.add(start, self.invalid_explain)

    def callback_due(self, resolved: datetime) -> datetime:
        return self.calendar.add(resolved, self.callback)


def warning_time(start: datetime, due: datetime) -> datetime:
    """When to warn the owner that a deadline is about to pass: a quarter of the time before it,
    and never more than an hour before."""
    lead = min((due - start) / 4, timedelta(hours=1))
    return due - lead


def complaint_policy(config: EstateConfig) -> ComplaintPolicy:
    """The estate config's complaint settings (the manual's severity table by default)."""
    timings = config.timings
    return ComplaintPolicy(
        timezone=config.estate.zone,
        calendar=config.calendar(),
        topics=tuple(
            Topic(t.key, {"en": t.name_en, "zh_Hans": t.name_zh}) for t in config.complaint_topics
        ),
        reply={
            "major": timings.complaint_reply_major,
            "important": timings.complaint_reply_important,
            "minor": timings.complaint_reply_minor,
        },
        resolve={
            "major": timings.complaint_resolve_major,
            "important": timings.complaint_resolve_important,
            "minor": timings.complaint_resolve_minor,
        },
        invalid_explain=timings.complaint_invalid_explain,
        callback=timings.complaint_callback,
        callback_reminder=timings.callback_reminder,
        visit_verdict=timings.complaint_visit_verdict,
        departments=tuple(
            (d.key, d.name)
            for d in config.departments
            if d.chat_id and d.key not in ("front_desk", "managers")  # routed to those who fix
        ),
        on_duty=on_duty_policy(config),
    )
