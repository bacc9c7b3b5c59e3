"""Importing the estate office's roster of residents: who lives in which unit, with which phone.

The roster is what lets a resident who shares their phone in Telegram be matched to their unit at
once, without the front desk. This module is the domain half of `estate-bot residents import`: it
knows nothing about file formats (handlers/roster_files.py reads CSV and XLSX into `RosterRow`s) and
nothing about Telegram.

A resident is identified by (unit, phone in E.164). Importing the same file again is safe: an
existing resident gets the name from the file, a new one is created, nobody is duplicated, and a
resident already linked to a Telegram account keeps the link. Rows that cannot be imported are
reported with their line number and a reason, never half-imported. Nothing is committed here: the
caller owns the transaction, so a failed import leaves no trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import phonenumbers

from handlers.messages import TextBody, text
from handlers.rejections import RejectedRow, empty, unit_part_problem
from handlers.rules.phones import normalize_phone
from storage.models import Resident, Unit
from storage.uow import UnitOfWork

MAX_NAME = 200
"""The width of residents.name in storage.models."""

Outcome = Literal["created", "updated", "unchanged"]
UnitKey = tuple[str, str, str]


@dataclass(frozen=True)
class RosterRow:
    """One line of the roster as the operator typed it; `line` is the spreadsheet's row number."""

    line: int
    building: str
    entrance: str
    room: str
    name: str
    phone: str


@dataclass
class ImportReport:
    """What an import did: counts of residents by outcome, and the rows it refused."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass(frozen=True)
class _Entry:
    """A row that passed the checks: trimmed, with the phone in E.164."""

    line: int
    unit: UnitKey
    name: str
    phone: str

    @property
    def key(self) -> tuple[UnitKey, str]:
        return self.unit, self.phone


def _name_problem(name: str) -> TextBody | None:
    if not name:
        return empty("name")
    if len(name) > MAX_NAME:
        return text("import.reason.name_too_long", length=len(name), most=MAX_NAME)
    return None


def _roster_phone(phone: str, region: str) -> str | None:
    """The phone in E.164 if it is a valid number, not just a possible one.

    normalize_phone accepts every number of a possible length, so that a contact shared in
    Telegram always compares; a roster line typed with a digit missing ("1380000000") or a short
    extension ("12345") is possible too, would never match anyone, and is caught here instead.
    """
    normalized = normalize_phone(phone, region)
    if normalized is None or not phonenumbers.is_valid_number(phonenumbers.parse(normalized)):
        return None
    return normalized


def _phone_problem(phone: str, normalized: str | None) -> TextBody | None:
    if not phone:
        return empty("phone")
    if normalized is None:
        return text("import.reason.phone", value=phone)
    return None


def _check_row(row: RosterRow, region: str = "CN") -> _Entry | RejectedRow:
    """The row trimmed and with its phone normalized, or every reason it cannot be imported.

    All problems of a row are reported together, so the operator fixes the line once.
    """
    building, entrance, room = row.building.strip(), row.entrance.strip(), row.room.strip()
    name, phone = row.name.strip(), row.phone.strip()
    normalized = _roster_phone(phone, region) if phone else None
    problems = [
        problem
        for problem in (
            unit_part_problem("building", building),
            unit_part_problem("entrance", entrance),
            unit_part_problem("room", room),
            _name_problem(name),
            _phone_problem(phone, normalized),
        )
        if problem is not None
    ]
    if problems or normalized is None:
        return RejectedRow(row.line, problems)
    return _Entry(row.line, (building, entrance, room), name, normalized)


def _without_duplicates(entries: list[_Entry]) -> tuple[list[_Entry], list[RejectedRow]]:
    """The last row for each (unit, phone) wins; the earlier ones are reported as duplicates."""
    winners = {entry.key: entry for entry in entries}
    kept: list[_Entry] = []
    duplicates: list[RejectedRow] = []
    for entry in entries:
        winner = winners[entry.key]
        if winner is entry:
            kept.append(entry)
        else:
            duplicates.append(
                RejectedRow(
                    entry.line, [text("import.reason.duplicate_resident", line=winner.line)]
                )
            )
    return kept, duplicates


async def _unit(uow: UnitOfWork, key: UnitKey, units: dict[UnitKey, Unit]) -> Unit:
    """The unit, created on first mention; cached because a unit usually has several residents."""
    unit = units.get(key)
    if unit is None:
        unit = await uow.people.unit(*key, create=True)
        assert unit is not None  # create=True always returns a unit
        units[key] = unit
    return unit


async def _apply(uow: UnitOfWork, entry: _Entry, units: dict[UnitKey, Unit]) -> Outcome:
    """Create or update one resident; the Telegram link and verification are left alone."""
    unit = await _unit(uow, entry.unit, units)
    resident = await uow.people.resident_at(unit.id, entry.phone)
    if resident is None:
        uow.people.add_resident(
            Resident(
                estate_id=uow.estate_id,
                unit_id=unit.id,
                name=entry.name,
                phone=entry.phone,
                source="roster",
                created_at=uow.now,
                updated_at=uow.now,
            )
        )
        return "created"
    if resident.name == entry.name:
        return "unchanged"
    resident.name = entry.name
    resident.updated_at = uow.now
    return "updated"


async def import_roster(
    uow: UnitOfWork, rows: Sequence[RosterRow], *, region: str = "CN"
) -> ImportReport:
    """Create or update the residents of the roster rows; report what happened to each row.

    `region` is where phones without a country code are dialled (the estate's country). Residents
    missing from the file are left alone: a roster is often partial. Records one
    `roster.imported` event with the counts. Does not commit: the caller does.
    """
    report = ImportReport()
    entries: list[_Entry] = []
    for row in rows:
        checked = _check_row(row, region)
        if isinstance(checked, RejectedRow):
            report.rejected.append(checked)
        else:
            entries.append(checked)
    kept, duplicates = _without_duplicates(entries)
    report.rejected.extend(duplicates)
    report.rejected.sort(key=lambda rejected: rejected.line)
    units: dict[UnitKey, Unit] = {}
    for entry in kept:
        report.count(await _apply(uow, entry, units))
    uow.events.record(
        "roster.imported",
        "roster",
        None,
        actor=None,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=len(report.rejected),
    )
    return report
