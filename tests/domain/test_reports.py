"""The weekly and monthly reports reach their groups on schedule; /report and /export on demand.

The estate opens on Monday 21 September 2026 at 10:00 with R-0001 just reported (the `job`
fixture). The weekly report goes out on Mondays at 08:30 to the front desk and every department
but the managers; the monthly one on the 1st at 09:00 to the managers.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import OutboxMessage

from .harness import (
    ALICE,
    ENGINEERING,
    FRONT_DESK,
    LI,
    MANAGERS,
    SUN,
    ZHOU,
    Estate,
    file_complaint,
    is_report,
    local,
)


async def bodies(estate: Estate, chat: int, after: int) -> list[dict[str, Any]]:
    async with estate.db.uow(estate.estate_id) as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == chat, OutboxMessage.id > after)
            .order_by(OutboxMessage.id)
        )
        return [row.body for row in rows]


async def test_the_weekly_report_reaches_the_front_desk_and_each_department_on_monday(
    job: Estate,
):
    assert await job.pending("report.") == {
        "report.weekly": local(2026, 9, 28, 8, 30),
        "report.monthly": local(2026, 10, 1, 9, 0),
    }
    await job.tap(ZHOU, "Accept", chat=ENGINEERING)  # at 10:00, as soon as it came
    mark = await job.mark()
    await job.wait_until(local(2026, 9, 28, 8, 29))
    assert await job.reports(FRONT_DESK, after=mark) == []

    await job.wait_until(local(2026, 9, 28, 8, 30))
    for group in (FRONT_DESK, ENGINEERING):
        chart, repairs, complaints, slips = await job.reports(group, after=mark)
        assert chart.startswith("Weekly report, 2026-W39 (week of 2026-09-21)"), chart
        assert "Requests received: 1 (1 more than the week before)" in repairs
        assert "Average wait until accepted: 0.0 h" in repairs
        assert "Complaints received: 0" in complaints
        assert "Slips issued: 0" in slips
        sent = [body for body in await bodies(job, group, mark) if is_report(body)]
        assert sent[0]["chart"]["periods"][-1] == "09-21" and len(sent[0]["chart"]["periods"]) == 8
    assert not [b for b in await bodies(job, MANAGERS, mark) if "chart" in b]  # monthly only
    assert (await job.pending("report."))["report.weekly"] == local(2026, 10, 5, 8, 30)


async def test_the_monthly_report_reaches_the_managers_on_the_first(job: Estate):
    number = await file_complaint(job, ALICE)
    await job.tap(LI, "Minor", chat=FRONT_DESK)  # reply due at 12:00, never given
    mark = await job.mark()
    await job.wait_until(local(2026, 10, 1, 9, 0))
    chart, repairs, complaints, _slips = await job.reports(MANAGERS, after=mark)
    assert chart.startswith("Monthly report, 2026-09")
    assert "🔴 Minor complaints replied in time: 0% · target 100%" in chart
    assert "Requests received: 1" in repairs
    assert "Complaint analysis: the most frequent causes" in complaints
    assert "Noise and neighbours: 1 complaint" in complaints
    assert f"{number} (Noise and neighbours): due" in complaints  # open past its deadline
    (chart_body,) = [b for b in await bodies(job, MANAGERS, mark) if "chart" in b]
    assert len(chart_body["chart"]["periods"]) == 12
    assert (await job.pending("report."))["report.monthly"] == local(2026, 11, 1, 9, 0)


async def test_supervisors_ask_for_a_report_or_a_spreadsheet_where_they_are(job: Estate):
    mark = await job.mark()
    await job.send(LI, "/report week", chat=FRONT_DESK)
    assert await job.texts(FRONT_DESK, after=mark) == [
        "Only supervisors and administrators can ask for reports."
    ]
    await job.send(SUN, "/report month", chat=ENGINEERING)  # the last whole month: August
    said = await job.reports(ENGINEERING, after=mark)
    assert said[0].startswith("Monthly report, 2026-08") and len(said) == 4
    await job.send(SUN, "/report month 2026-09")  # privately: this month so far
    said = await job.reports(SUN, after=mark)
    assert said[0].startswith("This month so far, 2026-09")
    assert "Requests received: 1" in said[1]
    await job.send(SUN, "/report year")
    assert (await job.texts(SUN, after=mark))[-1].startswith("Write /report week, /report month")

    await job.send(SUN, "/export month 2026-09")
    (sheet_message,) = [b for b in await bodies(job, SUN.id, mark) if "document" in b]
    assert sheet_message["document"]["name"] == "tickets-2026-09.xlsx"
    book = load_workbook(io.BytesIO(base64.b64decode(sheet_message["document"]["base64"])))
    assert book.sheetnames == ["repair"]
    rows = list(book["repair"].iter_rows(values_only=True))
    header, (row,) = rows[0], rows[1:]
    record = dict(zip(header, row, strict=True))
    ticket = await job.ticket("repair", 1)
    assert record["number"] == "R-0001" and record["status"] == ticket.status == "open"
    assert record["category"] == "water" and record["department_key"] == "engineering"
    assert record["created_at"] == local(2026, 9, 21, 10, 0).replace(tzinfo=None)
    assert record["accepted_at"] is None and record["reopened"] == 0
