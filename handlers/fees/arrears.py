"""Importing finance's list of arrears: which unit owes what, for which fee and period.

The domain half of `estate-bot arrears import`: handlers/fees/files.py reads CSV and XLSX into
`ArrearsRow`s; this module checks them and applies them. The list is the whole truth about open
balances: importing it again replaces the amount of each (unit, fee type, period) it names, never
duplicates one, and settles every open balance it no longer names (paid since). A balance of 0
is settled too. A line that cannot be imported is reported with its line number and the reason,
and the balance it names, if it can be told, is left as it was rather than settled. Nothing is
committed here: the caller owns the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from handlers.fees.ladder import after_import
from handlers.fees.types import FEE_TYPES, fee_type_key
from handlers.roster_import import MAX_UNIT_PART, RejectedRow
from storage.models import Arrear, Unit
from storage.repositories.arrears import IMPORTED
from storage.uow import UnitOfWork

UnitKey = tuple[str, str, str]
Key = tuple[UnitKey, str, str]
"""(unit, fee type, period): what one balance is of."""

MAX_AMOUNT = Decimal("9999999999.99")  # Numeric(12, 2)
CENT = Decimal("0.01")
_UNIT_SEPARATED = re.compile(r"\s*(\w+?)\s*[-/—–]\s*(\w+?)\s*[-/—–]\s*(\w+?)\s*")
_UNIT_CHINESE = re.compile(r"\s*(\w+?)\s*(?:号楼|栋|幢)\s*(\w+?)\s*单元\s*(\w+?)\s*(?:室|号)?\s*")
_PERIOD = re.compile(
    r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))"  # 2026-11, 2026年11月, 202611
    r"(?:\s*[-/.]\s*\d{1,2}\s*日?)?"  # a spreadsheet's 2026-11-01 for the month
)
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"  # 2026-12-15, 2026年12月15日
    r"|(\d{4})(\d{2})(\d{2})"  # 20261215
)
_MONEY_MARKS = re.compile(r"[\s,，¥￥]|元$|^RMB|^CNY", re.IGNORECASE)


@dataclass(frozen=True)
class ArrearsRow:
    """One line of the arrears list as finance typed it; `line` is the spreadsheet's row.

    The unit is either `unit` ("3-2-301", "3栋2单元301") or its three parts."""

    line: int
    fee_type: str
    period: str
    amount: str
    due_date: str
    unit: str = ""
    building: str = ""
    entrance: str = ""
    room: str = ""


@dataclass
class ArrearsReport:
    """What an import did: balances by outcome, and the rows it refused."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    settled: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    line: int
    key: Key
    amount: Decimal
    due_date: date


def parse_unit(row: ArrearsRow) -> UnitKey | str:
    """The unit's (building, entrance, room), or why it cannot be told."""
    if row.unit.strip():
        written = row.unit.strip()
        found = _UNIT_SEPARATED.fullmatch(written) or _UNIT_CHINESE.fullmatch(written)
        if found is None:
            return f"unit '{written}' is not building-entrance-room such as 3-2-301"
        parts: UnitKey = (found[1], found[2], found[3])
    else:
        parts = (row.building.strip(), row.entrance.strip(), row.room.strip())
    for label, value in zip(("building", "entrance", "room"), parts, strict=True):
        if not value:
            return f"{label} is empty"
        if len(value) > MAX_UNIT_PART:
            return f"{label} '{value}' is longer than {MAX_UNIT_PART} characters"
    return parts


def parse_period(written: str) -> str | None:
    """A billing month as "YYYY-MM": from 2026-11, 2026/11, 202611, 2026年11月, 2026-11-01."""
    found = _PERIOD.fullmatch(written.strip())
    if found is None:
        return None
    month = int(found[2] or found[3])
    if not 1 <= month <= 12:
        return None
    return f"{found[1]}-{month:02d}"


def parse_day(written: str) -> date | None:
    """A date from 2026-12-15, 2026/12/15, 2026.12.15, 2026年12月15日 or 20261215."""
    found = _DATE.fullmatch(written.strip())
    if found is None:
        return None
    year, month, day = (found[1], found[2], found[3]) if found[1] else found.group(4, 5, 6)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_amount(written: str) -> Decimal | str:
    """The amount in yuan, exact to the fen, or why it is not one ("1,234.50", "¥80", "80元")."""
    cleaned = _MONEY_MARKS.sub("", written.strip())
    if not cleaned:
        return "amount is empty"
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return f"amount '{written.strip()}' is not a number"
    if not amount.is_finite():
        return f"amount '{written.strip()}' is not a number"
    if amount < 0:
        return f"amount {written.strip()} is negative; list only what the unit owes"
    if amount != amount.quantize(CENT):
        return f"amount {written.strip()} has more than two decimals"
    if amount > MAX_AMOUNT:
        return f"amount {written.strip()} is too large"
    return amount.quantize(CENT)


def _key_of(row: ArrearsRow) -> Key | None:
    """The balance a row names, if its unit, fee type and period can be told."""
    unit = parse_unit(row)
    fee = fee_type_key(row.fee_type)
    period = parse_period(row.period)
    if isinstance(unit, str) or fee is None or period is None:
        return None
    return unit, fee, period


def check_row(row: ArrearsRow) -> _Entry | RejectedRow:
    """The row as a balance, or every reason it cannot be imported, together."""
    problems: list[str] = []
    unit = parse_unit(row)
    if isinstance(unit, str):
        problems.append(unit)
    fee = fee_type_key(row.fee_type)
    if fee is None:
        shown = row.fee_type.strip()
        problems.append(
            f"fee type '{shown}' is not one of {', '.join(FEE_TYPES)}"
            if shown
            else "fee type is empty"
        )
    period = parse_period(row.period)
    if period is None:
        problems.append(
            f"period '{row.period.strip()}' is not a month such as 2026-11"
            if row.period.strip()
            else "period is empty"
        )
    amount = parse_amount(row.amount)
    if isinstance(amount, str):
        problems.append(amount)
    due = parse_day(row.due_date)
    if due is None:
        problems.append(
            f"due date '{row.due_date.strip()}' is not a date such as 2026-12-15"
            if row.due_date.strip()
            else "due date is empty"
        )
    if problems or isinstance(unit, str) or isinstance(amount, str):
        return RejectedRow(row.line, "; ".join(problems))
    assert fee is not None and period is not None and due is not None
    return _Entry(row.line, (unit, fee, period), amount, due)


def _without_duplicates(entries: list[_Entry]) -> tuple[list[_Entry], list[RejectedRow]]:
    """The last row for each balance wins; the earlier ones are reported as duplicates."""
    winners = {entry.key: entry for entry in entries}
    kept = [entry for entry in entries if winners[entry.key] is entry]
    duplicates = [
        RejectedRow(
            entry.line,
            f"same unit, fee type and period as line {winners[entry.key].line}, "
            "which is imported instead",
        )
        for entry in entries
        if winners[entry.key] is not entry
    ]
    return kept, duplicates


async def import_arrears(uow: UnitOfWork, rows: Sequence[ArrearsRow]) -> ArrearsReport:
    """Replace the estate's open balances with the list's; report what happened to each row.

    Units named for the first time are created (finance's list knows every home). Records one
    `arrears.imported` event with the counts, and has the bot's scheduler bring the chase cases
    in line with the list (handlers.fees.ladder). Does not commit: the caller does.
    """
    report = ArrearsReport()
    entries: list[_Entry] = []
    kept_as_is: set[Key] = set()
    for row in rows:
        checked = check_row(row)
        if isinstance(checked, RejectedRow):
            report.rejected.append(checked)
            if (key := _key_of(row)) is not None:
                kept_as_is.add(key)
        else:
            entries.append(checked)
    kept, duplicates = _without_duplicates(entries)
    report.rejected.extend(duplicates)
    report.rejected.sort(key=lambda rejected: rejected.line)

    units: dict[UnitKey, Unit] = {}
    by_id: dict[int, UnitKey] = {}
    existing: dict[Key, Arrear] = {}
    for arrear in await uow.arrears.all():
        unit = await uow.people.unit_by_id(arrear.unit_id)
        if unit is not None:
            unit_key = (unit.building, unit.entrance, unit.room)
            units[unit_key], by_id[unit.id] = unit, unit_key
            existing[(unit_key, arrear.fee_type, arrear.period)] = arrear
    named: set[Key] = set()
    for entry in kept:
        named.add(entry.key)
        arrear = existing.get(entry.key)
        if entry.amount == 0:
            if arrear is not None and arrear.settled_at is None:
                arrear.settled_at, arrear.updated_at = uow.now, uow.now
                report.settled += 1
            else:
                report.unchanged += 1
            continue
        if arrear is None:
            unit_key, fee, period = entry.key
            unit = units.get(unit_key) or await uow.people.unit(*unit_key, create=True)
            assert unit is not None  # create=True always returns a unit
            units[unit_key] = unit
            uow.arrears.add(
                Arrear(
                    unit_id=unit.id,
                    fee_type=fee,
                    period=period,
                    amount=entry.amount,
                    due_date=entry.due_date,
                )
            )
            report.created += 1
        elif (
            arrear.settled_at is None
            and arrear.amount == entry.amount
            and arrear.due_date == entry.due_date
        ):
            report.unchanged += 1
        else:
            arrear.amount, arrear.due_date = entry.amount, entry.due_date
            arrear.settled_at, arrear.updated_at = None, uow.now
            report.updated += 1
    for key, arrear in existing.items():
        if arrear.settled_at is None and key not in named and key not in kept_as_is:
            arrear.settled_at, arrear.updated_at = uow.now, uow.now
            report.settled += 1
    await uow.session.flush()
    uow.events.record(
        IMPORTED,
        "arrears",
        None,
        actor=None,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        settled=report.settled,
        rejected=len(report.rejected),
    )
    await after_import(uow)
    return report
