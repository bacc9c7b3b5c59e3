"""Readable durations: parsing, canonical text, and use as a pydantic field."""

from datetime import timedelta

import pytest
from pydantic import BaseModel, ValidationError

from handlers.rules.durations import Duration, DurationKind, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("15 minutes", timedelta(minutes=15)),
        ("1 minute", timedelta(minutes=1)),
        ("2h", timedelta(hours=2)),
        ("2 hours", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("1 hour and 30 minutes", timedelta(hours=1, minutes=30)),
        ("1 hour, 30 minutes", timedelta(hours=1, minutes=30)),
        ("3 days", timedelta(days=3)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("2 weeks", timedelta(weeks=2)),
        ("  2 HOURS ", timedelta(hours=2)),
        ("0s", timedelta(0)),
    ],
)
def test_fixed_durations_parse_to_elapsed_time(text: str, expected: timedelta) -> None:
    duration = parse_duration(text)
    assert duration.kind is DurationKind.FIXED
    assert duration.as_timedelta() == expected
    assert not duration.is_working


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 working day", Duration.working_days(1)),
        ("3 working days", Duration.working_days(3)),
        ("3  Working  Days", Duration.working_days(3)),
        ("4 working hours", Duration.working_hours(4)),
        ("1 working hour", Duration.working_hours(1)),
        ("90 working minutes", Duration.working_hours(minutes=90)),
    ],
)
def test_working_durations_parse_to_working_time(text: str, expected: Duration) -> None:
    duration = parse_duration(text)
    assert duration == expected
    assert duration.is_working


def test_working_days_keep_the_count_not_a_timedelta() -> None:
    duration = parse_duration("3 working days")
    assert duration.kind is DurationKind.WORKING_DAYS
    assert duration.days == 3
    assert duration.delta == timedelta(0)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("90s", "1m30s"),
        ("15 minutes", "15m"),
        ("2 hours", "2h"),
        ("90m", "1h30m"),
        ("3 days", "3d"),
        ("1w", "7d"),
        ("0s", "0s"),
        ("1 working day", "1 working day"),
        ("3 working days", "3 working days"),
        ("1 working hour", "1 working hour"),
        ("4 working hours", "4 working hours"),
        ("120 working minutes", "2 working hours"),
        ("90 working minutes", "90 working minutes"),
    ],
)
def test_str_gives_canonical_text_that_parses_back(text: str, canonical: str) -> None:
    duration = parse_duration(text)
    assert str(duration) == canonical
    assert parse_duration(str(duration)) == duration


def test_equal_spans_written_differently_are_equal() -> None:
    assert parse_duration("90m") == parse_duration("1h30m") == parse_duration("5400s")
    assert parse_duration("1 day") != parse_duration("1 working day")


def test_repr_shows_the_readable_form() -> None:
    assert repr(parse_duration("2h")) == "Duration('2h')"


def test_misspelt_working_days_are_rejected_with_examples() -> None:
    with pytest.raises(ValueError) as error:
        parse_duration("3 wrking days")
    assert str(error.value) == (
        "'3 wrking days' is not a duration: use e.g. '90s', '2h', '3 working days'"
    )


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "an empty text is not a duration"),
        ("   ", "an empty text is not a duration"),
        ("soon", "'soon' is not a duration: use e.g."),
        ("2", "'2' is not a duration"),
        ("h", "'h' is not a duration"),
        ("2hx", "'2hx' is not a duration"),
        ("2 months", "'2 months' is not a duration"),
        ("1h,", "'1h,' is not a duration"),
        ("1 hour and", "'1 hour and' is not a duration"),
        ("1.5h", "use whole numbers"),
        ("1.5 working days", "use whole numbers"),
        ("-2h", "cannot be negative"),
        ("1 working day 2h", "a working duration is one whole amount"),
        ("working days", "a working duration is one whole amount"),
    ],
)
def test_bad_text_is_rejected_with_a_clear_message(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match="not a duration") as error:
        parse_duration(text)
    assert hint in str(error.value)


def test_non_text_is_rejected_with_an_example() -> None:
    with pytest.raises(ValueError, match=r"expected a duration as text, e.g. '2h' \(got 900\)"):
        parse_duration(900)  # type: ignore[arg-type]


def test_working_duration_has_no_timedelta() -> None:
    with pytest.raises(ValueError, match="working time"):
        parse_duration("2 working days").as_timedelta()


def test_constructors_reject_negative_and_inconsistent_values() -> None:
    with pytest.raises(ValueError, match="negative"):
        Duration.fixed(timedelta(hours=-1))
    with pytest.raises(ValueError, match="negative"):
        Duration.working_days(-1)
    with pytest.raises(ValueError, match="whole number of seconds"):
        Duration.fixed(timedelta(milliseconds=5))
    with pytest.raises(ValueError, match="whole number of minutes"):
        Duration(DurationKind.WORKING_HOURS, delta=timedelta(seconds=30))
    with pytest.raises(ValueError, match="no delta"):
        Duration(DurationKind.WORKING_DAYS, delta=timedelta(hours=1), days=1)
    with pytest.raises(ValueError, match="no days"):
        Duration(DurationKind.FIXED, days=1)


def test_duration_is_immutable_and_hashable() -> None:
    duration = parse_duration("2h")
    with pytest.raises(AttributeError):
        duration.days = 3  # type: ignore[misc]
    assert {duration, parse_duration("120m")} == {duration}


class _Policy(BaseModel):
    reply_within: Duration


def test_pydantic_field_parses_text_and_serialises_canonical_text() -> None:
    policy = _Policy.model_validate({"reply_within": "2 hours"})
    assert policy.reply_within == Duration.fixed(timedelta(hours=2))
    assert policy.model_dump(mode="json") == {"reply_within": "2h"}
    assert _Policy.model_validate_json(policy.model_dump_json()) == policy


def test_pydantic_field_accepts_duration_and_timedelta_values() -> None:
    assert _Policy(reply_within=Duration.working_days(1)).reply_within == Duration.working_days(1)
    assert _Policy.model_validate({"reply_within": timedelta(minutes=5)}).reply_within == (
        parse_duration("5m")
    )


def test_pydantic_error_names_the_field_and_the_problem() -> None:
    with pytest.raises(ValidationError) as error:
        _Policy.model_validate({"reply_within": "3 wrking days"})
    (detail,) = error.value.errors()
    assert detail["loc"] == ("reply_within",)
    assert "'3 wrking days' is not a duration" in detail["msg"]


def test_pydantic_json_schema_describes_a_string() -> None:
    schema = _Policy.model_json_schema()
    assert schema["properties"]["reply_within"]["type"] == "string"
