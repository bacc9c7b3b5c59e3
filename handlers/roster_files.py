"""Reading the estate office's roster spreadsheet (CSV or XLSX) for `estate-bot residents import`.

This is the only module that knows file formats. Offices export rosters from Excel or WPS in many
shapes: UTF-8 with or without a BOM, GB18030 from Chinese Windows, commas or semicolons or tabs,
English or Chinese headers, phones and room numbers stored as numbers. All of it becomes plain
`RosterRow`s, numbered as the operator sees the lines in the spreadsheet, for
handlers.roster_import to check and import. A problem with the whole file (unknown type, a
required column missing) raises `RosterFileError`; a problem with one line rejects that line only.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from handlers.messages import MessageBody, TextBody, text, verbatim
from handlers.rejections import FIELDS as FIELD_NAMES
from handlers.rejections import RejectedRow, in_order, joined, spreadsheet_error, summary
from handlers.roster_import import ImportReport, RosterRow

FIELDS = ("building", "entrance", "room", "name", "phone")

HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "building": ("building", "楼栋", "楼号", "栋"),
    "entrance": ("entrance", "单元", "单元号"),
    "room": ("room", "房号", "房间", "室"),
    "name": ("name", "姓名", "业主姓名", "住户姓名"),
    "phone": ("phone", "电话", "手机", "手机号", "联系电话"),
}

CSV_DELIMITERS = ",;\t"
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class RosterFileError(Exception):
    """The file as a whole cannot be imported; `reason` tells the operator what to fix, as a
    catalog text (the file's name among its parameters), read in the operator's language."""

    def __init__(self, reason: TextBody) -> None:
        super().__init__(reason["key"])
        self.reason = reason


@dataclass(frozen=True)
class RosterFile:
    """The rows read from a roster file, and the lines that could not be read as text."""

    rows: list[RosterRow]
    rejected: list[RejectedRow]


@dataclass(frozen=True)
class _Unreadable:
    """A spreadsheet cell whose value is not trustworthy text: an error (#REF!), or a date
    (`is_date`) Excel made of '3-1'."""

    text: str
    is_date: bool

    def reason(self, field: str) -> TextBody:
        if self.is_date:
            return text("import.reason.cell_date", field=FIELD_NAMES[field], value=self.text)
        return spreadsheet_error(field, self.text)


Cell = str | _Unreadable
Line = tuple[int, list[Cell]]


def header_key(header: str) -> str:
    """Headers compared without case, spaces, BOMs and 'required' marks: ' Phone *' is 'phone'."""
    return re.sub(r"[\s\ufeff*:：]", "", header).casefold()


_FIELD_BY_HEADER = {
    header_key(alias): field for field, aliases in HEADER_NAMES.items() for alias in aliases
}


def spreadsheet_suffix(path: Path) -> str:
    """The file's suffix if it is a readable CSV or XLSX file; else RosterFileError."""
    suffix = path.suffix.lower()
    name = verbatim(path.name)
    if suffix == ".xls":
        raise RosterFileError(text("import.file.xls", name=name))
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise RosterFileError(text("import.file.type", name=name, suffix=path.suffix))
    if not path.is_file():
        raise RosterFileError(text("import.file.missing", name=verbatim(str(path))))
    return suffix


def read_roster(path: Path) -> RosterFile:
    """Read a .csv or .xlsx roster; the first non-empty row names the columns.

    Raises RosterFileError when the file cannot be imported at all, so nothing is half-imported.
    """
    suffix = spreadsheet_suffix(path)
    if suffix == ".csv":
        return _parse(path.name, csv_lines(path), csv_rows=True)
    return _parse(path.name, xlsx_lines(path), csv_rows=False)


def format_report(
    file_name: str, report: ImportReport, rejected_at_read: Sequence[RejectedRow]
) -> MessageBody:
    """The operator's summary of an import: the counts, then every rejected line and why."""
    rejected = in_order(rejected_at_read, report.rejected)
    done = text(
        "import.roster.done",
        name=verbatim(file_name),
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=len(rejected),
    )
    return summary(done, rejected)


# --- CSV ---------------------------------------------------------------------------------------


def decode_text(path: Path) -> str:
    """The file's text: UTF-16 if it has that BOM, else UTF-8 (BOM or not), else GB18030."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError(text("import.file.encoding", name=verbatim(path.name)))


def delimiter_of(text: str) -> str:
    """The separator used most in the header line; a comma when there is no telling."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(CSV_DELIMITERS, key=header.count)


def csv_lines(path: Path) -> list[Line]:
    """The lines of a CSV file (UTF-8 or GB18030; commas, semicolons or tabs), numbered."""
    text = decode_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        return [(number, list(cells)) for number, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise RosterFileError(
            text(
                "import.file.csv",
                name=verbatim(path.name),
                line=reader.line_num,
                problem=verbatim(str(exc)),
            )
        ) from exc


# --- XLSX --------------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    """301.0 is '301' and 13800000001.0 is '13800000001': spreadsheets store both as floats."""
    return str(int(value)) if value.is_integer() else str(value)


def _date_text(value: date | time | timedelta) -> str:
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    return str(value)


def _xlsx_cell(value: Any, data_type: str) -> Cell:
    if value is None:
        return ""
    if data_type == "e":
        return _Unreadable(str(value), is_date=False)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, date | time | timedelta):
        return _Unreadable(_date_text(value), is_date=True)
    return str(value)


def xlsx_lines(path: Path, cell: Callable[[Any, str], Any] = _xlsx_cell) -> list[Line]:
    """The rows of the first sheet, each cell read by `cell` (value, openpyxl data type); empty
    rows kept so line numbers match."""
    # openpyxl on first use: a process that never reads a spreadsheet does not pay its import.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise RosterFileError(
            text("import.file.xlsx", name=verbatim(path.name), problem=verbatim(str(exc)))
        ) from exc
    try:
        if not workbook.worksheets:
            raise RosterFileError(text("import.file.no_sheet", name=verbatim(path.name)))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some exporters write a wrong size; read what is there
        return [
            (number, [cell(value.value, value.data_type) for value in cells])
            for number, cells in enumerate(sheet.iter_rows(), start=1)
        ]
    finally:
        workbook.close()


# --- Both formats ------------------------------------------------------------------------------


def _text(cell: Cell) -> str:
    return cell.text if isinstance(cell, _Unreadable) else cell


def _blank(cells: list[Cell]) -> bool:
    return all(isinstance(cell, str) and not cell.strip() for cell in cells)


def _width(cells: list[Cell]) -> int:
    """How many cells count, trailing empty ones (a trailing separator) left out."""
    width = len(cells)
    while width and not _text(cells[width - 1]).strip():
        width -= 1
    return width


def columns_of(
    source: str, line: int, header: list[str], field_by_header: dict[str, str]
) -> dict[str, int]:
    """Which column holds which field, from the header row's names in English or Chinese; a
    field named twice fails the file (which of the two did the office mean?)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = field_by_header.get(header_key(cell))
        if field is None:
            continue
        if field in columns:
            raise RosterFileError(
                text(
                    "import.file.two_columns",
                    name=verbatim(source),
                    line=line,
                    field=FIELD_NAMES[field],
                    first=verbatim(header[columns[field]].strip()),
                    second=verbatim(cell.strip()),
                )
            )
        columns[field] = index
    return columns


def missing_columns(
    source: str,
    line: int,
    header: list[str],
    missing: list[TextBody],
    accepted: dict[str, tuple[str, ...]],
) -> RosterFileError:
    """The header row lacks the `missing` columns: what it has, and the names each field of
    `accepted` may go by."""
    found = [text("import.file.quoted", value=cell.strip()) for cell in header if cell.strip()]
    names = [
        text("import.file.accepted", field=FIELD_NAMES[field], names="/".join(aliases))
        for field, aliases in accepted.items()
    ]
    return RosterFileError(
        text(
            "import.file.missing_columns",
            name=verbatim(source),
            line=line,
            fields=joined(missing, names=True),
            count=len(missing),
            found=joined(found, names=True) if found else text("import.file.no_names"),
            accepted=joined(names),
        )
    )


def empty_file(source: str) -> RosterFileError:
    return RosterFileError(text("import.file.empty", name=verbatim(source)))


def _columns(source: str, line: int, header: list[Cell]) -> dict[str, int]:
    """Which column holds which field; every field of a roster is needed."""
    names = [_text(cell) for cell in header]
    columns = columns_of(source, line, names, _FIELD_BY_HEADER)
    missing = [field for field in FIELDS if field not in columns]
    if missing:
        raise missing_columns(
            source,
            line,
            names,
            [FIELD_NAMES[field] for field in missing],
            {field: HEADER_NAMES[field] for field in missing},
        )
    return columns


def _row(line: int, cells: list[Cell], columns: dict[str, int]) -> RosterRow | RejectedRow:
    values: dict[str, str] = {}
    problems: list[TextBody] = []
    for field in FIELDS:
        index = columns[field]
        cell = cells[index] if index < len(cells) else ""
        if isinstance(cell, _Unreadable):
            problems.append(cell.reason(field))
        else:
            values[field] = cell
    if problems:
        return RejectedRow(line, problems)
    return RosterRow(line=line, **values)


def _parse(source: str, lines: list[Line], *, csv_rows: bool) -> RosterFile:
    """Header, then one RosterRow (or rejection) per non-empty line.

    In a CSV file, values beyond the header's last column mean a separator inside an unquoted
    value shifted the line ("Wang, Li"), so the line is rejected rather than misread.
    """
    content = [(number, cells) for number, cells in lines if not _blank(cells)]
    if not content:
        raise empty_file(source)
    (header_line, header), *body = content
    columns = _columns(source, header_line, header)
    header_width = _width(header)
    rows: list[RosterRow] = []
    rejected: list[RejectedRow] = []
    for number, cells in body:
        if csv_rows and _width(cells) > header_width:
            rejected.append(
                RejectedRow(
                    number,
                    [
                        text(
                            "import.reason.too_many_values",
                            values=_width(cells),
                            columns=header_width,
                        )
                    ],
                )
            )
            continue
        row = _row(number, cells, columns)
        if isinstance(row, RejectedRow):
            rejected.append(row)
        else:
            rows.append(row)
    return RosterFile(rows=rows, rejected=rejected)
