"""The estate config file: the shipped example, defaults, helpers and every error message kind."""

import tomllib
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError

from handlers.config import (
    CalendarSection,
    ComplaintTopic,
    ConfigError,
    Department,
    EstateConfig,
    EstateSection,
    FeesSection,
    ReleaseSlipsSection,
    RepairCategory,
    StaffMember,
    StaffRole,
    Timings,
    example_config_text,
    load_estate_config,
    load_estate_config_text,
)
from handlers.rules.calendar import ChineseCalendarHolidays, NoHolidays
from handlers.rules.durations import parse_duration

MINIMAL = """
[estate]
name = "Test Court"
timezone = "Asia/Shanghai"

[[departments]]
key = "front_desk"
name = "Front desk"
chat_id = -100
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_estate_config_text(text, source="estate.toml")
    assert error.value.source == "estate.toml"
    return error.value.problems


def only_problem(text: str) -> str:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


def with_staff(**fields: object) -> str:
    member = {"telegram_id": 2001, "name": "Wang Fang", "role": "front_desk"}
    member.update({"department": "front_desk"}, **fields)
    lines = "\n".join(f"{key} = {_toml(value)}" for key, value in member.items())
    return f"{MINIMAL}\n[[staff]]\n{lines}\n"


def _toml(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


# -- the shipped example ----------------------------------------------------------------------


def test_example_config_loads_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "estate.toml"
    path.write_text(example_config_text(), encoding="utf-8")
    config = load_estate_config(path)
    assert config.estate.name == "Sunrise Gardens"
    assert config.estate.default_language == "zh_Hans"
    assert isinstance(config.calendar().holiday_source, ChineseCalendarHolidays)
    assert config.front_desk.chat_id is not None


def test_example_config_has_staff_of_every_role() -> None:
    config = load_estate_config_text(example_config_text())
    assert {member.role for member in config.staff} == set(StaffRole)


def _models_and_tables() -> list[tuple[type[BaseModel], str]]:
    return [
        (EstateSection, "estate"),
        (CalendarSection, "calendar"),
        (Department, "departments"),
        (StaffMember, "staff"),
        (Timings, "timings"),
        (ReleaseSlipsSection, "release_slips"),
        (FeesSection, "fees"),
        (RepairCategory, "repair_categories"),
        (ComplaintTopic, "complaint_topics"),
    ]


@pytest.mark.parametrize(("model", "table"), _models_and_tables())
def test_example_config_writes_out_every_key(model: type[BaseModel], table: str) -> None:
    data = tomllib.loads(example_config_text())
    section = data[table]
    written = set(section) if isinstance(section, dict) else set().union(*map(set, section))
    assert written == set(model.model_fields)


def test_example_config_comments_every_timing_with_its_default() -> None:
    lines = example_config_text().splitlines()
    section = lines[lines.index("[timings]") + 1 :]
    section = section[: next(i for i, line in enumerate(section) if line.startswith("["))]
    for index, line in enumerate(section):
        if not line or line.startswith("#"):
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        above = index - 1
        while above >= 0 and section[above] and not section[above].startswith("#"):
            above -= 1  # keys sharing one comment (reply / resolve pairs)
        comment = []
        while above >= 0 and section[above].startswith("#"):
            comment.append(section[above])
            above -= 1
        text = " ".join(comment)
        assert "Default" in text and value in text, f"{key}: comment lacks its default {value}"
    assert {line.split("=")[0].strip() for line in section if "=" in line and line[0] != "#"} == (
        set(Timings.model_fields)
    )


def test_example_timings_are_the_defaults() -> None:
    config = load_estate_config_text(example_config_text())
    assert config.timings == Timings()


# -- defaults ---------------------------------------------------------------------------------


def test_minimal_config_uses_the_manual_defaults() -> None:
    config = load_estate_config_text(MINIMAL)
    assert config.estate.default_language == "en"
    assert config.estate.front_desk_phone is None
    assert config.staff == ()
    assert config.timings.repair_accept_normal == parse_duration("2h")
    assert config.timings.complaint_resolve_major == parse_duration("3 working days")
    assert config.timings.complaint_reply_important == parse_duration("1 working day")
    assert config.timings.complaint_callback == parse_duration("3 working days")
    assert config.timings.registration_approval_reminder == parse_duration("4 working hours")


def test_minimal_config_has_a_monday_to_friday_nine_to_six_calendar_without_holidays() -> None:
    calendar = load_estate_config_text(MINIMAL).calendar()
    assert calendar.timezone == ZoneInfo("Asia/Shanghai")
    assert calendar.weekdays == frozenset(range(5))
    assert (calendar.day_start, calendar.day_end) == (time(9), time(18))
    assert isinstance(calendar.holiday_source, NoHolidays)


def test_default_repair_categories_go_to_front_desk_when_their_department_is_missing() -> None:
    config = load_estate_config_text(MINIMAL)
    keys = [category.key for category in config.repair_categories]
    assert keys == ["water", "electricity", "gas", "doors_locks", "lift", "common_area", "other"]
    assert {category.department for category in config.repair_categories} == {"front_desk"}


def test_default_repair_categories_go_to_their_department_when_it_exists() -> None:
    text = MINIMAL + '\n[[departments]]\nkey = "engineering"\nname = "Engineering"\n'
    config = load_estate_config_text(text)
    assert config.repair_category("water").department == "engineering"
    assert config.repair_category("other").department == "front_desk"


def test_default_complaint_topics_are_provided() -> None:
    config = load_estate_config_text(MINIMAL)
    assert [topic.key for topic in config.complaint_topics] == [
        "service_attitude", "cleanliness", "security", "parking",
        "noise_neighbours", "facilities", "fees", "other",
    ]  # fmt: skip
    assert config.complaint_topic("fees").name_zh == "收费"


def test_explicit_categories_replace_the_defaults() -> None:
    text = MINIMAL + (
        '\n[[repair_categories]]\nkey = "roof"\nname_en = "Roof"\nname_zh = "屋顶"\n'
        'department = "front_desk"\n'
    )
    config = load_estate_config_text(text)
    assert [category.key for category in config.repair_categories] == ["roof"]


# -- helpers ----------------------------------------------------------------------------------


def test_lookups_find_departments_and_staff() -> None:
    config = load_estate_config_text(example_config_text())
    assert config.department("engineering").name == "Engineering"
    assert config.staff_by_telegram_id(2001).name == "Wang Fang"  # type: ignore[union-attr]
    assert config.staff_by_telegram_id(999999) is None
    assert [member.name for member in config.staff_in("security")] == ["Zhou Bin", "Wu Hao"]
    assert config.department_chat_ids()["front_desk"] == -1001000000001
    assert [d.key for d in config.departments_in_chat(-1001000000002)] == ["engineering"]
    with pytest.raises(KeyError):
        config.department("plumbing")


def test_department_chat_ids_skip_departments_without_a_chat() -> None:
    text = MINIMAL + '\n[[departments]]\nkey = "finance"\nname = "Finance"\n'
    assert load_estate_config_text(text).department_chat_ids() == {"front_desk": -100}


def test_calendar_helper_uses_the_calendar_table() -> None:
    text = MINIMAL + (
        '\n[calendar]\nholidays = "chinese-calendar"\nweekdays = ["Monday", "tue", "wed", "thu",'
        ' "fri", "sat"]\nhours = "8:30-17:30"\nextra_holidays = [2026-12-24]\n'
        'extra_workdays = ["2026-12-27"]\n'
    )
    config = load_estate_config_text(text)
    calendar = config.calendar()
    assert calendar is config.calendar()
    assert calendar.weekdays == frozenset(range(6))
    assert (calendar.day_start, calendar.day_end) == (time(8, 30), time(17, 30))
    assert config.calendar_section.hours == "08:30-17:30"
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.is_working_day(date(2026, 12, 27))  # a Sunday made a workday
    assert not calendar.is_working_day(date(2026, 10, 3))  # golden-week Saturday
    received = datetime(2026, 3, 13, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    due = calendar.add(received, config.timings.complaint_reply_important)
    assert due == datetime(2026, 3, 14, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_round_the_clock_hours_are_accepted() -> None:
    config = load_estate_config_text(MINIMAL + '\n[calendar]\nhours = "00:00-24:00"\n')
    assert (config.calendar().day_start, config.calendar().day_end) == (time(0), time(0))


def test_config_is_immutable() -> None:
    config = load_estate_config_text(MINIMAL)
    with pytest.raises(ValidationError):
        config.estate.name = "Other"  # type: ignore[misc]


def test_durations_serialise_back_to_readable_text() -> None:
    dumped = load_estate_config_text(MINIMAL).model_dump(mode="json", by_alias=True)
    assert dumped["timings"]["complaint_resolve_major"] == "3 working days"
    assert "calendar" in dumped


# -- error messages: one per kind ---------------------------------------------------------------


def test_unknown_role_names_the_key_and_the_choices() -> None:
    text = with_staff() + (
        '\n[[staff]]\ntelegram_id = 2002\nname = "B"\nrole = "front_desk"\ndepartment = '
        '"front_desk"\n\n[[staff]]\ntelegram_id = 2003\nname = "C"\nrole = "janitor"\n'
        'department = "front_desk"\n'
    )
    with pytest.raises(ConfigError) as error:
        load_estate_config_text(text, source="estate.toml")
    assert str(error.value) == (
        "estate.toml: staff[2].role: must be one of admin, front_desk, supervisor, technician, "
        "guard, finance (got 'janitor')"
    )


def test_misspelt_key_is_an_error_with_a_suggestion() -> None:
    text = MINIMAL + '\n[timings]\nrepair_accept_urgnt = "10m"\n'
    assert only_problem(text) == (
        "timings.repair_accept_urgnt: unknown key (did you mean 'repair_accept_urgent'?)"
    )


def test_unknown_key_without_a_close_match_lists_the_known_keys() -> None:
    problem = only_problem(with_staff(shoe_size=42))
    assert problem.startswith("staff[0].shoe_size: unknown key (known keys: telegram_id, name")


def test_unknown_table_is_an_error() -> None:
    assert only_problem(MINIMAL + "\n[calender]\n") == (
        "calender: unknown key (did you mean 'calendar'?)"
    )


def test_bad_duration_names_the_timing_key() -> None:
    text = MINIMAL + '\n[timings]\ncomplaint_callback = "3 wrking days"\n'
    assert only_problem(text) == (
        "timings.complaint_callback: '3 wrking days' is not a duration: "
        "use e.g. '90s', '2h', '3 working days'"
    )


def test_duration_written_as_a_number_is_an_error() -> None:
    text = MINIMAL + "\n[timings]\nrepair_accept_normal = 7200\n"
    assert only_problem(text).startswith("timings.repair_accept_normal: expected a duration")


def test_unknown_time_zone_is_an_error() -> None:
    text = MINIMAL.replace("Asia/Shanghai", "Asia/Shangai")
    assert only_problem(text) == (
        "estate.timezone: unknown time zone 'Asia/Shangai': use an IANA name such as "
        "'Asia/Shanghai'"
    )


def test_unknown_language_is_an_error() -> None:
    text = MINIMAL.replace(
        'timezone = "Asia/Shanghai"', 'timezone = "UTC"\ndefault_language = "zh"'
    )
    assert only_problem(text) == "estate.default_language: must be one of en, zh_Hans (got 'zh')"


def test_missing_required_key_is_an_error() -> None:
    text = MINIMAL.replace('name = "Test Court"\n', "")
    assert only_problem(text) == "estate.name: required key is missing"


def test_missing_estate_and_departments_are_both_reported() -> None:
    assert problems_of('[calendar]\nhours = "09:00-18:00"\n') == [
        "estate: required key is missing",
        "departments: required key is missing",
    ]


def test_wrong_type_is_an_error() -> None:
    text = with_staff(telegram_id="wang")
    assert "staff[0].telegram_id: must be a Telegram user id" in only_problem(text)
    assert only_problem(MINIMAL.replace("[estate]", "[[estate]]")) == (
        "estate: expected a table (got a list)"
    )
    text = MINIMAL + '\n[calendar]\nweekdays = "mon"\n'
    assert only_problem(text) == "calendar.weekdays: expected a list (got 'mon')"


def test_negative_telegram_id_is_an_error() -> None:
    assert only_problem(with_staff(telegram_id=-5)) == (
        "staff[0].telegram_id: must be a Telegram user id, a positive whole number (got -5)"
    )


def test_empty_name_is_an_error() -> None:
    assert only_problem(with_staff(name="  ")) == "staff[0].name: must not be empty"


def test_bad_department_key_is_an_error() -> None:
    text = MINIMAL + '\n[[departments]]\nkey = "Plumbing Team"\nname = "P"\n'
    assert only_problem(text).startswith("departments[1].key: must be a lowercase key")


def test_zero_chat_id_is_an_error() -> None:
    assert only_problem(MINIMAL.replace("chat_id = -100", "chat_id = 0")).startswith(
        "departments[0].chat_id: must be a Telegram chat id"
    )


def test_bad_holiday_source_is_an_error() -> None:
    problem = only_problem(MINIMAL + '\n[calendar]\nholidays = "china"\n')
    assert problem.startswith("calendar.holidays: 'china' is not a holiday source")


def test_unknown_holiday_country_is_an_error() -> None:
    problem = only_problem(MINIMAL + '\n[calendar]\nholidays = "holidays:XX"\n')
    assert problem.startswith("calendar.holidays: 'holidays:XX'")


@pytest.mark.parametrize("hours", ["9-18", "09:00", "25:00-26:00", "09:60-18:00", "24:30-25:00"])
def test_badly_written_office_hours_are_an_error(hours: str) -> None:
    problem = only_problem(MINIMAL + f'\n[calendar]\nhours = "{hours}"\n')
    assert problem == f"calendar.hours: must be office hours like '09:00-18:00' (got '{hours}')"


def test_office_hours_ending_before_they_start_are_an_error() -> None:
    problem = only_problem(MINIMAL + '\n[calendar]\nhours = "18:00-09:00"\n')
    assert problem == "calendar.hours: office hours must end after they start (got '18:00-09:00')"


def test_unknown_weekday_is_an_error_naming_its_index() -> None:
    problem = only_problem(MINIMAL + '\n[calendar]\nweekdays = ["mon", "funday"]\n')
    assert problem == (
        "calendar.weekdays[1]: must be one of mon, tue, wed, thu, fri, sat, sun (got 'funday')"
    )


def test_no_weekdays_is_an_error() -> None:
    problem = only_problem(MINIMAL + "\n[calendar]\nweekdays = []\n")
    assert problem.startswith("calendar.weekdays: at least one working weekday is needed")


def test_bad_date_is_an_error() -> None:
    problem = only_problem(MINIMAL + '\n[calendar]\nextra_holidays = ["2026-02-30"]\n')
    assert problem == (
        "calendar.extra_holidays[0]: expected a date such as 2026-12-24 (got '2026-02-30')"
    )


def test_staff_in_a_missing_department_is_an_error() -> None:
    assert only_problem(with_staff(department="plumbing")) == (
        "staff[0].department: no department 'plumbing' (departments: front_desk)"
    )


def test_repair_category_in_a_missing_department_is_an_error() -> None:
    text = MINIMAL + (
        '\n[[repair_categories]]\nkey = "roof"\nname_en = "Roof"\nname_zh = "屋顶"\n'
        'department = "roofing"\n'
    )
    assert only_problem(text) == (
        "repair_categories[0].department: no department 'roofing' (departments: front_desk)"
    )


def test_no_on_duty_group_unless_the_config_names_one() -> None:
    assert load_estate_config_text(MINIMAL).on_duty.department is None


def test_an_on_duty_group_in_a_missing_department_is_an_error() -> None:
    text = MINIMAL + '\n[on_duty]\ndepartment = "control_room"\n'
    assert only_problem(text) == (
        "on_duty.department: no department 'control_room' (departments: front_desk)"
    )


def test_an_on_duty_department_without_a_group_is_an_error() -> None:
    text = MINIMAL + (
        '\n[[departments]]\nkey = "control_room"\nname = "Control room"\n'
        '\n[on_duty]\ndepartment = "control_room"\n'
    )
    assert only_problem(text) == (
        "on_duty.department: the control_room department needs the chat_id of its group"
    )


def test_duplicate_department_key_is_an_error() -> None:
    text = MINIMAL + '\n[[departments]]\nkey = "front_desk"\nname = "Again"\n'
    assert only_problem(text) == (
        "departments[1].key: duplicate 'front_desk' (already used by departments[0])"
    )


def test_duplicate_staff_telegram_id_is_an_error() -> None:
    text = with_staff() + (
        '\n[[staff]]\ntelegram_id = 2001\nname = "Li"\nrole = "guard"\ndepartment = "front_desk"\n'
    )
    assert only_problem(text) == ("staff[1].telegram_id: duplicate 2001 (already used by staff[0])")


def test_duplicate_category_and_topic_keys_are_errors() -> None:
    category = (
        '\n[[repair_categories]]\nkey = "roof"\nname_en = "Roof"\nname_zh = "屋顶"\n'
        'department = "front_desk"\n'
    )
    topic = '\n[[complaint_topics]]\nkey = "noise"\nname_en = "Noise"\nname_zh = "噪音"\n'
    assert problems_of(MINIMAL + category * 2 + topic * 2) == [
        "repair_categories[1].key: duplicate 'roof' (already used by repair_categories[0])",
        "complaint_topics[1].key: duplicate 'noise' (already used by complaint_topics[0])",
    ]


def test_empty_category_and_topic_lists_are_errors() -> None:
    # Top-level keys must come before the first table in TOML.
    assert problems_of("repair_categories = []\ncomplaint_topics = []\n" + MINIMAL) == [
        "repair_categories: at least one category is needed",
        "complaint_topics: at least one topic is needed",
    ]


def test_missing_front_desk_department_is_an_error() -> None:
    text = MINIMAL.replace('key = "front_desk"', 'key = "engineering"')
    assert only_problem(text) == (
        "departments: a department with key 'front_desk' and a chat_id is required "
        "(the front desk receives every request)"
    )


def test_front_desk_without_a_chat_is_an_error() -> None:
    assert only_problem(MINIMAL.replace("chat_id = -100\n", "")) == (
        "departments[0].chat_id: the front_desk department needs the chat_id of its Telegram group"
    )


def test_every_problem_is_reported_on_its_own_line_with_the_file_name() -> None:
    text = MINIMAL.replace("Asia/Shanghai", "Mars/Olympus") + '\n[timings]\nlift = "2h"\n'
    with pytest.raises(ConfigError) as error:
        load_estate_config_text(text, source="/etc/estate.toml")
    lines = str(error.value).splitlines()
    assert len(lines) == 2
    assert all(line.startswith("/etc/estate.toml: ") for line in lines)


def test_invalid_toml_is_an_error_with_its_position() -> None:
    assert only_problem("[estate\nname = 1\n").startswith("not valid TOML: ")
    assert "line 1" in only_problem("[estate\nname = 1\n")


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as error:
        load_estate_config(path)
    assert str(error.value).startswith(f"{path}: cannot read the file: ")


def test_non_utf8_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "estate.toml"
    path.write_bytes(MINIMAL.encode("utf-16"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_estate_config(path)


def test_validating_the_model_directly_still_checks_cross_references() -> None:
    data = tomllib.loads(MINIMAL.replace("chat_id = -100\n", ""))
    with pytest.raises(ValidationError, match="needs the chat_id"):
        EstateConfig.model_validate(data)
