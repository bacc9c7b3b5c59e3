"""`estate-bot arrears import`: finance's list read into rows, rows applied to a real database.

The list is the whole truth about open balances: a re-import replaces amounts, never duplicates,
and settles what it no longer names.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot.render import Renderer
from bot.runtime import system_clock
from handlers.fees.arrears import (
    ArrearsReport,
    ArrearsRow,
    import_arrears,
    parse_amount,
    parse_day,
    parse_period,
    parse_unit,
)
from handlers.fees.files import format_report, read_arrears
from handlers.fees.types import fee_type_key
from handlers.messages import TextBody, message, text
from handlers.rejections import RejectedRow, empty, reason_of, spreadsheet_error
from handlers.roster_files import RosterFileError
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Arrear, Event, Unit

HEADER = "unit,fee type,period,amount,due date"


RENDERER = Renderer(ZoneInfo("Asia/Shanghai"))


def shown(body: TextBody, language: str = "en") -> str:
    """A reason as the command line prints it, in `language`."""
    return RENDERER.terminal(language, dict(message(body)))


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


def write_xlsx(path: Path, *rows: Sequence[Any]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def row(line: int, unit: str, fee: str, period: str, amount: str, due: str) -> ArrearsRow:
    return ArrearsRow(
        line=line, unit=unit, fee_type=fee, period=period, amount=amount, due_date=due
    )


async def apply(estate: Estate, rows: Sequence[ArrearsRow]) -> ArrearsReport:
    async with estate.db.uow(estate.estate_id) as uow:
        report = await import_arrears(uow, rows)
        await uow.commit()
    return report


async def balances(estate: Estate) -> list[tuple[str, str, str, Decimal, bool]]:
    """Every balance as (unit, fee type, period, amount, open), in creation order."""
    async with estate.db.uow(estate.estate_id) as uow:
        result = await uow.session.execute(
            select(Unit, Arrear).join(Unit, Unit.id == Arrear.unit_id).order_by(Arrear.id)
        )
        return [
            (
                f"{u.building}-{u.entrance}-{u.room}",
                a.fee_type,
                a.period,
                a.amount,
                a.settled_at is None,
            )
            for u, a in result.all()
        ]


# -- reading the values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("3-2-301", ("3", "2", "301")),
        (" 3 / 2 / 301 ", ("3", "2", "301")),
        ("3栋2单元301", ("3", "2", "301")),
        ("3号楼2单元301室", ("3", "2", "301")),
    ],
)
def test_a_unit_in_one_column(written: str, expected: tuple[str, str, str]) -> None:
    assert parse_unit(row(2, written, "water", "2026-11", "1", "2026-12-01")) == expected


def test_a_unit_in_three_columns_and_a_unit_that_cannot_be_told() -> None:
    three = ArrearsRow(
        2, "water", "2026-11", "1", "2026-12-01", building="3", entrance="2", room="301"
    )
    assert parse_unit(three) == ("3", "2", "301")
    assert parse_unit(row(2, "301", "w", "", "", "")) == text("import.reason.unit", value="301")


@pytest.mark.parametrize(
    "written", ["2026-11", "2026/11", "2026.11", "202611", "2026年11月", "2026-11-01", "2026-11-01"]
)
def test_periods_are_months(written: str) -> None:
    assert parse_period(written) == "2026-11"


@pytest.mark.parametrize("written", ["2026-13", "11/2026", "November", ""])
def test_not_periods(written: str) -> None:
    assert parse_period(written) is None


@pytest.mark.parametrize(
    "written", ["2026-12-15", "2026/12/15", "2026.12.15", "2026年12月15日", "20261215"]
)
def test_due_dates(written: str) -> None:
    assert parse_day(written) == date(2026, 12, 15)


def test_not_due_dates() -> None:
    assert parse_day("2026-02-30") is None
    assert parse_day("15/12/2026") is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [("80", "80.00"), ("1,234.50", "1234.50"), ("¥80", "80.00"), ("80元", "80.00"), ("0", "0.00")],
)
def test_amounts_are_exact(written: str, expected: str) -> None:
    assert parse_amount(written) == Decimal(expected)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("-5", "amount -5 is negative; list only what the unit owes"),
        ("1.005", "amount 1.005 has more than two decimals"),
        ("abc", "amount 'abc' is not a number"),
        ("", "amount is empty"),
    ],
)
def test_not_amounts(written: str, reason: str) -> None:
    said = parse_amount(written)
    assert not isinstance(said, Decimal)
    assert shown(said) == reason


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Management fee", "management"),
        ("物业费", "management"),
        ("水费", "water"),
        ("Electricity", "power"),
        ("燃气费", "gas"),
        ("有偿服务", "services"),
        ("paid_services", "services"),
    ],
)
def test_fee_types_by_key_or_name(written: str, key: str) -> None:
    assert fee_type_key(written) == key


# -- files -------------------------------------------------------------------------------------


def test_csv_with_one_unit_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", HEADER, "3-2-301,Water,2026-11,80.50,2026-12-15")
    read = read_arrears(path)
    assert read.rows == [row(2, "3-2-301", "Water", "2026-11", "80.50", "2026-12-15")]
    assert read.rejected == []


def test_gb18030_csv_with_chinese_headers_and_three_unit_columns(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        "楼栋,单元,房号,费用类型,期间,金额,到期日",
        '3,2,301,物业费,2026年11月,"1,200.00",2026/12/15',
        encoding="gb18030",
    )
    (only,) = read_arrears(path).rows
    assert (only.building, only.entrance, only.room, only.fee_type) == ("3", "2", "301", "物业费")
    assert only.amount == "1,200.00"


def test_xlsx_numbers_and_dates_are_read_as_text(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        ["楼栋", "单元", "房号", "费用类型", "期间", "金额", "到期日"],
        [3, 2, 301, "水费", datetime(2026, 11, 1), 80.5, datetime(2026, 12, 15)],
    )
    read = read_arrears(path)
    (first,) = read.rows
    assert (first.room, first.period, first.amount, first.due_date) == (
        "301",
        "2026-11-01",
        "80.5",
        "2026-12-15",
    )
    assert parse_period(first.period) == "2026-11"


def test_a_file_without_the_needed_columns_fails_whole(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", "building,room,fee type,amount", "3,301,water,5")
    with pytest.raises(RosterFileError) as error:
        read_arrears(path)
    assert shown(error.value.reason).startswith(
        "a.csv: the header row (line 1) has no unit (or building, entrance and room), period, "
        "due date columns; found 'building', 'room', 'fee type', 'amount'. Accepted names: "
        "unit: unit/home/房屋/"
    )
    assert shown(error.value.reason, "zh_Hans").startswith(
        "a.csv：表头（第 1 行）缺少房屋（或楼栋、单元和房号）、账期、到期日列；"
    )
    with pytest.raises(RosterFileError) as error:
        read_arrears(write_csv(tmp_path / "a.txt", HEADER))
    assert shown(error.value.reason) == "a.txt: unknown file type '.txt'; use a .csv or .xlsx file"


# -- the import --------------------------------------------------------------------------------


async def test_import_creates_units_and_balances(estate: Estate) -> None:
    report = await apply(
        estate,
        [
            row(2, "3-2-301", "Water", "2026-11", "80.50", "2026-12-15"),
            row(3, "3-2-301", "物业费", "2026-11", "1200", "2026-12-15"),
            row(4, "5-1-101", "gas", "2026-10", "45", "2026-11-15"),
        ],
    )
    assert (report.created, report.updated, report.settled, report.rejected) == (3, 0, 0, [])
    assert await balances(estate) == [
        ("3-2-301", "water", "2026-11", Decimal("80.50"), True),
        ("3-2-301", "management", "2026-11", Decimal("1200.00"), True),
        ("5-1-101", "gas", "2026-10", Decimal("45.00"), True),
    ]
    async with estate.db.uow(estate.estate_id) as uow:
        unit = await uow.people.unit("3", "2", "301", create=False)
        assert unit is not None
        assert await uow.arrears.owed_by(unit.id) == Decimal("1280.50")


async def test_reimport_replaces_never_duplicates_and_settles_what_is_gone(estate: Estate) -> None:
    await apply(
        estate,
        [
            row(2, "3-2-301", "water", "2026-11", "80.50", "2026-12-15"),
            row(3, "3-2-301", "management", "2026-11", "1200", "2026-12-15"),
            row(4, "5-1-101", "gas", "2026-10", "45", "2026-11-15"),
        ],
    )
    report = await apply(
        estate,
        [
            row(2, "3-2-301", "water", "2026-11", "100", "2026-12-15"),  # replaced
            row(3, "5-1-101", "gas", "2026-10", "45", "2026-11-15"),  # unchanged
            row(4, "5-1-101", "gas", "2026-11", "40", "2026-12-15"),  # new period
        ],
    )
    assert (report.created, report.updated, report.unchanged, report.settled) == (1, 1, 1, 1)
    assert await balances(estate) == [
        ("3-2-301", "water", "2026-11", Decimal("100.00"), True),
        ("3-2-301", "management", "2026-11", Decimal("1200.00"), False),
        ("5-1-101", "gas", "2026-10", Decimal("45.00"), True),
        ("5-1-101", "gas", "2026-11", Decimal("40.00"), True),
    ]
    # A settled balance that comes back is owed again, on the same row.
    await apply(estate, [row(2, "3-2-301", "management", "2026-11", "1200", "2026-12-15")])
    assert [b for b in await balances(estate) if b[4]] == [
        ("3-2-301", "management", "2026-11", Decimal("1200.00"), True)
    ]


async def test_a_zero_amount_settles_the_balance(estate: Estate) -> None:
    await apply(estate, [row(2, "3-2-301", "water", "2026-11", "80", "2026-12-15")])
    report = await apply(estate, [row(2, "3-2-301", "water", "2026-11", "0", "2026-12-15")])
    assert report.settled == 1
    assert await balances(estate) == [("3-2-301", "water", "2026-11", Decimal("80.00"), False)]


async def test_rejected_rows_are_listed_and_their_balance_is_not_settled(estate: Estate) -> None:
    await apply(estate, [row(2, "3-2-301", "water", "2026-11", "80", "2026-12-15")])
    report = await apply(
        estate,
        [
            row(2, "3-2-301", "water", "2026-11", "eighty", "2026-12-15"),
            row(3, "3-2-301", "parking", "2026-11", "10", "soon"),
            row(4, "", "gas", "2026-11", "10", "2026-12-15"),
            row(5, "5-1-101", "gas", "2026-11", "10", "2026-12-15"),
            row(6, "5-1-101", "gas", "2026-11", "12", "2026-12-15"),
        ],
    )
    assert {rejected.line: shown(reason_of(rejected)) for rejected in report.rejected} == {
        2: "amount 'eighty' is not a number",
        3: "fee type 'parking' is not one of Management fee, Water, Electricity, Gas, "
        "Paid services; due date 'soon' is not a date such as 2026-12-15",
        4: "building is empty",
        5: "same unit, fee type and period as line 6, which is imported instead",
    }
    assert shown(reason_of(report.rejected[1]), "zh_Hans") == (
        "费用类型“parking”不在可选范围内：物业管理费、水费、电费、燃气费、有偿服务费；"
        "到期日“soon”不是日期，应写成 2026-12-15 这样"
    )
    assert await balances(estate) == [
        ("3-2-301", "water", "2026-11", Decimal("80.00"), True),  # line 2 was unreadable
        ("5-1-101", "gas", "2026-11", Decimal("12.00"), True),
    ]


async def test_import_records_an_event_and_leaves_the_commit_to_the_caller(estate: Estate) -> None:
    async with estate.db.uow(estate.estate_id) as uow:
        assert not await uow.arrears.ever_imported()
        await import_arrears(uow, [row(2, "3-2-301", "water", "2026-11", "80", "2026-12-15")])
    async with estate.db.uow(estate.estate_id) as uow:
        assert not await uow.arrears.ever_imported()
    await apply(estate, [])
    async with estate.db.uow(estate.estate_id) as uow:
        assert await uow.arrears.ever_imported()  # even a list where nobody owes
        events = list(
            await uow.session.scalars(select(Event.data).where(Event.action == "arrears.imported"))
        )
    assert events == [{"created": 0, "updated": 0, "unchanged": 0, "settled": 0, "rejected": 0}]


def test_format_report_lists_every_rejected_line() -> None:
    report = ArrearsReport(created=2, settled=1, rejected=[RejectedRow(4, [empty("amount")])])
    said = format_report(
        "a.csv", report, [RejectedRow(3, [spreadsheet_error("amount", "#DIV/0!")])]
    )
    assert RENDERER.terminal("en", dict(said)).splitlines() == [
        "Imported a.csv: 2 new, 0 changed, 0 unchanged, 1 settled, 2 rejected",
        "  line 3: amount holds the spreadsheet error #DIV/0!",
        "  line 4: amount is empty",
    ]
