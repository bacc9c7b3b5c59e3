"""Reports over the wire: the weekly and monthly reports arrive as a chart with its caption and
the figures behind it, and /report and /export answer a supervisor in a group.

The reports' timers are fast-forwarded (their schedule is the domain tests' business); the
bot draws each chart when it sends it, and the sandbox receives a real PNG.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.sandbox import SandboxGroup, SandboxMessage

from .conftest import (
    BotProcess,
    Estate,
    file_complaint,
    register_on_roster,
    run_cli,
    write_config,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
async def estate(estate: Estate) -> Estate:
    """The shared estate, with management's group: the monthly report goes there."""
    estate.managers_department = True
    write_config(estate)
    return estate


def picture(estate: Estate, message: SandboxMessage) -> Image.Image:
    largest = message.photos[-1]
    stored = estate.sandbox.state.files.get(largest["file_id"])
    assert stored is not None
    return Image.open(io.BytesIO(stored.data))


async def report_in(group: SandboxGroup, title: str) -> tuple[SandboxMessage, SandboxMessage]:
    """The chart with its caption, then the repairs' section after it."""
    chart = await group.wait_for_message(containing=title, timeout=30)
    repairs = await group.wait_for_message(containing="Requests received")
    return chart, repairs


async def test_the_weekly_and_monthly_reports_arrive_with_their_charts(
    estate: Estate, bot: BotProcess
):
    await register_on_roster(estate.alice)
    await file_complaint(estate, estate.alice)

    assert await estate.fast_forward("report.weekly") == 1
    for group in (estate.front_desk, estate.engineering, estate.security):
        chart, repairs = await report_in(group, "Weekly report")
        assert chart.photos and picture(estate, chart).size == (1000, 800)
        assert len(chart.caption or "") <= 1024
        assert "than the week before" in repairs.text or "Requests received: 0" in repairs.text

    assert await estate.fast_forward("report.monthly") == 1
    chart, _repairs = await report_in(estate.managers, "Monthly report")
    assert picture(estate, chart).size == (1000, 800)
    complaints = await estate.managers.wait_for_message(containing="Complaints received")
    assert "By severity" in complaints.text or "Complaints received: 0" in complaints.text
    # Each went once, and the next of each kind is pending.
    rows = await estate.query(
        "select kind, status from timers where kind like 'report.%' order by id"
    )
    assert sorted(rows) == [
        ("report.monthly", "done"),
        ("report.monthly", "pending"),
        ("report.weekly", "done"),
        ("report.weekly", "pending"),
    ]


async def test_a_supervisor_asks_for_this_months_report_and_spreadsheet_in_a_group(
    estate: Estate, bot: BotProcess
):
    await register_on_roster(estate.alice)
    number = await file_complaint(estate, estate.alice)
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")

    await estate.engineering.send(estate.sun, f"/report month {month}")
    chart, _repairs = await report_in(estate.engineering, f"This month so far, {month}")
    assert chart.photos
    complaints = await estate.engineering.wait_for_message(containing="Complaints received")
    assert "Complaints received: 1" in complaints.text, complaints.text

    await estate.engineering.send(estate.sun, f"/export month {month}")
    sheet = await estate.engineering.wait_for_message(containing="one sheet per kind")
    assert sheet.document is not None
    assert sheet.document["file_name"] == f"tickets-{month}.xlsx"
    stored = estate.sandbox.state.files.get(sheet.document["file_id"])
    assert stored is not None
    book = load_workbook(io.BytesIO(stored.data))
    assert book.sheetnames == ["complaint"]
    rows = list(book["complaint"].iter_rows(values_only=True))
    assert rows[1][:2] == (number, "new")
    (created,) = await estate.query("select created_at from tickets where kind = 'complaint'")
    assert rows[1][rows[0].index("created_at")] is not None and created


async def test_the_command_line_prints_the_report_and_writes_its_chart_and_spreadsheet(
    estate: Estate, bot: BotProcess
):
    await register_on_roster(estate.alice)
    number = await file_complaint(estate, estate.alice)
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    folder = estate.folder / "filed"

    printed = await run_cli(estate, "report", "month", month, "--out", str(folder))

    assert f"This month so far, {month}" in printed
    assert "Complaints received: 1" in printed and "<b>" not in printed
    chart = folder / f"report-{month}-en.png"
    sheet = folder / f"tickets-{month}.xlsx"
    assert printed.rstrip().endswith(f"{chart}\n{sheet}")
    assert Image.open(chart).size == (1000, 800)
    rows = list(load_workbook(sheet)["complaint"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [number]

    chinese = await run_cli(estate, "report", "week", "--lang", "zh_Hans", "--out", str(folder))
    assert "周报" in chinese and "受理报修" in chinese
