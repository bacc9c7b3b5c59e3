"""Why a line of an imported spreadsheet (the roster, finance's arrears list) is refused.

A refused line is reported to whoever imported the file: in a chat in their language, on the
command line in the estate's. So each reason is a catalog text whose parameters are what the
operator typed, never an English sentence built in code; what the reasons of one line share
(the names of the columns, the checks of a unit's parts, how reasons are joined) is here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.messages import MessageBody, TextBody, message, text

MAX_UNIT_PART = 32
"""The width of units.building/entrance/room in storage.models."""

FIELDS: dict[str, TextBody] = {
    "unit": text("import.field.unit"),
    "building": text("import.field.building"),
    "entrance": text("import.field.entrance"),
    "room": text("import.field.room"),
    "name": text("import.field.name"),
    "phone": text("import.field.phone"),
    "fee_type": text("import.field.fee_type"),
    "period": text("import.field.period"),
    "amount": text("import.field.amount"),
    "due_date": text("import.field.due_date"),
}
"""A column of either file, by field, as the reader calls it."""


@dataclass(frozen=True)
class RejectedRow:
    """A line that was not imported, and every reason why, each one the operator can act on."""

    line: int
    reasons: list[TextBody]


def empty(field: str) -> TextBody:
    return text("import.reason.empty", field=FIELDS[field])


def unit_part_problem(field: str, value: str) -> TextBody | None:
    """Why a building, entrance or room (already trimmed) cannot be stored, if it cannot."""
    if not value:
        return empty(field)
    if len(value) > MAX_UNIT_PART:
        return text("import.reason.too_long", field=FIELDS[field], value=value, most=MAX_UNIT_PART)
    return None


def spreadsheet_error(field: str, value: str) -> TextBody:
    """The cell holds an error of the spreadsheet's (#REF!, #DIV/0!), not a value."""
    return text("import.reason.cell_error", field=FIELDS[field], value=value)


def joined(items: Sequence[TextBody], *, names: bool = False) -> TextBody:
    """Several texts as one, joined as the reader's language joins reasons ("; ", "；") or,
    with `names`, the items of a list (", ", "、")."""
    if len(items) == 1:
        return items[0]
    rest = joined(items[1:], names=names)
    if names:
        return text("import.names", first=items[0], rest=rest)
    return text("import.reasons", first=items[0], rest=rest)


def reason_of(row: RejectedRow) -> TextBody:
    """All of a refused line's reasons, in one sentence."""
    return joined(row.reasons)


def in_order(*found: Sequence[RejectedRow]) -> list[RejectedRow]:
    """The lines refused when the file was read and when it was imported, by line number."""
    return sorted((row for rows in found for row in rows), key=lambda row: row.line)


def summary(counts: TextBody, rejected: Sequence[RejectedRow]) -> MessageBody:
    """The command line's report of an import: the counts, then each refused line and why."""
    lines = [text("import.rejected", line=row.line, reason=reason_of(row)) for row in rejected]
    return message(counts, *lines)
