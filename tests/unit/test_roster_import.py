"""`estate-bot residents import`: roster files read into rows, rows imported into a real database.

The files are written by the tests the way estate offices produce them (Excel, WPS, Chinese
Windows), and the import runs against SQLite through the same unit of work the bot uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.render import Renderer
from bot.runtime import system_clock
from handlers.messages import MessageBody, message, text
from handlers.rejections import RejectedRow, reason_of
from handlers.roster_files import RosterFile, RosterFileError, format_report, read_roster
from handlers.roster_import import ImportReport, RosterRow, import_roster
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Event, Resident, Unit

HEADER = "building,entrance,room,name,phone"


@dataclass
class Estate:
    db: Database
    estate_id: int


@pytest.fixture
async def estate(tmp_path: Path) -> AsyncIterator[Estate]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/t.sqlite3", system_clock)
    await upgrade(db.engine)
    estate_id = await db.ensure_estate("default", "Test")
    yield Estate(db, estate_id)
    await db.close()


def write_csv(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, *rows: Sequence[Any], first_sheet: str = "Roster") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = first_sheet
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


async def import_rows(estate: Estate, rows: Sequence[RosterRow]) -> ImportReport:
    async with estate.db.uow(estate.estate_id) as uow:
        report = await import_roster(uow, rows)
        await uow.commit()
    return report


async def import_file(estate: Estate, path: Path) -> tuple[RosterFile, ImportReport]:
    roster = read_roster(path)
    return roster, await import_rows(estate, roster.rows)


async def residents(estate: Estate) -> list[tuple[str, str, str, str, str]]:
    """Every resident as (building, entrance, room, name, phone), in creation order."""
    async with estate.db.uow(estate.estate_id) as uow:
        result = await uow.session.execute(
            select(Unit.building, Unit.entrance, Unit.room, Resident.name, Resident.phone)
            .join(Unit, Unit.id == Resident.unit_id)
            .order_by(Resident.id)
        )
        return [tuple(row) for row in result.all()]  # type: ignore[misc]


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.created, report.updated, report.unchanged, len(report.rejected)


RENDERER = Renderer(ZoneInfo("Asia/Shanghai"))


def shown(body: MessageBody, language: str = "en") -> str:
    """A body as the command line prints it, in `language`."""
    return RENDERER.terminal(language, dict(body))


def refusal(path: Path, language: str = "en") -> str:
    """Why the whole file cannot be imported, as the command line prints it."""
    with pytest.raises(RosterFileError) as error:
        read_roster(path)
    return shown(message(error.value.reason), language)


def reasons(rejected: Sequence[RejectedRow], language: str = "en") -> dict[int, str]:
    return {row.line: shown(message(reason_of(row)), language) for row in rejected}


# --- Reading files -------------------------------------------------------------------------------


async def test_csv_roster_creates_units_and_residents_with_e164_phones(
    estate: Estate, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        HEADER,
        "1,2,301,Wang Li,138 0000 0001",
        "1,2,301,Zhang Wei,+86 139-0000-0002",
        "3,1,1202,Chen Jing,13700000003",
    )
    roster, report = await import_file(estate, path)
    assert roster.rejected == []
    assert counts(report) == (3, 0, 0, 0)
    assert await residents(estate) == [
        ("1", "2", "301", "Wang Li", "+8613800000001"),
        ("1", "2", "301", "Zhang Wei", "+8613900000002"),
        ("3", "1", "1202", "Chen Jing", "+8613700000003"),
    ]
    async with estate.db.uow(estate.estate_id) as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Unit)) == 2
        sources = set(await uow.session.scalars(select(Resident.source)))
    assert sources == {"roster"}


async def test_xlsx_with_chinese_headers_turns_numeric_cells_into_digit_strings(
    estate: Estate, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "业主名册.xlsx",
        ("楼栋", "单元", "房号", "业主姓名", "手机号"),
        (1, 2.0, 301.0, "王丽", 13800000001),
        ("5", "1", "0802", "张伟", 13900000002.0),
    )
    roster, report = await import_file(estate, path)
    assert roster.rows[0] == RosterRow(2, "1", "2", "301", "王丽", "13800000001")
    assert counts(report) == (2, 0, 0, 0)
    assert await residents(estate) == [
        ("1", "2", "301", "王丽", "+8613800000001"),
        ("5", "1", "0802", "张伟", "+8613900000002"),
    ]


def test_xlsx_reads_only_the_first_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(["building", "entrance", "room", "name", "phone"])
    first.append([1, 1, 101, "First Sheet", "13800000001"])
    second = workbook.create_sheet("Old")
    second.append(["building", "entrance", "room", "name", "phone"])
    second.append([9, 9, 909, "Second Sheet", "13800000009"])
    workbook.save(tmp_path / "roster.xlsx")
    roster = read_roster(tmp_path / "roster.xlsx")
    assert [row.name for row in roster.rows] == ["First Sheet"]


def test_gb18030_csv_from_chinese_windows_is_read(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        "楼号,单元号,房间,住户姓名,联系电话",
        "2,1,501,欧阳娜娜,13800000001",
        encoding="gb18030",
    )
    assert read_roster(path).rows == [RosterRow(2, "2", "1", "501", "欧阳娜娜", "13800000001")]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_separator_is_recognised_from_the_header(tmp_path: Path, separator: str) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        separator.join(["栋", "单元", "室", "姓名", "电话"]),
        separator.join(["1", "2", "301", "Wang Li", "138 0000 0001"]),
    )
    assert read_roster(path).rows == [RosterRow(2, "1", "2", "301", "Wang Li", "138 0000 0001")]


def test_utf8_csv_with_a_bom_is_read_as_excel_saves_it(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv", HEADER, "1,2,301,王丽,13800000001", encoding="utf-8-sig"
    )
    assert read_roster(path).rows == [RosterRow(2, "1", "2", "301", "王丽", "13800000001")]


def test_header_names_ignore_case_spaces_and_required_marks(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        " Building ,ENTRANCE,Room*,  name,联系 电话,Notes",
        "1,2,301,Wang Li,13800000001,moved in 2020",
    )
    assert read_roster(path).rows == [RosterRow(2, "1", "2", "301", "Wang Li", "13800000001")]


def test_columns_may_come_in_any_order(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "roster.csv", "phone,name,room,entrance,building", "138,A,3,2,1")
    assert read_roster(path).rows == [RosterRow(2, "1", "2", "3", "A", "138")]


def test_empty_lines_are_skipped_and_line_numbers_still_match_the_file(tmp_path: Path) -> None:
    csv_path = write_csv(
        tmp_path / "roster.csv", "", HEADER, "1,2,301,A,13800000001", ",,,,", "", "1,2,302,B,139"
    )
    xlsx_path = write_xlsx(
        tmp_path / "roster.xlsx",
        (),
        ("building", "entrance", "room", "name", "phone"),
        (1, 2, 301, "A", "13800000001"),
        (None, None, None, None, None),
        (),
        (1, 2, 302, "B", "139"),
    )
    for path in (csv_path, xlsx_path):
        roster = read_roster(path)
        assert [(row.line, row.name) for row in roster.rows] == [(3, "A"), (6, "B")]
        assert roster.rejected == []


def test_missing_column_fails_the_whole_file_naming_found_and_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "roster.csv", "楼栋,单元,姓名,备注", "1,2,Wang Li,note")
    said = refusal(path)
    assert said.startswith("roster.csv: the header row (line 1) has no room, phone columns;")
    assert "found '楼栋', '单元', '姓名', '备注'" in said
    assert "room: room/房号/房间/室; phone: phone/电话/" in said
    assert refusal(path, "zh_Hans").startswith(
        "roster.csv：表头（第 1 行）缺少房号、电话列；找到的列：“楼栋”、“单元”、“姓名”、“备注”。"
    )


def test_two_columns_for_the_same_field_fail_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "roster.csv", "楼栋,单元,房号,姓名,手机,联系电话", "1,2,3,A,1,2")
    assert "two phone columns, '手机' and '联系电话'; keep one" in refusal(path)


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("roster.txt", "unknown file type '.txt'; use a .csv or .xlsx file"),
        ("roster.xls", "old Excel .xls files cannot be read"),
        ("roster", "unknown file type ''"),
    ],
)
def test_unknown_file_type_fails_clearly(tmp_path: Path, file_name: str, expected: str) -> None:
    path = tmp_path / file_name
    path.write_text(HEADER + "\n")
    assert expected in refusal(path)


def test_missing_or_empty_or_broken_files_fail_clearly(tmp_path: Path) -> None:
    assert refusal(tmp_path / "absent.csv").endswith("absent.csv: no such file")
    (tmp_path / "empty.csv").write_text("\n\n")
    assert refusal(tmp_path / "empty.csv") == (
        "empty.csv: the file is empty; its first row must name the columns"
    )
    assert refusal(tmp_path / "empty.csv", "zh_Hans") == "empty.csv：文件为空；第一行应为列名"
    (tmp_path / "broken.xlsx").write_text("not a zip")
    assert refusal(tmp_path / "broken.xlsx").startswith(
        "broken.xlsx: not a readable .xlsx workbook ("
    )


def test_xlsx_date_and_error_cells_reject_their_line_at_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "roster.xlsx",
        ("building", "entrance", "room", "name", "phone"),
        (1, 2, datetime(2024, 3, 1), "Excel made 3-1 a date", "13800000001"),
        (1, 2, 303, "Fine", "13800000003"),
        (1, 2, 304, "Lookup failed", "#N/A"),
    )
    roster = read_roster(path)
    assert [row.line for row in roster.rows] == [3]
    assert reasons(roster.rejected) == {
        2: "room holds a date (2024-03-01) instead of text; "
        "format the column as Text and retype it",
        4: "phone holds the spreadsheet error #N/A",
    }


def test_csv_line_with_an_unquoted_separator_is_rejected_not_misread(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        HEADER,
        "1,2,301,Wang, Li,13800000001",
        '1,2,302,"Zhang, Wei",13800000002,',
    )
    roster = read_roster(path)
    assert [(row.line, row.name) for row in roster.rows] == [(3, "Zhang, Wei")]
    assert reasons(roster.rejected) == {
        2: "has 6 values but the header has 5 columns; "
        "put quotes around values that contain the separator"
    }


# --- Importing rows ------------------------------------------------------------------------------


async def test_reimport_updates_names_creates_new_residents_and_never_duplicates(
    estate: Estate, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "roster.csv",
        HEADER,
        "1,2,301,Wang Li,13800000001",
        "1,2,302,Zhang Wei,139 0000 0002",
    )
    _, report = await import_file(estate, first)
    assert counts(report) == (2, 0, 0, 0)
    second = write_csv(
        tmp_path / "roster.csv",
        HEADER,
        " 1 , 2 , 301 , Wang Lili ,+86 138 0000 0001",
        "1,2,302,Zhang Wei,13900000002",
        "1,2,303,Chen Jing,13700000003",
    )
    _, report = await import_file(estate, second)
    assert counts(report) == (1, 1, 1, 0)
    assert await residents(estate) == [
        ("1", "2", "301", "Wang Lili", "+8613800000001"),
        ("1", "2", "302", "Zhang Wei", "+8613900000002"),
        ("1", "2", "303", "Chen Jing", "+8613700000003"),
    ]
    _, report = await import_file(estate, second)
    assert counts(report) == (0, 0, 3, 0)
    assert len(await residents(estate)) == 3


async def test_same_phone_in_another_unit_is_another_resident(estate: Estate) -> None:
    report = await import_rows(
        estate,
        [
            RosterRow(2, "1", "1", "101", "Owner", "13800000001"),
            RosterRow(3, "1", "1", "102", "Owner", "13800000001"),
        ],
    )
    assert counts(report) == (2, 0, 0, 0)


async def test_reimport_keeps_the_telegram_link_of_a_verified_resident(estate: Estate) -> None:
    await import_rows(estate, [RosterRow(2, "1", "2", "301", "Wang Li", "13800000001")])
    async with estate.db.uow(estate.estate_id) as uow:
        resident = await uow.session.scalar(select(Resident))
        assert resident is not None
        resident.telegram_user_id = 4242
        resident.verified_at = uow.now
        await uow.commit()
    report = await import_rows(estate, [RosterRow(2, "1", "2", "301", "Wang Lili", "13800000001")])
    assert counts(report) == (0, 1, 0, 0)
    async with estate.db.uow(estate.estate_id) as uow:
        resident = await uow.session.scalar(select(Resident))
        assert resident is not None
        assert (resident.name, resident.telegram_user_id) == ("Wang Lili", 4242)
        assert resident.verified_at is not None


async def test_bad_rows_are_rejected_with_line_numbers_and_not_imported(
    estate: Estate, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        HEADER,
        "1,2,301,Wang Li,12345",
        "1,2,,Zhang Wei,13900000002",
        f"1,2,303,{'x' * 201},13700000003",
        f"1,2,304,{'y' * 200},13600000004",
        "1,2,305,,",
        f"{'B' * 33},2,306,Long Building,13500000005",
        "1,2,307,Digit Missing,1380000000",
    )
    roster, report = await import_file(estate, path)
    assert roster.rejected == []
    assert counts(report) == (1, 0, 0, 6)
    assert reasons(report.rejected) == {
        2: "phone '12345' is not a phone number",
        3: "room is empty",
        4: "name is 201 characters long; at most 200 are allowed",
        6: "name is empty; phone is empty",
        7: f"building '{'B' * 33}' is longer than 32 characters",
        8: "phone '1380000000' is not a phone number",
    }
    chinese = reasons(report.rejected, "zh_Hans")
    assert chinese[6] == "姓名为空；电话为空"
    assert chinese[7] == f"楼栋“{'B' * 33}”超过 32 个字符"
    assert await residents(estate) == [("1", "2", "304", "y" * 200, "+8613600000004")]


async def test_same_unit_and_phone_twice_in_one_file_the_later_row_wins(
    estate: Estate, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        HEADER,
        "1,2,301,Old Name,13800000001",
        "1,2,302,Other,13900000002",
        "1,2,301,Middle Name,138 0000 0001",
        "1,2,301,New Name,+86 138 0000 0001",
    )
    _, report = await import_file(estate, path)
    assert counts(report) == (2, 0, 0, 2)
    assert reasons(report.rejected) == {
        2: "same unit and phone as line 5, which is imported instead",
        4: "same unit and phone as line 5, which is imported instead",
    }
    assert await residents(estate) == [
        ("1", "2", "302", "Other", "+8613900000002"),
        ("1", "2", "301", "New Name", "+8613800000001"),
    ]


async def test_import_records_one_roster_imported_event_with_the_counts(estate: Estate) -> None:
    await import_rows(estate, [RosterRow(2, "1", "2", "301", "A", "13800000001")])
    await import_rows(
        estate,
        [
            RosterRow(2, "1", "2", "301", "B", "13800000001"),
            RosterRow(3, "1", "2", "302", "C", "13900000002"),
            RosterRow(4, "1", "2", "303", "D", "not a phone"),
        ],
    )
    async with estate.db.uow(estate.estate_id) as uow:
        events = (
            await uow.session.execute(
                select(
                    Event.action, Event.subject_type, Event.actor_user_id, Event.estate_id
                ).order_by(Event.id)
            )
        ).all()
        last_data = await uow.session.scalar(select(Event.data).order_by(Event.id.desc()))
    assert [tuple(event) for event in events] == [
        ("roster.imported", "roster", None, estate.estate_id),
        ("roster.imported", "roster", None, estate.estate_id),
    ]
    assert last_data == {"created": 1, "updated": 1, "unchanged": 0, "rejected": 1}


async def test_import_leaves_the_commit_to_the_caller(estate: Estate) -> None:
    async with estate.db.uow(estate.estate_id) as uow:
        report = await import_roster(uow, [RosterRow(2, "1", "2", "301", "A", "13800000001")])
        await uow.rollback()
    assert report.created == 1
    assert await residents(estate) == []
    async with estate.db.uow(estate.estate_id) as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Event)) == 0


async def test_phones_without_a_country_code_use_the_region(estate: Estate) -> None:
    async with estate.db.uow(estate.estate_id) as uow:
        await import_roster(uow, [RosterRow(2, "1", "1", "1", "Anna", "030 1234567")], region="DE")
        await uow.commit()
    assert await residents(estate) == [("1", "1", "1", "Anna", "+49301234567")]


# --- The operator's summary ----------------------------------------------------------------------


def test_format_report_summarises_counts_and_lists_every_rejected_line_in_order() -> None:
    report = ImportReport(
        created=12,
        updated=3,
        unchanged=40,
        rejected=[RejectedRow(7, [text("import.reason.phone", value="12345")])],
    )
    at_read = [
        RejectedRow(
            4, [text("import.reason.cell_error", field=text("import.field.room"), value="#N/A")]
        )
    ]
    said = format_report("roster.csv", report, at_read)
    assert shown(said) == (
        "Imported roster.csv: 12 created, 3 updated, 40 unchanged, 2 rejected\n"
        "  line 4: room holds the spreadsheet error #N/A\n"
        "  line 7: phone '12345' is not a phone number"
    )
    assert shown(said, "zh_Hans") == (
        "已导入 roster.csv：新建 12 人，更新 3 人，未变 40 人，拒收 2 行\n"
        "  第 4 行：房号单元格为表格错误值 #N/A\n"
        "  第 7 行：电话“12345”不是有效的电话号码"
    )


def test_format_report_without_rejections_is_one_line() -> None:
    assert shown(format_report("r.xlsx", ImportReport(created=1), [])) == (
        "Imported r.xlsx: 1 created, 0 updated, 0 unchanged, 0 rejected"
    )
