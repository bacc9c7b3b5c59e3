"""The working calendar: working days, working time and SLA deadlines, without a bot."""

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.rules.calendar import (
    ChineseCalendarHolidays,
    NoHolidays,
    PublicHolidays,
    WorkingCalendar,
    holiday_source_from_spec,
)
from handlers.rules.durations import Duration, parse_duration

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def china_calendar(**overrides: object) -> WorkingCalendar:
    options: dict[str, object] = {
        "timezone": SHANGHAI,
        "weekdays": frozenset(range(5)),
        "day_start": time(9),
        "day_end": time(18),
        "holiday_source": ChineseCalendarHolidays(),
        "extra_holidays": set(),
        "extra_workdays": set(),
    }
    options.update(overrides)
    return WorkingCalendar(**options)  # type: ignore[arg-type]


def london_calendar(**overrides: object) -> WorkingCalendar:
    options: dict[str, object] = {"timezone": LONDON, "holiday_source": NoHolidays()}
    options.update(overrides)
    return WorkingCalendar(**options)  # type: ignore[arg-type]


# -- working days -----------------------------------------------------------------------------


def test_weekday_rule_makes_monday_to_friday_working_days() -> None:
    calendar = london_calendar()
    week = [date(2026, 3, 9) + timedelta(days=offset) for offset in range(7)]  # Mon..Sun
    assert [calendar.is_working_day(day) for day in week] == [True] * 5 + [False] * 2


def test_configured_weekdays_can_include_saturday() -> None:
    calendar = london_calendar(weekdays={0, 1, 2, 3, 4, 5})
    assert calendar.is_working_day(date(2026, 3, 14))  # Saturday
    assert not calendar.is_working_day(date(2026, 3, 15))  # Sunday


def test_national_day_golden_week_2026_is_closed() -> None:
    calendar = china_calendar()
    for offset in range(7):
        assert not calendar.is_working_day(date(2026, 10, 1) + timedelta(days=offset))


def test_national_day_make_up_sunday_and_saturday_are_working_days() -> None:
    calendar = china_calendar()
    assert calendar.is_working_day(date(2026, 9, 20))  # Sunday before the holiday
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday after it
    assert not calendar.is_working_day(date(2026, 10, 11))  # an ordinary Sunday


def test_holiday_on_a_saturday_closes_an_estate_that_works_saturdays() -> None:
    calendar = china_calendar(weekdays={0, 1, 2, 3, 4, 5})
    assert not calendar.is_working_day(date(2026, 10, 3))  # Saturday inside golden week
    assert calendar.is_working_day(date(2026, 10, 17))  # an ordinary Saturday


def test_public_holidays_source_has_no_make_up_workdays() -> None:
    calendar = china_calendar(holiday_source=holiday_source_from_spec("holidays:CN"))
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 10))  # Saturday: weekday rule


def test_estate_extra_workday_opens_a_weekend_day() -> None:
    calendar = china_calendar(extra_workdays={date(2026, 3, 14)})
    assert calendar.is_working_day(date(2026, 3, 14))
    assert not calendar.is_working_day(date(2026, 3, 15))


def test_estate_extra_workday_wins_over_a_public_holiday() -> None:
    calendar = china_calendar(extra_workdays={date(2026, 10, 2)})
    assert calendar.is_working_day(date(2026, 10, 2))


def test_estate_extra_holiday_closes_a_weekday() -> None:
    calendar = china_calendar(extra_holidays={date(2026, 12, 24)})
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.is_working_day(date(2026, 12, 23))


def test_estate_extra_holiday_wins_over_an_official_make_up_day() -> None:
    calendar = china_calendar(extra_holidays={date(2026, 10, 10)})
    assert not calendar.is_working_day(date(2026, 10, 10))


def test_estate_extra_workday_wins_over_estate_extra_holiday() -> None:
    day = date(2026, 12, 24)
    calendar = china_calendar(extra_holidays={day}, extra_workdays={day})
    assert calendar.is_working_day(day)


def test_chinese_calendar_falls_back_to_weekdays_and_warns_once_for_unknown_years(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = china_calendar()
    with caplog.at_level(logging.WARNING, logger="handlers.rules.calendar"):
        assert calendar.is_working_day(date(2099, 10, 1))  # a Thursday, no data
        assert not calendar.is_working_day(date(2099, 10, 3))  # a Saturday
        assert calendar.is_working_day(date(2099, 10, 5))
    warnings = [record for record in caplog.records if "2099" in record.getMessage()]
    assert len(warnings) == 1
    assert "weekday rule" in warnings[0].getMessage()


def test_uk_public_holidays_include_observed_days() -> None:
    source = holiday_source_from_spec("holidays:GB:ENG")
    assert isinstance(source, PublicHolidays)
    assert source.is_holiday(date(2026, 12, 25))
    assert source.is_holiday(date(2026, 12, 28))  # Boxing Day (observed), a Monday
    assert not source.is_makeup_workday(date(2026, 12, 28))


# -- holiday sources --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kind", "canonical"),
    [
        ("none", NoHolidays, "none"),
        ("chinese-calendar", ChineseCalendarHolidays, "chinese-calendar"),
        ("holidays:CN", PublicHolidays, "holidays:CN"),
        ("holidays:gb:eng", PublicHolidays, "holidays:GB:ENG"),
    ],
)
def test_holiday_source_specs_build_their_source(spec: str, kind: type, canonical: str) -> None:
    source = holiday_source_from_spec(spec)
    assert isinstance(source, kind)
    assert source.spec == canonical


@pytest.mark.parametrize("spec", ["", "chinese", "holidays", "holidays:", "holidays:GB:ENG:X"])
def test_unknown_holiday_source_spec_lists_the_accepted_forms(spec: str) -> None:
    with pytest.raises(ValueError, match="is not a holiday source: use 'chinese-calendar'"):
        holiday_source_from_spec(spec)


def test_unknown_country_or_subdivision_is_rejected() -> None:
    with pytest.raises(ValueError, match="'holidays:XX'"):
        holiday_source_from_spec("holidays:XX")
    with pytest.raises(ValueError, match="'holidays:GB:XYZ'"):
        holiday_source_from_spec("holidays:GB:XYZ")


# -- working time -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (shanghai(2026, 3, 16, 8, 59), False),
        (shanghai(2026, 3, 16, 9, 0), True),
        (shanghai(2026, 3, 16, 17, 59), True),
        (shanghai(2026, 3, 16, 18, 0), False),
        (shanghai(2026, 3, 14, 10, 0), False),  # Saturday
        (shanghai(2026, 10, 2, 10, 0), False),  # National Day
    ],
)
def test_working_time_is_office_hours_on_working_days(moment: datetime, expected: bool) -> None:
    assert china_calendar().is_working_time(moment) is expected


def test_working_time_is_judged_in_the_calendar_time_zone() -> None:
    # 02:00 UTC is 10:00 in Shanghai.
    assert china_calendar().is_working_time(datetime(2026, 3, 16, 2, 0, tzinfo=UTC))


def test_next_working_start_is_the_moment_itself_inside_working_time() -> None:
    moment = shanghai(2026, 3, 16, 11, 15)
    assert china_calendar().next_working_start(moment) == moment


def test_next_working_start_before_opening_is_today_at_opening() -> None:
    assert china_calendar().next_working_start(shanghai(2026, 3, 16, 7, 0)) == shanghai(
        2026, 3, 16, 9, 0
    )


def test_next_working_start_after_closing_on_friday_is_monday_morning() -> None:
    assert china_calendar().next_working_start(shanghai(2026, 3, 13, 18, 0)) == shanghai(
        2026, 3, 16, 9, 0
    )


@pytest.mark.parametrize(
    ("after", "opening"),
    [
        pytest.param(shanghai(2026, 3, 16, 7, 0), shanghai(2026, 3, 16, 9, 0), id="before-opening"),
        pytest.param(shanghai(2026, 3, 16, 9, 0), shanghai(2026, 3, 17, 9, 0), id="at-opening"),
        pytest.param(shanghai(2026, 3, 16, 11, 0), shanghai(2026, 3, 17, 9, 0), id="working"),
        pytest.param(shanghai(2026, 3, 13, 22, 0), shanghai(2026, 3, 16, 9, 0), id="friday-night"),
        pytest.param(shanghai(2026, 9, 30, 19, 0), shanghai(2026, 10, 8, 9, 0), id="golden-week"),
    ],
)
def test_next_opening_is_the_next_start_of_office_hours_strictly_after(
    after: datetime, opening: datetime
) -> None:
    assert china_calendar().next_opening(after) == opening


def test_next_working_start_skips_golden_week() -> None:
    assert china_calendar().next_working_start(shanghai(2026, 9, 30, 19, 0)) == shanghai(
        2026, 10, 8, 9, 0
    )


def test_results_are_in_the_calendar_time_zone() -> None:
    result = china_calendar().next_working_start(datetime(2026, 3, 13, 12, 0, tzinfo=UTC))
    assert result.tzinfo == SHANGHAI
    assert result == shanghai(2026, 3, 16, 9, 0)


def test_naive_datetimes_are_rejected() -> None:
    calendar = china_calendar()
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.is_working_time(datetime(2026, 3, 16, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add(datetime(2026, 3, 16, 10, 0), parse_duration("2h"))


# -- adding durations -------------------------------------------------------------------------


def test_complaint_received_friday_1700_with_one_working_day_is_due_monday_1700() -> None:
    due = china_calendar().add(shanghai(2026, 3, 13, 17, 0), parse_duration("1 working day"))
    assert due == shanghai(2026, 3, 16, 17, 0)
    assert due.tzinfo == SHANGHAI


def test_one_working_day_skips_the_mid_autumn_long_weekend() -> None:
    due = china_calendar().add(shanghai(2026, 9, 24, 17, 0), parse_duration("1 working day"))
    assert due == shanghai(2026, 9, 28, 17, 0)


def test_complaint_received_after_hours_counts_from_next_working_morning() -> None:
    due = china_calendar().add(shanghai(2026, 3, 13, 19, 0), parse_duration("1 working day"))
    assert due == shanghai(2026, 3, 17, 9, 0)


def test_complaint_received_on_saturday_counts_from_monday_morning() -> None:
    due = china_calendar().add(shanghai(2026, 3, 14, 10, 0), parse_duration("3 working days"))
    assert due == shanghai(2026, 3, 19, 9, 0)


def test_working_days_skip_golden_week_and_count_the_make_up_saturday() -> None:
    calendar = china_calendar()
    start = shanghai(2026, 9, 30, 10, 0)
    assert calendar.add(start, parse_duration("1 working day")) == shanghai(2026, 10, 8, 10, 0)
    assert calendar.add(start, parse_duration("3 working days")) == shanghai(2026, 10, 10, 10, 0)
    assert calendar.add(start, parse_duration("4 working days")) == shanghai(2026, 10, 12, 10, 0)


def test_working_days_count_a_make_up_day_added_by_the_estate() -> None:
    calendar = china_calendar(extra_workdays={date(2026, 3, 14)})  # a Saturday
    due = calendar.add(shanghai(2026, 3, 13, 17, 0), parse_duration("1 working day"))
    assert due == shanghai(2026, 3, 14, 17, 0)


def test_working_days_skip_a_day_the_estate_office_is_closed() -> None:
    calendar = china_calendar(extra_holidays={date(2026, 12, 24)})
    due = calendar.add(shanghai(2026, 12, 23, 10, 0), parse_duration("1 working day"))
    assert due == shanghai(2026, 12, 25, 10, 0)


def test_zero_working_days_is_the_next_working_start() -> None:
    calendar = china_calendar()
    assert calendar.add(shanghai(2026, 3, 14, 10, 0), Duration.working_days(0)) == shanghai(
        2026, 3, 16, 9, 0
    )


def test_working_hours_continue_on_the_next_working_day() -> None:
    due = china_calendar().add(shanghai(2026, 3, 13, 16, 0), parse_duration("4 working hours"))
    assert due == shanghai(2026, 3, 16, 11, 0)


def test_working_hours_may_end_exactly_at_closing_time() -> None:
    due = china_calendar().add(shanghai(2026, 3, 16, 14, 0), parse_duration("4 working hours"))
    assert due == shanghai(2026, 3, 16, 18, 0)


def test_working_hours_from_a_weekend_start_on_monday_morning() -> None:
    due = china_calendar().add(shanghai(2026, 3, 15, 20, 0), parse_duration("4 working hours"))
    assert due == shanghai(2026, 3, 16, 13, 0)


def test_working_hours_skip_golden_week() -> None:
    due = china_calendar().add(shanghai(2026, 9, 30, 17, 0), parse_duration("2 working hours"))
    assert due == shanghai(2026, 10, 8, 10, 0)


def test_working_hours_spanning_several_days() -> None:
    # 20 working hours from Monday 09:00 with 9-hour days: Mon 9 + Tue 9 + Wed 2.
    due = china_calendar().add(shanghai(2026, 3, 16, 9, 0), parse_duration("20 working hours"))
    assert due == shanghai(2026, 3, 18, 11, 0)


def test_working_minutes_are_counted_like_working_hours() -> None:
    due = china_calendar().add(shanghai(2026, 3, 16, 17, 30), parse_duration("90 working minutes"))
    assert due == shanghai(2026, 3, 17, 10, 0)


def test_fixed_durations_ignore_the_working_calendar() -> None:
    calendar = china_calendar()
    start = shanghai(2026, 9, 30, 17, 0)
    assert calendar.add(start, parse_duration("2h")) == shanghai(2026, 9, 30, 19, 0)
    assert calendar.add(start, parse_duration("2 days")) == shanghai(2026, 10, 2, 17, 0)


def test_fixed_duration_result_is_in_the_calendar_time_zone() -> None:
    due = china_calendar().add(datetime(2026, 3, 16, 1, 0, tzinfo=UTC), parse_duration("15m"))
    assert due.tzinfo == SHANGHAI
    assert due == shanghai(2026, 3, 16, 9, 15)


# -- daylight saving time (Europe/London: 29 March and 25 October 2026) ------------------------


def test_fixed_hours_across_spring_forward_are_real_elapsed_hours() -> None:
    due = london_calendar().add(london(2026, 3, 29, 0, 30), parse_duration("2h"))
    assert due == london(2026, 3, 29, 3, 30)  # 00:30 GMT + 2h = 03:30 BST
    # Same-zone datetime subtraction is wall-clock in Python; compare in UTC.
    assert due.astimezone(UTC) - london(2026, 3, 29, 0, 30).astimezone(UTC) == timedelta(hours=2)


def test_fixed_days_across_spring_forward_are_elapsed_time_not_clock_time() -> None:
    start = london(2026, 3, 28, 12, 0)
    due = london_calendar().add(start, parse_duration("2 days"))
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=2)
    assert (due.hour, due.utcoffset()) == (13, timedelta(hours=1))


def test_fixed_hours_across_fall_back_are_real_elapsed_hours() -> None:
    start = london(2026, 10, 25, 0, 30)
    due = london_calendar().add(start, parse_duration("2h"))
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2)
    assert due.hour == 1 and due.utcoffset() == timedelta(0)  # 01:30 GMT, the second one


def test_working_days_across_spring_forward_keep_the_local_clock_time() -> None:
    due = london_calendar().add(london(2026, 3, 27, 10, 0), parse_duration("1 working day"))
    assert (due.date(), due.hour, due.minute) == (date(2026, 3, 30), 10, 0)
    assert due.utcoffset() == timedelta(hours=1)


def test_working_days_across_fall_back_keep_the_local_clock_time() -> None:
    due = london_calendar().add(london(2026, 10, 23, 17, 0), parse_duration("1 working day"))
    assert (due.date(), due.hour) == (date(2026, 10, 26), 17)
    assert due.utcoffset() == timedelta(0)


def test_working_hours_across_a_dst_weekend_count_office_hours_only() -> None:
    due = london_calendar().add(london(2026, 3, 27, 17, 0), parse_duration("2 working hours"))
    assert (due.date(), due.hour) == (date(2026, 3, 30), 10)


def test_round_the_clock_working_hours_count_real_time_across_spring_forward() -> None:
    calendar = london_calendar(weekdays=set(range(7)), day_start=time(0), day_end=time(0))
    due = calendar.add(london(2026, 3, 29, 0, 0), parse_duration("3 working hours"))
    assert due == london(2026, 3, 29, 4, 0)  # 00:00 GMT + 3 real hours = 04:00 BST


def test_round_the_clock_calendar_treats_midnight_as_working_time() -> None:
    calendar = london_calendar(weekdays=set(range(7)), day_start=time(0), day_end=time(0))
    assert calendar.is_working_time(london(2026, 3, 14, 0, 0))
    assert calendar.is_working_time(london(2026, 3, 14, 23, 59))


# -- construction -----------------------------------------------------------------------------


def test_calendar_without_working_weekdays_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least one working weekday"):
        london_calendar(weekdays=set())


def test_calendar_with_unknown_weekday_numbers_is_rejected() -> None:
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        london_calendar(weekdays={7})


def test_working_hours_must_end_after_they_start() -> None:
    with pytest.raises(ValueError, match="must end after they start"):
        london_calendar(day_start=time(18), day_end=time(9))


def test_calendar_accepts_plain_sets_and_stays_immutable() -> None:
    calendar = london_calendar(extra_holidays={date(2026, 12, 24)})
    assert isinstance(calendar.extra_holidays, frozenset)
    with pytest.raises(AttributeError):
        calendar.day_start = time(8)  # type: ignore[misc]


def test_calendar_that_never_works_fails_instead_of_looping() -> None:
    class AlwaysHoliday(NoHolidays):
        def is_holiday(self, day: date) -> bool:
            return True

    calendar = london_calendar(holiday_source=AlwaysHoliday())
    with pytest.raises(ValueError, match="no working day"):
        calendar.next_working_start(london(2026, 3, 16, 10, 0))
