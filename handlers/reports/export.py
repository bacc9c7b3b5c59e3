"""The period's tickets as a spreadsheet, for the office's own files: one sheet per kind.

Every ticket received in the period, with its timestamps and deadlines on the estate's wall
clock (a spreadsheet cell has no time zone). The columns are the records' own names, so the
office's formulas keep working whatever language its staff read the bot in.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.reports.period import Period
from storage.models import Ticket
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
PREFIXES = {"repair": "R", "complaint": "C", "slip": "S"}


async def tickets_of(uow: UnitOfWork, period: Period) -> dict[str, list[Ticket]]:
    """The period's tickets by kind, each kind's in number order."""
    by_kind: dict[str, list[Ticket]] = {}
    for kind in await uow.tickets.kinds():
        tickets = await uow.tickets.created_between(kind, period.start, period.end)
        if tickets:
            by_kind[kind] = sorted(tickets, key=lambda t: t.number)
    return by_kind


def workbook(by_kind: dict[str, list[Ticket]], zone: ZoneInfo) -> bytes:
    """An XLSX with a sheet per kind (an empty period still has one sheet, saying nothing)."""
    from openpyxl import Workbook  # on first use: most processes never export

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for kind, tickets in by_kind.items() or {"tickets": []}.items():
        sheet = book.create_sheet(kind)
        sheet.append(COLUMNS)
        for ticket in tickets:
            sheet.append([_cell(kind, ticket, column, zone) for column in COLUMNS])
        sheet.freeze_panes = "A2"
        for letter in "GHIJKLMNO":
            sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(kind: str, ticket: Ticket, column: str, zone: ZoneInfo) -> object:
    if column == "number":
        return f"{PREFIXES.get(kind, kind[:1].upper())}-{ticket.number:04d}"
    value = getattr(ticket, column)
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return value
