"""The period's tickets as a spreadsheet, for the office's own files: one sheet per kind.

Every ticket received in the period, with its timestamps and deadlines on the estate's wall
clock (a spreadsheet cell has no time zone). The columns are the records' own names, so the
office's formulas keep working whatever language its staff read the bot in. A kind that is called
back adds its latest callback survey: when it was answered and the overall rating, and for a
repair the three scores (the technician's skill and manner, the work, the process; empty for an
answer taken on the phone, which is one verdict).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.reports.period import Period
from storage.models import SURVEY_QUESTIONS, Survey, Ticket
from storage.uow import UnitOfWork

COLUMNS = (
    "number",
    "status",
    "category",
    "severity",
    "urgent",
    "department_key",
    "created_at",
    "accepted_at",
    "done_at",
    "confirmed_at",
    "reply_due_at",
    "replied_at",
    "resolve_due_at",
    "resolved_at",
    "closed_at",
    "reopened",
)
SURVEYED = ("survey_answered_at", "survey_rating")
SURVEY_COLUMNS = {
    "repair": (*SURVEYED, *(f"survey_{question}" for question in SURVEY_QUESTIONS)),
    "complaint": SURVEYED,
}
"""The callback survey's columns, for the kinds that are called back."""
PREFIXES = {"repair": "R", "complaint": "C", "slip": "S"}


@dataclass(frozen=True)
class Records:
    """What the spreadsheet lists: the tickets by kind, and each one's latest callback survey."""

    tickets: dict[str, list[Ticket]]
    surveys: dict[int, Survey] = field(default_factory=dict)


async def tickets_of(uow: UnitOfWork, period: Period) -> Records:
    """The period's tickets by kind, each kind's in number order, with their surveys."""
    by_kind: dict[str, list[Ticket]] = {}
    for kind in await uow.tickets.kinds():
        tickets = await uow.tickets.created_between(kind, period.start, period.end)
        if tickets:
            by_kind[kind] = sorted(tickets, key=lambda t: t.number)
    ids = [t.id for kind, tickets in by_kind.items() if kind in SURVEY_COLUMNS for t in tickets]
    latest = {s.ticket_id: s for s in await uow.tickets.surveys_of(ids)}  # in id order: the last
    return Records(by_kind, latest)


def workbook(records: Records, zone: ZoneInfo) -> bytes:
    """An XLSX with a sheet per kind (an empty period still has one sheet, saying nothing)."""
    from openpyxl import Workbook  # on first use: most processes never export

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for kind, tickets in records.tickets.items() or {"tickets": []}.items():
        sheet = book.create_sheet(kind)
        surveyed = SURVEY_COLUMNS.get(kind, ())
        sheet.append((*COLUMNS, *surveyed))
        for ticket in tickets:
            survey = records.surveys.get(ticket.id)
            sheet.append(
                [_cell(kind, ticket, column, zone) for column in COLUMNS]
                + [_survey_cell(survey, column, zone) for column in surveyed]
            )
        sheet.freeze_panes = "A2"
        for letter in "GHIJKLMNO":
            sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(kind: str, ticket: Ticket, column: str, zone: ZoneInfo) -> object:
    if column == "number":
        return f"{PREFIXES.get(kind, kind[:1].upper())}-{ticket.number:04d}"
    return _local(getattr(ticket, column), zone)


def _survey_cell(survey: Survey | None, column: str, zone: ZoneInfo) -> object:
    if survey is None:
        return None
    return _local(getattr(survey, column.removeprefix("survey_")), zone)


def _local(value: object, zone: ZoneInfo) -> object:
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return value
