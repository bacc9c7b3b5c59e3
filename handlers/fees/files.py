"""Reading finance's arrears list (CSV or XLSX) for `estate-bot arrears import`.

Like the roster (handlers/roster_files.py, whose text decoding it shares): UTF-8 or GB18030, commas,
semicolons or tabs, English or Chinese headers. The unit is one column ("3-2-301") or three
(building, entrance, room). Unlike the roster, dates are welcome here: a due date or a period
Excel stored as a date is read as that date. A problem with the whole file raises
`RosterFileError`; a problem with one line rejects that line only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from handlers.fees.arrears import ArrearsReport, ArrearsRow
from handlers.messages import MessageBody, text, verbatim
from handlers.rejections import FIELDS, RejectedRow, in_order, spreadsheet_error, summary
from handlers.roster_files import (
    columns_of,
    csv_lines,
    empty_file,
    header_key,
    missing_columns,
    spreadsheet_suffix,
    xlsx_lines,
)

UNIT_PARTS = ("building", "entrance", "room")
REQUIRED = ("fee_type", "period", "amount", "due_date")

HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "home", "房屋", "房屋编号", "户号", "房间号"),
    "building": ("building", "楼栋", "楼号", "栋"),
    "entrance": ("entrance", "单元", "单元号"),
    "room": ("room", "房号", "房间", "室"),
    "fee_type": ("fee type", "fee", "费用类型", "费用项目", "收费项目", "费用名称"),
    "period": ("period", "month", "期间", "账期", "所属期间", "月份", "计费月份"),
    "amount": ("amount", "金额", "欠费金额", "应缴金额", "欠费"),
    "due_date": ("due date", "due", "到期日", "缴费期限", "截止日期", "应缴日期"),
}

_FIELD_BY_HEADER = {
    header_key(alias): field for field, aliases in HEADER_NAMES.items() for alias in aliases
}


@dataclass(frozen=True)
class ArrearsFile:
    rows: list[ArrearsRow]
    rejected: list[RejectedRow]


class _Broken(str):
    """A spreadsheet cell holding an error (#REF!, #VALUE!): its line is rejected."""


Line = tuple[int, list[str]]


def read_arrears(path: Path) -> ArrearsFile:
    """Read a .csv or .xlsx arrears list; the first non-empty row names the columns."""
    suffix = spreadsheet_suffix(path)
    lines = csv_lines(path) if suffix == ".csv" else xlsx_lines(path, _cell)
    return _parse(path.name, lines)


def format_report(
    file_name: str, report: ArrearsReport, rejected_at_read: Sequence[RejectedRow]
) -> MessageBody:
    """The operator's summary: the counts, then every rejected line and why."""
    rejected = in_order(rejected_at_read, report.rejected)
    done = text(
        "import.arrears.done",
        name=verbatim(file_name),
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        settled=report.settled,
        rejected=len(rejected),
    )
    return summary(done, rejected)


def _cell(value: Any, data_type: str) -> str:
    if value is None:
        return ""
    if data_type == "e":
        return _Broken(str(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _columns(source: str, line: int, header: list[str]) -> dict[str, int]:
    columns = columns_of(source, line, header, _FIELD_BY_HEADER)
    missing = [FIELDS[field] for field in REQUIRED if field not in columns]
    if "unit" not in columns and not all(part in columns for part in UNIT_PARTS):
        missing.insert(0, text("import.field.unit_or_parts"))
    if missing:
        raise missing_columns(source, line, header, missing, HEADER_NAMES)
    return columns


def _parse(source: str, lines: list[Line]) -> ArrearsFile:
    content = [(number, cells) for number, cells in lines if any(c.strip() for c in cells)]
    if not content:
        raise empty_file(source)
    (header_line, header), *body = content
    columns = _columns(source, header_line, header)
    rows: list[ArrearsRow] = []
    rejected: list[RejectedRow] = []
    for number, cells in body:
        values = {
            field: cells[index] if index < len(cells) else "" for field, index in columns.items()
        }
        broken = [
            spreadsheet_error(field, value)
            for field, value in values.items()
            if isinstance(value, _Broken)
        ]
        if broken:
            rejected.append(RejectedRow(number, broken))
            continue
        rows.append(ArrearsRow(line=number, **{k: str(v) for k, v in values.items()}))
    return ArrearsFile(rows=rows, rejected=rejected)
