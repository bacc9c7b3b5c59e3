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
from handlers.messages import TextBody, text
from handlers.rejections import RejectedRow, empty, joined, unit_part_problem
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


def parse_unit(row: ArrearsRow) -> UnitKey | TextBody:
    """The unit's (building, entrance, room), or why it cannot be told."""
    if row.unit.strip():
        written = row.unit.strip()
        found = _UNIT_SEPARATED.fullmatch(written) or _UNIT_CHINESE.fullmatch(written)
        if found is None:
            return text("import.reason.unit", value=written)
        parts: UnitKey = (found[1], found[2], found[3])
    else:
        parts = (row.building.strip(), row.entrance.strip(), row.room.strip())
    for part, value in zip(("building", "entrance", "room"), parts, strict=True):
        if (problem := unit_part_problem(part, value)) is not None:
            return problem
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


def parse_amount(written: str) -> Decimal | TextBody:
    """The amount in yuan, exact to the fen, or why it is not one ("1,234.50", "¥80", "80元")."""
    shown = written.strip()
    cleaned = _MONEY_MARKS.sub("", shown)
    if not cleaned:
        return empty("amount")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return text("import.reason.amount_not_a_number", value=shown)
    if not amount.is_finite():
        return text("import.reason.amount_not_a_number", value=shown)
    if amount < 0:
        return text("import.reason.amount_negative", value=shown)
    if amount != amount.quantize(CENT):
        return text("import.reason.amount_decimals", value=shown)
    if amount > MAX_AMOUNT:
        return text("import.reason.amount_too_large", value=shown)
    return amount.quantize(CENT)


def _key_of(row: ArrearsRow) -> Key | None:
    """The balance a row names, if its unit, fee type and period can be told."""
    unit = parse_unit(row)
    fee = fee_type_key(row.fee_type)
    period = parse_period(row.period)
    if not isinstance(unit, tuple) or fee is None or period is None:
        return None
    return unit, fee, period


def _fee_type_problem(written: str) -> TextBody:
    if not written:
        return empty("fee_type")
    names = joined([text(f"fee.type.{key}") for key in FEE_TYPES], names=True)
    return text("import.reason.fee_type", value=written, names=names)


def check_row(row: ArrearsRow) -> _Entry | RejectedRow:
    """The row as a balance, or every reason it cannot be imported, together."""
    problems: list[TextBody] = []
    unit = parse_unit(row)
    if not isinstance(unit, tuple):
        problems.append(unit)
    fee = fee_type_key(row.fee_type)
    if fee is None:
        problems.append(_fee_type_problem(row.fee_type.strip()))
    period = parse_period(row.period)
    if period is None:
        problems.append(
            text("import.reason.period", value=row.period.strip())
            if row.period.strip()
            else empty("period")
        )
    amount = parse_amount(row.amount)
    if not isinstance(amount, Decimal):
        problems.append(amount)
    due = parse_day(row.due_date)
    if due is None:
        problems.append(
            text("import.reason.due_date", value=row.due_date.strip())
            if row.due_date.strip()
            else empty("due_date")
        )
    if problems or not isinstance(unit, tuple) or not isinstance(amount, Decimal):
        return RejectedRow(row.line, problems)
    assert fee is not None and period is not None and due is not None
    return _Entry(row.line, (unit, fee, period), amount, due)


def _without_duplicates(entries: list[_Entry]) -> tuple[list[_Entry], list[RejectedRow]]:
    """The last row for each balance wins; the earlier ones are reported as duplicates."""
    winners = {entry.key: entry for entry in entries}
    kept = [entry for entry in entries if winners[entry.key] is entry]
    duplicates = [
        RejectedRow(
            entry.line,
            [text("import.reason.duplicate_balance", line=winners[entry.key].line)],
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
