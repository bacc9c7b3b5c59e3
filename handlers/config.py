"""The estate config file (TOML): who works where, which chats, the calendar and every SLA.

An estate is described by one file (see `bot/examples/estate.example.toml`). It is validated
completely at start-up, so a typo in a key, an unknown role or a staff member pointing at a
missing department stops the bot with a message naming the file and the key, instead of
surfacing weeks later as a missed escalation. Process settings (token, database) are not here;
see `bot.settings`.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from handlers.rules.calendar import WorkingCalendar, holiday_source_from_spec
from handlers.rules.durations import Duration, DurationKind, parse_duration

__all__ = [
    "LANGUAGES",
    "CalendarSection",
    "ComplaintTopic",
    "ConfigError",
    "Department",
    "EstateConfig",
    "EstateSection",
    "FeesSection",
    "OnDutySection",
    "RepairCategory",
    "StaffMember",
    "StaffRole",
    "Timings",
    "example_config_text",
    "load_estate_config",
    "load_estate_config_text",
    "parse_estate_config",
]

LANGUAGES = ("en", "zh_Hans")
FRONT_DESK = "front_desk"
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAY_NAMES = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip
_SLUG = re.compile(r"[a-z][a-z0-9_]*")
_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_DEFER_CROSS_CHECKS = "defer_cross_checks"


class ConfigError(Exception):
    """The estate config cannot be used; the message names the file and every bad key.

    `problems` holds one "dotted.path[index]: what is wrong" line per problem.
    """

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(f"{source}: {problem}" for problem in self.problems))


class StaffRole(StrEnum):
    """What a staff member may do in the bot."""

    ADMIN = "admin"
    FRONT_DESK = "front_desk"
    SUPERVISOR = "supervisor"
    TECHNICIAN = "technician"
    GUARD = "guard"
    FINANCE = "finance"


# -- field types with operator-friendly messages --------------------------------------------


def _one_of(choices: Iterable[str]) -> Callable[[Any], Any]:
    allowed = tuple(choices)

    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)} (got {value!r})")
        return value

    return check


def _slug(value: Any) -> Any:
    if isinstance(value, str) and not _SLUG.fullmatch(value):
        raise ValueError(
            "must be a lowercase key of letters, digits and underscores starting with a letter, "
            f"e.g. 'front_desk' (got {value!r})"
        )
    return value


def _text(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
    return value


def _weekday(value: Any) -> Any:
    if isinstance(value, str):
        name = value.strip().lower()
        if name in _FULL_WEEKDAY_NAMES:
            return WEEKDAY_NAMES[_FULL_WEEKDAY_NAMES.index(name)]
        if name in WEEKDAY_NAMES:
            return name
    raise ValueError(f"must be one of {', '.join(WEEKDAY_NAMES)} (got {value!r})")


def _telegram_id(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"must be a Telegram user id, a positive whole number (got {value!r})")
    return value


def _chat_id(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise ValueError(
            f"must be a Telegram chat id, a whole number such as -1001000000001 (got {value!r})"
        )
    return value


Slug = Annotated[str, BeforeValidator(_slug)]
Text = Annotated[str, BeforeValidator(_text)]
Language = Annotated[Literal["en", "zh_Hans"], BeforeValidator(_one_of(LANGUAGES))]
Role = Annotated[StaffRole, BeforeValidator(_one_of(role.value for role in StaffRole))]
Weekday = Annotated[str, BeforeValidator(_weekday)]
TelegramId = Annotated[int, BeforeValidator(_telegram_id)]
ChatId = Annotated[int, BeforeValidator(_chat_id)]


class _Section(BaseModel):
    """Base for every table in the file: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# -- sections ---------------------------------------------------------------------------------


class EstateSection(_Section):
    """`[estate]`: the estate's name, time zone and residents' default language."""

    name: Text
    timezone: str
    default_language: Language = "en"
    front_desk_phone: Text | None = None

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as 'Asia/Shanghai'"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class CalendarSection(_Section):
    """`[calendar]`: working weekdays, office hours and holidays for working-day SLAs."""

    holidays: str = "none"
    weekdays: tuple[Weekday, ...] = WEEKDAY_NAMES[:5]
    hours: str = "09:00-18:00"
    extra_holidays: tuple[date, ...] = ()
    extra_workdays: tuple[date, ...] = ()

    @field_validator("holidays")
    @classmethod
    def _check_holidays(cls, value: str) -> str:
        holiday_source_from_spec(value)
        return value.strip()

    @field_validator("weekdays")
    @classmethod
    def _check_weekdays(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one working weekday is needed, e.g. ['mon', 'tue']")
        return tuple(dict.fromkeys(value))

    @field_validator("hours")
    @classmethod
    def _check_hours(cls, value: str) -> str:
        start, end = _parse_hours(value)
        return f"{start:%H:%M}-{'24:00' if end == time(0) else f'{end:%H:%M}'}"

    def weekday_numbers(self) -> frozenset[int]:
        """Working weekdays as `date.weekday()` numbers (0 = Monday)."""
        return frozenset(WEEKDAY_NAMES.index(name) for name in self.weekdays)

    def working_hours(self) -> tuple[time, time]:
        """(day_start, day_end); a day_end of `time(0)` means midnight at the end of the day."""
        return _parse_hours(self.hours)


class Department(_Section):
    """`[[departments]]`: a team and the Telegram group it works in."""

    key: Slug
    name: Text
    chat_id: ChatId | None = None


class StaffMember(_Section):
    """`[[staff]]`: a person who works in the bot, with one role in one department."""

    telegram_id: TelegramId
    name: Text
    role: Role
    department: Slug


class Timings(_Section):
    """`[timings]`: every SLA and reminder, defaults from the procedure manual."""

    repair_accept_urgent: Duration = parse_duration("15m")
    repair_accept_normal: Duration = parse_duration("2h")
    repair_confirm_timeout: Duration = parse_duration("2 days")
    repair_survey_delay: Duration = parse_duration("1 working day")
    # The manual gives no wait for a resident's answer to a quote for paid work: after this long
    # without one the front desk gets a task to call them (the same working day as a callback's).
    repair_quote_timeout: Duration = parse_duration("1 working day")
    complaint_reply_major: Duration = parse_duration("2h")
    complaint_resolve_major: Duration = parse_duration("3 working days")
    complaint_reply_important: Duration = parse_duration("1 working day")
    complaint_resolve_important: Duration = parse_duration("2 working days")
    complaint_reply_minor: Duration = parse_duration("2h")
    complaint_resolve_minor: Duration = parse_duration("1 working day")
    complaint_invalid_explain: Duration = parse_duration("1 working day")
    complaint_callback: Duration = parse_duration("3 working days")
    callback_reminder: Duration = parse_duration("1 working day")
    complaint_visit_verdict: Duration = parse_duration("1 working day")
    registration_approval_reminder: Duration = parse_duration("4 working hours")


class ReleaseSlipsSection(_Section):
    """`[release_slips]`: booking, the gate check and the daily reconciliation (放行条)."""

    # Verified residents whose units owe nothing are approved at once (the card says so).
    auto_approve: bool = False
    # How far ahead a resident may book: today and this many days after it.
    days_ahead: int = Field(default=14, ge=0, le=60)
    # A slip opens the gate this long before its window starts and after it ends.
    window_grace: Duration = parse_duration("30m")
    # The department whose group works the gate (guards) and receives the reconciliation.
    department: Slug = "security"
    # When the day's reconciliation goes to the security manager, local time "HH:MM".
    reconcile_at: str = "20:00"
    # Failed code lookups a person may make within `lookup_window` before being told to wait.
    lookup_attempts: int = Field(default=5, ge=1, le=100)
    lookup_window: Duration = parse_duration("10m")

    @field_validator("window_grace", "lookup_window")
    @classmethod
    def _check_elapsed(cls, value: Duration) -> Duration:
        if value.kind is not DurationKind.FIXED:
            raise ValueError(f"{value} is working time; the gate needs elapsed time, e.g. '30m'")
        return value

    @field_validator("reconcile_at")
    @classmethod
    def _check_time(cls, value: str) -> str:
        try:
            return f"{time.fromisoformat(value.strip()):%H:%M}"
        except ValueError:
            raise ValueError(f"{value!r} is not a time of day such as '20:00'") from None

    @property
    def reconcile_time(self) -> time:
        return time.fromisoformat(self.reconcile_at)


class FeesSection(_Section):
    """`[fees]`: chasing arrears (欠费催缴), one notice after another while a unit still owes.

    The manual names the steps but gives no waits and no late-fee rate: each is a key here, with
    a default the estate replaces by its own contract's terms.
    """

    # The department whose group confirms "I have paid" (the front desk's when it has no group).
    department: Slug = "finance"
    # The chase notice goes this long after the due date, at `send_at` local time.
    chase_after: Duration = parse_duration("1 day")
    # The deadline notice goes this long after the chase notice.
    deadline_after: Duration = parse_duration("15 days")
    # The deadline notice gives this long to pay; the late fee runs from then.
    pay_within: Duration = parse_duration("7 days")
    # The late fee, in percent of the amount owed per day (0.05 is 万分之五).
    late_fee_percent_per_day: str = "0.05"
    # The local time of day the chase notices go out, "HH:MM".
    send_at: str = "10:00"
    # How to pay, as residents read it in each language; the default sends them to the front desk.
    how_to_pay_en: Text | None = None
    how_to_pay_zh: Text | None = None
    # Building -> the officer (a [[staff]] telegram_id) who chases its units and visits them once
    # the late fee runs. A building without one: the front desk's group gets its visit tasks.
    officers: dict[str, TelegramId] = Field(default_factory=dict)
    # The customer-service assistant (助理, a [[staff]] telegram_id) who visits after the officer.
    assistant: TelegramId | None = None
    # The assistant's visit comes this long after the officer's visit task, while the unit owes
    # (later if the resident promised to pay by a later day).
    assistant_visit_after: Duration = parse_duration("7 days")
    # The officers' daily chase lists go at this local time, "HH:MM".
    chase_list_at: str = "09:00"
    # The weekly collection report goes to supervisors on this day at this local time.
    report_weekday: Weekday = "mon"
    report_at: str = "09:00"

    @field_validator("chase_after", "deadline_after", "pay_within", "assistant_visit_after")
    @classmethod
    def _check_elapsed(cls, value: Duration) -> Duration:
        if value.kind is not DurationKind.FIXED:
            raise ValueError(f"{value} is working time; write days, e.g. '15 days'")
        return value

    @field_validator("late_fee_percent_per_day")
    @classmethod
    def _check_rate(cls, value: str) -> str:
        try:
            rate = Decimal(str(value).strip())
        except InvalidOperation:
            rate = Decimal(-1)
        if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
            raise ValueError(f"{value!r} is not a percent per day between 0 and 1, e.g. '0.05'")
        return str(rate)

    @field_validator("send_at", "chase_list_at", "report_at")
    @classmethod
    def _check_time(cls, value: str) -> str:
        try:
            return f"{time.fromisoformat(value.strip()):%H:%M}"
        except ValueError:
            raise ValueError(f"{value!r} is not a time of day such as '10:00'") from None


def _time_of_day(value: str) -> str:
    try:
        return f"{time.fromisoformat(value.strip()):%H:%M}"
    except ValueError:
        raise ValueError(f"{value!r} is not a time of day such as '08:30'") from None


TimeOfDay = Annotated[str, AfterValidator(_time_of_day)]
"""A local time of day, "HH:MM"."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ReportsSection(_Section):
    """`[reports]`: when the weekly and monthly reports go out, and the manual's targets.

    The weekly report covers the week that ended (to the front desk and each department's
    group), the monthly one the month that ended (to the managers' group, on the 1st)."""

    # The weekly report's day and local time.
    weekly_day: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ] = "monday"
    weekly_at: TimeOfDay = "08:30"
    # The monthly report's local time on the 1st.
    monthly_at: TimeOfDay = "09:00"
    # Targets, in percent: every repair and complaint called back; satisfied residents; deadlines.
    callback_target: float = Field(default=100, ge=0, le=100)
    satisfaction_target: float = Field(default=90, ge=0, le=100)
    deadline_target: float = Field(default=100, ge=0, le=100)

    @property
    def weekday(self) -> int:
        return WEEKDAYS.index(self.weekly_day)


class RepairsSection(_Section):
    """`[repairs]`: how the front desk follows every repair (the manual: it follows each request
    to the end). The manual names no hour for the front desk's daily look at open jobs; 08:30, as
    the office opens, is the default."""

    # The front desk's daily digest of open repair jobs, by age and state: its local time, and
    # whether it also goes out on days off (the working calendar's).
    digest_at: TimeOfDay = "08:30"
    digest_on_days_off: bool = False
    # Paid services (有偿服务): the monthly summary of their fees goes to finance (the `[fees]`
    # department's group, the front desk's when it has none) on this day of the month, the
    # manual's "by the 25th", at this local time. It covers the jobs done since the last one.
    paid_summary_day: int = Field(default=25, ge=1, le=28)
    paid_summary_at: TimeOfDay = "09:00"


class OnDutySection(_Section):
    """`[on_duty]`: who takes what comes in outside office hours (the manual's control room,
    中控室). The manual names the group but no department key, so there is none by default: an
    estate without one keeps every card and escalation where it goes in office hours."""

    # The department (a [[departments]] key with a chat_id) on duty outside office hours: new
    # complaints and urgent repairs get a card there at once, as do the escalations of either
    # that fall outside office hours, and ordinary repairs wait for office hours. The next
    # morning, as the office opens, the front desk gets the hand-over of what came in.
    department: Slug | None = None


class RepairCategory(_Section):
    """`[[repair_categories]]`: a kind of fault a resident picks, and who fixes it."""

    key: Slug
    name_en: Text
    name_zh: Text
    department: Slug


class ComplaintTopic(_Section):
    """`[[complaint_topics]]`: what a complaint is about, for routing and monthly analysis."""

    key: Slug
    name_en: Text
    name_zh: Text


# (key, English name, Chinese name, preferred department); the front desk takes a category
# when the preferred department is not configured.
DEFAULT_REPAIR_CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    ("water", "Water and drains", "给排水", "engineering"),
    ("electricity", "Electricity", "电路", "engineering"),
    ("gas", "Gas", "燃气", "engineering"),
    ("doors_locks", "Doors and locks", "门窗锁具", "engineering"),
    ("lift", "Lift", "电梯", "engineering"),
    ("common_area", "Common areas", "公共区域", "cleaning"),
    ("other", "Other", "其他", FRONT_DESK),
)
DEFAULT_COMPLAINT_TOPICS: tuple[tuple[str, str, str], ...] = (
    ("service_attitude", "Service attitude", "服务态度"),
    ("cleanliness", "Cleanliness", "环境卫生"),
    ("security", "Security", "治安安全"),
    ("parking", "Parking", "停车管理"),
    ("noise_neighbours", "Noise and neighbours", "噪音与邻里"),
    ("facilities", "Facilities", "公共设施"),
    ("fees", "Fees", "收费"),
    ("other", "Other", "其他"),
)


class EstateConfig(_Section):
    """The whole estate config file, validated including cross-references."""

    estate: EstateSection
    calendar_: CalendarSection = Field(default_factory=CalendarSection, alias="calendar")
    departments: tuple[Department, ...]
    staff: tuple[StaffMember, ...] = ()
    timings: Timings = Field(default_factory=Timings)
    release_slips: ReleaseSlipsSection = Field(default_factory=ReleaseSlipsSection)
    fees: FeesSection = Field(default_factory=FeesSection)
    reports: ReportsSection = Field(default_factory=ReportsSection)
    repairs: RepairsSection = Field(default_factory=RepairsSection)
    on_duty: OnDutySection = Field(default_factory=OnDutySection)
    repair_categories: tuple[RepairCategory, ...]
    complaint_topics: tuple[ComplaintTopic, ...]

    _working_calendar: WorkingCalendar | None = PrivateAttr(default=None)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _fill_default_lists(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        if "repair_categories" not in data:
            data["repair_categories"] = _default_repair_categories(data.get("departments"))
        if "complaint_topics" not in data:
            data["complaint_topics"] = [
                {"key": key, "name_en": en, "name_zh": zh}
                for key, en, zh in DEFAULT_COMPLAINT_TOPICS
            ]
        return data

    @model_validator(mode="after")
    def _check_cross_references(self, info: ValidationInfo) -> EstateConfig:
        if not (info.context or {}).get(_DEFER_CROSS_CHECKS):
            problems = self.cross_reference_problems()
            if problems:
                raise ValueError("; ".join(problems))
        return self

    # -- validation across sections -----------------------------------------------------------

    def cross_reference_problems(self) -> list[str]:
        """Problems no single key shows: duplicates, dangling references, no front desk."""
        problems: list[str] = []
        problems += _duplicates("departments", "key", [d.key for d in self.departments])
        problems += _duplicates("staff", "telegram_id", [s.telegram_id for s in self.staff])
        problems += _duplicates("repair_categories", "key", [c.key for c in self.repair_categories])
        problems += _duplicates("complaint_topics", "key", [t.key for t in self.complaint_topics])

        known = list(dict.fromkeys(d.key for d in self.departments))
        known_text = ", ".join(known) or "none"
        for name, items in (("staff", self.staff), ("repair_categories", self.repair_categories)):
            for index, item in enumerate(items):
                if item.department == FRONT_DESK and FRONT_DESK not in known:
                    continue  # reported once below, as the missing front desk
                if item.department not in known:
                    problems.append(
                        f"{name}[{index}].department: no department {item.department!r} "
                        f"(departments: {known_text})"
                    )

        if FRONT_DESK not in known:
            problems.append(
                f"departments: a department with key {FRONT_DESK!r} and a chat_id is required "
                "(the front desk receives every request)"
            )
        else:
            index = known.index(FRONT_DESK)
            if self.departments[index].chat_id is None:
                problems.append(
                    f"departments[{index}].chat_id: the {FRONT_DESK} department needs the "
                    "chat_id of its Telegram group"
                )
        problems += self._on_duty_problems(known, known_text)
        staff_ids = {s.telegram_id for s in self.staff}
        chasers = [(f"fees.officers.{b}", i) for b, i in self.fees.officers.items()]
        if self.fees.assistant is not None:
            chasers.append(("fees.assistant", self.fees.assistant))
        for key, telegram_id in chasers:
            if telegram_id not in staff_ids:
                problems.append(f"{key}: no [[staff]] with telegram_id {telegram_id}")
        if not self.repair_categories:
            problems.append("repair_categories: at least one category is needed")
        if not self.complaint_topics:
            problems.append("complaint_topics: at least one topic is needed")
        return problems

    def _on_duty_problems(self, known: list[str], known_text: str) -> list[str]:
        """The on-duty department must exist and have a group: its cards come at night."""
        key = self.on_duty.department
        if key is None:
            return []
        if key not in known:
            return [f"on_duty.department: no department {key!r} (departments: {known_text})"]
        if self.department(key).chat_id is None:
            return [f"on_duty.department: the {key} department needs the chat_id of its group"]
        return []

    # -- lookups ------------------------------------------------------------------------------

    def calendar(self) -> WorkingCalendar:
        """The estate's working calendar (built once)."""
        if self._working_calendar is None:
            section = self.calendar_
            day_start, day_end = section.working_hours()
            self._working_calendar = WorkingCalendar(
                timezone=self.estate.zone,
                weekdays=section.weekday_numbers(),
                day_start=day_start,
                day_end=day_end,
                holiday_source=holiday_source_from_spec(section.holidays),
                extra_holidays=frozenset(section.extra_holidays),
                extra_workdays=frozenset(section.extra_workdays),
            )
        return self._working_calendar

    @property
    def calendar_section(self) -> CalendarSection:
        """The `[calendar]` table as written (`calendar()` gives the working calendar)."""
        return self.calendar_

    @property
    def front_desk(self) -> Department:
        return self.department(FRONT_DESK)

    def department(self, key: str) -> Department:
        """The department with `key`; `KeyError` if there is none."""
        for department in self.departments:
            if department.key == key:
                return department
        raise KeyError(f"no department {key!r}")

    def department_chat_ids(self) -> dict[str, int]:
        """Department key -> Telegram chat id, for departments that have a chat."""
        return {d.key: d.chat_id for d in self.departments if d.chat_id is not None}

    def departments_in_chat(self, chat_id: int) -> tuple[Department, ...]:
        """The departments working in the Telegram chat `chat_id` (several may share one)."""
        return tuple(d for d in self.departments if d.chat_id == chat_id)

    def staff_by_telegram_id(self, telegram_id: int) -> StaffMember | None:
        """The staff member with this Telegram user id, or None (e.g. a resident)."""
        for member in self.staff:
            if member.telegram_id == telegram_id:
                return member
        return None

    def staff_in(self, department_key: str) -> tuple[StaffMember, ...]:
        """Staff of one department, in file order."""
        return tuple(s for s in self.staff if s.department == department_key)

    def repair_category(self, key: str) -> RepairCategory:
        """The repair category with `key`; `KeyError` if there is none."""
        for category in self.repair_categories:
            if category.key == key:
                return category
        raise KeyError(f"no repair category {key!r}")

    def complaint_topic(self, key: str) -> ComplaintTopic:
        """The complaint topic with `key`; `KeyError` if there is none."""
        for topic in self.complaint_topics:
            if topic.key == key:
                return topic
        raise KeyError(f"no complaint topic {key!r}")


# -- loading --------------------------------------------------------------------------------


def load_estate_config(path: Path) -> EstateConfig:
    """Read and validate the estate config file; `ConfigError` lists every problem."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(source, [f"cannot read the file: {error.strerror or error}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(source, ["the file is not UTF-8 text"]) from None
    return load_estate_config_text(text, source=source)


def load_estate_config_text(text: str, *, source: str = "<config>") -> EstateConfig:
    """Validate estate config TOML given as text; `source` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, [f"not valid TOML: {error}"]) from None
    return parse_estate_config(data, source=source)


def parse_estate_config(data: Mapping[str, Any], *, source: str = "<config>") -> EstateConfig:
    """Validate already-parsed config data (e.g. from `tomllib`)."""
    try:
        config = EstateConfig.model_validate(data, context={_DEFER_CROSS_CHECKS: True})
    except ValidationError as error:
        raise ConfigError(source, [_describe_error(e) for e in error.errors()]) from None
    problems = config.cross_reference_problems()
    if problems:
        raise ConfigError(source, problems)
    return config


def example_config_text() -> str:
    """The commented example config shipped with the package (`estate-bot config example`)."""
    return resources.files("bot.examples").joinpath("estate.example.toml").read_text("utf-8")


# -- helpers --------------------------------------------------------------------------------


def _parse_hours(value: Any) -> tuple[time, time]:
    match = _HOURS.fullmatch(value.strip()) if isinstance(value, str) else None
    problem = f"must be office hours like '09:00-18:00' (got {value!r})"
    if match is None:
        raise ValueError(problem)
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        raise ValueError(problem)
    start, end = time(start_h, start_m), time(end_h % 24, end_m)
    if end != time(0) and end <= start:
        raise ValueError(f"office hours must end after they start (got {value!r})")
    return start, end


def _default_repair_categories(departments: Any) -> list[dict[str, str]]:
    present = set()
    if isinstance(departments, list | tuple):
        present = {d.get("key") for d in departments if isinstance(d, Mapping)}
    return [
        {
            "key": key,
            "name_en": en,
            "name_zh": zh,
            "department": department if department in present else FRONT_DESK,
        }
        for key, en, zh, department in DEFAULT_REPAIR_CATEGORIES
    ]


def _duplicates(table: str, key: str, values: list[Any]) -> list[str]:
    first_seen: dict[Any, int] = {}
    problems = []
    for index, value in enumerate(values):
        if value in first_seen:
            problems.append(
                f"{table}[{index}].{key}: duplicate {value!r} (already used by "
                f"{table}[{first_seen[value]}])"
            )
        else:
            first_seen[value] = index
    return problems


def _dotted(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _shown(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


_TYPE_MESSAGES = {
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "dict_type": "expected a table",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "string_type": "expected text in quotes",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "date_type": "expected a date such as 2026-12-24",
    "date_parsing": "expected a date such as 2026-12-24",
    "date_from_datetime_parsing": "expected a date such as 2026-12-24",
    "date_from_datetime_inexact": "expected a date such as 2026-12-24, without a time",
}


def _describe_error(error: ErrorDetails) -> str:
    """One pydantic error as "dotted.path[index]: problem"."""
    loc = tuple(error["loc"])
    if loc and loc[0] == "calendar_":
        loc = ("calendar", *loc[1:])
    kind = error["type"]
    if kind in ("value_error", "assertion_error"):
        problem = str(error.get("ctx", {}).get("error", error["msg"]))
    elif kind == "missing":
        problem = "required key is missing"
    elif kind == "extra_forbidden":
        problem = "unknown key" + _suggestion(loc)
    elif kind in _TYPE_MESSAGES:
        problem = f"{_TYPE_MESSAGES[kind]} (got {_shown(error['input'])})"
    else:
        message = error["msg"]
        problem = f"{message[:1].lower()}{message[1:]} (got {_shown(error['input'])})"
    path = _dotted(loc)
    return f"{path}: {problem}" if path else problem


def _suggestion(loc: tuple[int | str, ...]) -> str:
    """A hint for an unknown key: the closest valid key, or the list of valid keys."""
    model: type[BaseModel] | None = EstateConfig
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) or model.model_fields.get(f"{part}_")
        model = _inner_model(field.annotation) if field else None
    if model is None:
        return ""
    known = [field.alias or name for name, field in model.model_fields.items()]
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known keys: {', '.join(known)})"


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        model = _inner_model(argument)
        if model is not None:
            return model
    return None
