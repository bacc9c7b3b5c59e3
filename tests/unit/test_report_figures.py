"""Every figure of the reports, checked against tickets made with known timestamps.

The estate is the example config's: Shanghai, office hours 09:00-18:00 on weekdays, mainland
China's holidays (National Day, 1-7 October 2026, and the make-up workday on Saturday 10
October). The tickets sit on the edges that matter: the last minutes of a Sunday in Shanghai
(still that week, although it is Sunday afternoon in UTC), a job done across the National Day
holiday, a callback due on the first working day after it, a deadline counted over a make-up
Saturday.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.features import build_features
from bot.render import CAPTION_LIMIT, Renderer
from handlers.complaints.policy import complaint_policy
from handlers.config import EstateConfig, example_config_text, load_estate_config_text
from handlers.messages import TextBody
from handlers.repairs.policy import repair_policy
from handlers.reports.complaints import complaint_figures
from handlers.reports.compose import Report, figure_line, gather, messages
from handlers.reports.export import tickets_of, workbook
from handlers.reports.figures import Figure, ReportSections, Section, Unit
from handlers.reports.period import Period, parse
from handlers.reports.policy import report_policy
from handlers.reports.repairs import repair_figures
from handlers.reports.slips import slip_figures
from storage.database import Database
from storage.migrate import upgrade
from storage.models import SURVEY_QUESTIONS, Survey, Ticket
from storage.uow import UnitOfWork
from tests.domain.harness import ZONE, local

CONFIG: EstateConfig = load_estate_config_text(example_config_text())
WEEK_40 = Period("week", local(2026, 9, 28).date(), ZONE)  # Monday 28 September
OCTOBER = Period("month", local(2026, 10, 1).date(), ZONE)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def uow(tmp_path: Path) -> AsyncIterator[UnitOfWork]:
    clock = Clock(local(2026, 11, 1, 9))
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/r.sqlite3", clock=clock)
    await upgrade(db.engine)
    estate_id = await db.ensure_estate("default", "Test")
    async with db.uow(estate_id) as unit:
        yield unit
        await unit.rollback()
    await db.close()


async def ticket(
    uow: UnitOfWork, kind: str, number: int, created: datetime, **fields: Any
) -> Ticket:
    made = await uow.tickets.add(
        Ticket(kind=kind, number=number, status=fields.pop("status", "open"), details={}, **fields)
    )
    made.created_at = created
    return made


def event(uow: UnitOfWork, made: Ticket, action: str, at: datetime) -> None:
    uow.events.record(f"{made.kind}.{action}", "ticket", made.id, actor=None).at = at


def survey(
    uow: UnitOfWork,
    made: Ticket,
    answered: datetime | None,
    rating: int | None,
    scores: tuple[int | None, int | None, int | None] = (None, None, None),
    *,
    sent: datetime | None = None,
    by_phone: bool = False,
) -> None:
    """A survey: its overall rating and, for a repair asked in the bot, the three scores (the
    technician, the work, the process)."""
    skill, quality, process = scores
    uow.session.add(
        Survey(
            ticket_id=made.id,
            telegram_user_id=1,
            sent_at=sent or (answered or uow.now) - timedelta(hours=1),
            answered_at=answered,
            rating=rating,
            skill=skill,
            quality=quality,
            process=process,
            by_phone=by_phone,
        )
    )


def values(section: Section) -> dict[str, float | None]:
    return {f.key: None if f.value is None else round(f.value, 2) for f in section.figures}


def test_working_time_skips_nights_weekends_and_the_national_day_holiday():
    calendar = CONFIG.calendar()
    assert calendar.working_time(local(2026, 9, 30, 17), local(2026, 10, 8, 10)) == timedelta(
        hours=2
    )  # Wednesday 17-18, then Thursday 8 October 9-10: 1-7 October are holidays
    assert calendar.working_time(local(2026, 10, 9, 20), local(2026, 10, 10, 10)) == timedelta(
        hours=1
    )  # Friday night counts nothing; Saturday 10 October is a make-up workday
    assert calendar.working_time(local(2026, 10, 3, 10), local(2026, 10, 3, 12)) == timedelta(0)
    assert calendar.working_time(local(2026, 10, 8, 12), local(2026, 10, 8, 11)) == timedelta(0)


def test_periods_are_local_weeks_and_months():
    assert WEEK_40.label == "2026-W40" and WEEK_40.end == local(2026, 10, 5)
    assert OCTOBER.previous().label == "2026-09" and OCTOBER.end == local(2026, 11, 1)
    assert [p.label for p in OCTOBER.run(3)] == ["2026-08", "2026-09", "2026-10"]
    now = local(2026, 12, 2, 10)
    assert parse("month", "", now, ZONE).label == "2026-11"
    assert parse("month", "2026-11", now, ZONE).label == "2026-11"
    assert parse("week", "", now, ZONE).label == "2026-W48"  # Monday 23 November
    for wrong in ("2026-13", "11-2026", "soon"):
        with pytest.raises(ValueError):
            parse("month", wrong, now, ZONE)


async def test_repair_figures(uow: UnitOfWork):
    uow.now = local(2026, 10, 12, 8, 30)
    provider = repair_figures(repair_policy(CONFIG), report_policy(CONFIG))
    engineering = {"department_key": "engineering"}
    # Received in week 40 (Monday 28 September - Sunday 4 October, Shanghai time).
    r1 = await ticket(
        uow, "repair", 1, local(2026, 9, 29, 10), category="water", urgent=True, **engineering
    )
    event(uow, r1, "accepted", local(2026, 9, 29, 10, 30))  # 0.5 h
    event(uow, r1, "done", local(2026, 9, 29, 15))  # 5 working hours
    event(uow, r1, "confirmed", local(2026, 9, 29, 16))  # callback due Wednesday 16:00
    event(uow, r1, "survey_sent", local(2026, 9, 30, 16))  # on time
    survey(uow, r1, local(2026, 9, 30, 17), 5, (5, 5, 5))
    r2 = await ticket(
        uow, "repair", 2, local(2026, 9, 30, 17), category="electricity", reopened=1, **engineering
    )
    event(uow, r2, "accepted", local(2026, 9, 30, 18, 30))  # 1.5 h
    event(uow, r2, "done", local(2026, 10, 8, 10))  # 2 working hours, over the holiday
    event(uow, r2, "reopened", local(2026, 10, 8, 12))
    event(uow, r2, "accepted", local(2026, 10, 8, 13))  # later acceptances do not count
    await ticket(
        uow, "repair", 3, local(2026, 10, 3, 11), category="water", channel="phone", **engineering
    )  # phoned in: the front desk recorded it
    await ticket(
        uow,
        "repair",
        4,
        local(2026, 10, 4, 23, 30),
        category="water",
        urgent=True,
        department_key="front_desk",
        channel="patrol",
    )  # Sunday 23:30 in Shanghai: still week 40; found by a guard on patrol
    # Outside week 40, on both sides of its local midnights.
    r0 = await ticket(uow, "repair", 5, local(2026, 9, 27, 23, 59), category="gas", **engineering)
    await ticket(uow, "repair", 6, local(2026, 10, 5, 0, 10), category="gas", **engineering)
    # Callbacks that fell due in week 40, whenever their jobs came in.
    event(uow, r0, "confirmed", local(2026, 9, 30, 17, 30))  # after hours before the holiday:
    event(uow, r0, "survey_sent", local(2026, 10, 8, 9))  # due Thursday 8 October 09:00: on time
    survey(uow, r0, local(2026, 9, 30, 18), 2, (4, 2, 3))  # (answered in week 40: it counts)
    r7 = await ticket(uow, "repair", 7, local(2026, 9, 20, 10), category="gas", **engineering)
    event(uow, r7, "confirmed", local(2026, 9, 28, 10))  # due Tuesday 10:00
    event(uow, r7, "survey_by_phone", local(2026, 9, 29, 11))  # made, an hour late
    survey(uow, r7, local(2026, 9, 29, 11, 30), 5, by_phone=True)  # "satisfied", on the phone
    r8 = await ticket(uow, "repair", 8, local(2026, 9, 21, 10), category="gas", **engineering)
    event(uow, r8, "confirmed", local(2026, 10, 4, 12))  # due 8 October: passed, never made
    r9 = await ticket(uow, "repair", 9, local(2026, 9, 22, 10), category="gas", **engineering)
    half = local(2026, 10, 2, 10)  # stopped after the first question: not answered, not counted
    survey(uow, r9, None, None, (1, None, None), sent=half)
    survey(uow, r1, local(2026, 10, 5, 9), 1, (1, 1, 1))  # answered in week 41: not this week
    await uow.session.flush()

    section = await provider(uow, WEEK_40)

    assert values(section) == {
        "repairs.received": 4,
        "repairs.recorded": 2,  # r3 by phone, r4 on patrol
        "repairs.urgent_share": 50.0,
        "repairs.time_to_accept": 1.0,  # (0.5 + 1.5) / 2
        "repairs.time_to_done": 3.5,  # (5 + 2) / 2, in working hours
        "repairs.reopened": 1,
        "repairs.first_time_fix": 50.0,  # of the two done, one was reopened
        "repairs.rating": 3.5,  # (5 + 2) / 2: the phone's yes is no score
        "repairs.skill": 4.5,  # (5 + 4) / 2
        "repairs.skill_satisfied": 100.0,
        "repairs.quality": 3.5,  # (5 + 2) / 2
        "repairs.quality_satisfied": 50.0,
        "repairs.process": 4.0,  # (5 + 3) / 2
        "repairs.process_satisfied": 50.0,
        "repairs.callbacks": 75.0,  # r1, r0, r7 made; r8 missed
        "repairs.callbacks_on_time": 50.0,  # r1, r0
        "repairs.satisfied": 66.67,  # r1 and r7 (on the phone); not r0, who gave a 2
    }
    assert [(t["params"]["value"], n) for t, n in section.breakdowns[0].items] == [
        ("Water and drains", 3),
        ("Electricity", 1),
    ]
    assert [(t["params"]["value"], n) for t, n in section.breakdowns[1].items] == [
        ("engineering", 3),
        ("front_desk", 1),
    ]
    assert [(t["key"], n) for t, n in section.breakdowns[2].items] == [
        ("behalf.channel.chat", 2),
        ("behalf.channel.phone", 1),
        ("behalf.channel.patrol", 1),
    ]
    assert section.figure("repairs.callbacks").met is False
    assert section.figure("repairs.satisfied").target == 90
    assert section.figure("repairs.skill_satisfied").target is None  # the 90% is overall


async def test_a_callback_with_time_left_is_not_counted_missed(uow: UnitOfWork):
    uow.now = local(2026, 10, 5, 8, 30)  # Monday morning after week 40: the report's moment
    provider = repair_figures(repair_policy(CONFIG), report_policy(CONFIG))
    r8 = await ticket(uow, "repair", 8, local(2026, 9, 21, 10), category="gas")
    event(uow, r8, "confirmed", local(2026, 10, 4, 12))  # due 8 October, not made yet
    await uow.session.flush()
    section = await provider(uow, WEEK_40)
    assert section.figure("repairs.callbacks").value is None
    assert section.figure("repairs.callbacks").met is None


async def complaints_of_october(uow: UnitOfWork) -> None:
    policy = complaint_policy(CONFIG)

    async def complaint(
        number: int, created: datetime, severity: str | None, **fields: Any
    ) -> Ticket:
        made = await ticket(uow, "complaint", number, created, severity=severity, **fields)
        if severity is not None:
            made.reply_due_at = policy.reply_due(created, severity)
            made.resolve_due_at = policy.resolve_due(created, severity)
        return made

    c1 = await complaint(
        1, local(2026, 10, 9, 17), "major", category="noise_neighbours", status="closed"
    )
    assert c1.resolve_due_at == local(2026, 10, 13, 17)  # over the make-up Saturday
    c1.replied_at = local(2026, 10, 9, 18, 30)  # 2 h: due 19:00
    c1.resolved_at = local(2026, 10, 13, 16)
    event(uow, c1, "resolved", c1.resolved_at)  # callback due Friday 16 October 16:00
    event(uow, c1, "survey_sent", local(2026, 10, 16, 10))
    survey(uow, c1, local(2026, 10, 16, 11), 5)
    c2 = await complaint(2, local(2026, 10, 30, 17, 30), "important", category="cleanliness")
    assert c2.reply_due_at == local(2026, 11, 2, 17, 30)  # not due yet: not counted
    c3 = await complaint(
        3, local(2026, 10, 14, 10), "minor", category="noise_neighbours", status="resolved"
    )
    c3.replied_at = local(2026, 10, 14, 13)  # due 12:00: late
    c3.resolved_at = local(2026, 10, 16, 11)  # due Thursday 15 October 10:00: late
    c3.details = {
        "corrective": "Spoke to 502 about the drilling.",
        "preventive": "Renovation hours posted in every lift.",
    }
    event(uow, c3, "resolved", c3.resolved_at)  # callback due 21 October: never made
    await complaint(
        4, local(2026, 10, 20, 10), None, category="parking", status="invalid", channel="visit"
    )  # brought to the front desk in person
    c5 = await complaint(5, local(2026, 10, 26, 10), "major", category="noise_neighbours")
    c5.replied_at = local(2026, 10, 26, 11)
    c5.details = {"group": ["C-0005", "C-0006"]}  # resolve due Thursday 29th: open, breached
    await complaint(6, local(2026, 9, 30, 23, 59), "minor", category="parking")  # September,
    # and still open without a reply
    await uow.session.flush()


async def test_complaint_figures_and_analysis(uow: UnitOfWork):
    await complaints_of_october(uow)
    provider = complaint_figures(complaint_policy(CONFIG), report_policy(CONFIG))

    section = await provider(uow, OCTOBER)

    assert values(section) == {
        "complaints.received": 5,
        "complaints.recorded": 1,
        "complaints.invalid": 1,
        "complaints.group": 1,
        "complaints.reply_hours": 1.67,  # (1 + 3 + 1) / 3 working hours: Friday closes at 18:00
        "complaints.reply_on_time.major": 100.0,
        "complaints.resolve_on_time.major": 50.0,  # c1 in time, c5 past its deadline
        "complaints.reply_on_time.important": None,  # c2's deadlines have not come
        "complaints.resolve_on_time.important": None,
        "complaints.reply_on_time.minor": 0.0,
        "complaints.resolve_on_time.minor": 0.0,
        "complaints.callbacks": 50.0,
        "complaints.callbacks_on_time": 50.0,
        "complaints.satisfied": 100.0,
    }
    severity, topic, channels = section.breakdowns
    assert [(t["key"], n) for t, n in channels.items] == [
        ("behalf.channel.chat", 4),
        ("behalf.channel.visit", 1),
    ]
    assert [(t["key"], n) for t, n in severity.items] == [
        ("report.severity.major", 2),
        ("report.severity.important", 1),
        ("report.severity.minor", 1),
        ("report.severity.untriaged", 1),
    ]
    assert next((t["params"]["value"], n) for t, n in topic.items) == ("Noise and neighbours", 3)
    rendered = render(section.analysis)
    assert rendered[0] == "Noise and neighbours: 3 complaints"
    assert rendered[1] == (
        "  • C-0003: corrective: Spoke to 502 about the drilling; "
        "preventive: Renovation hours posted in every lift"
    )
    assert render(section.analysis, "zh_Hans")[1] == (
        "  • C-0003：纠正措施：Spoke to 502 about the drilling；"
        "预防措施：Renovation hours posted in every lift"
    )
    assert "no corrective action recorded yet" in rendered[3]  # parking / cleanliness
    breached = render(section.breached)  # whenever received: September's c6 too
    assert [line.split(" (")[0] for line in breached] == ["  • C-0005", "  • C-0006"]
    assert "due 10/29/26, 10:00\u202fAM" in breached[0]


async def test_slip_figures_count_the_history_of_the_period(uow: UnitOfWork):
    slips = [await ticket(uow, "slip", n, local(2026, 9, 25, 10)) for n in range(1, 5)]
    for made, action, at in (
        (slips[0], "approved", local(2026, 9, 27, 23, 59)),  # the week before
        (slips[0], "released", local(2026, 9, 28, 9)),
        (slips[1], "approved", local(2026, 9, 28, 10)),
        (slips[1], "turned_back", local(2026, 9, 28, 15)),
        (slips[2], "approved", local(2026, 10, 2, 10)),
        (slips[2], "released", local(2026, 10, 4, 23, 59)),
        (slips[3], "approved", local(2026, 10, 3, 10)),
        (slips[3], "expired", local(2026, 10, 5, 0, 1)),  # the week after
    ):
        event(uow, made, action, at)
    await uow.session.flush()
    section = await slip_figures()(uow, WEEK_40)
    assert values(section) == {
        "slips.issued": 3,
        "slips.released": 2,
        "slips.mismatches": 1,
        "slips.expired": 0,
    }


def render(lines: Any, language: str = "en") -> list[str]:
    renderer = Renderer(ZONE)
    return [renderer.text(language, {"lines": [line]}) for line in lines]


async def test_the_monthly_report_reads_in_both_languages_within_telegrams_limits(
    uow: UnitOfWork,
):
    await complaints_of_october(uow)
    sections = ReportSections()
    sections.fill(
        [
            repair_figures(repair_policy(CONFIG), report_policy(CONFIG)),
            complaint_figures(complaint_policy(CONFIG), report_policy(CONFIG)),
            slip_figures(),
        ]
    )
    report: Report = await gather(uow, sections, OCTOBER)
    assert next(p.label for p, _ in report.trend) == "2025-11" and len(report.trend) == 12
    bodies = messages(report)
    chart, *details = bodies
    assert chart["chart"]["periods"][-1] == "2026-10"
    assert chart["chart"]["series"][1]["values"][-1] == 5  # complaints received in October
    renderer = Renderer(ZONE)
    for language in ("en", "zh_Hans"):
        caption = renderer.text(language, chart, CAPTION_LIMIT)
        texts = [renderer.text(language, body) for body in details]
        assert len(caption) <= CAPTION_LIMIT and all(len(t) < 4096 for t in texts)
        assert "report." not in caption + "".join(texts)  # every key translated
    english = renderer.text("en", chart, CAPTION_LIMIT)
    assert "Monthly report, 2026-10" in english
    assert "🔴 Minor complaints replied in time: 0% · target 100%" in english
    assert "🟢 Residents satisfied with complaint handling: 100% · target 90%" in english
    complaints = renderer.text("en", details[1])
    assert "Complaints received: 5 (4 more than the month before)" in complaints
    assert "Complaint analysis" in complaints and "2 open items past their deadline" in complaints
    assert "Slips issued: 0\n" in renderer.text("en", details[2])  # nothing then, nothing now
    chinese = renderer.text("zh_Hans", details[1])
    assert "受理投诉：5（比上月多 4）" in chinese


def test_a_change_reads_as_more_or_fewer_than_the_period_before_in_both_languages():
    def lines(unit: Unit, *changes: tuple[float, float]) -> list[TextBody]:
        return [
            figure_line(
                Figure("repairs.received", now, unit),
                Figure("repairs.received", then, unit),
                WEEK_40,
            )
            for now, then in changes
        ]

    counts = lines("count", (5, 3), (2, 3), (3, 3))
    assert [line.split(": ", 1)[1] for line in render(counts)] == [
        "5 (2 more than the week before)",
        "2 (1 fewer than the week before)",
        "3 (same as the week before)",
    ]
    assert [line.split("：", 1)[1] for line in render(counts, "zh_Hans")] == [
        "5（比上周多 2）",
        "2（比上周少 1）",
        "3（与上周持平）",
    ]
    percents = lines("percent", (81, 80), (75, 80), (80.2, 80))
    assert [line.split(": ", 1)[1] for line in render(percents)] == [
        "81% (1 point higher than the week before)",
        "75% (5 points lower than the week before)",
        "80% (same as the week before)",
    ]
    assert render(percents, "zh_Hans")[1].split("：", 1)[1] == "75%（比上周低 5 个百分点）"
    hours = lines("hours", (2.5, 1.0), (1.0, 2.5))
    assert [line.split(": ", 1)[1] for line in render(hours)] == [
        "2.5 h (1.5 h longer than the week before)",
        "1.0 h (1.5 h shorter than the week before)",
    ]
    assert render(hours, "zh_Hans")[0].split("：", 1)[1] == "2.5 小时（比上周多 1.5 小时）"


async def test_satisfaction_per_question_reads_in_both_languages(uow: UnitOfWork):
    provider = repair_figures(repair_policy(CONFIG), report_policy(CONFIG))
    r1 = await ticket(uow, "repair", 1, local(2026, 9, 29, 10))
    r2 = await ticket(uow, "repair", 2, local(2026, 9, 29, 11))
    survey(uow, r1, local(2026, 9, 30, 17), 3, (5, 3, 4))
    survey(uow, r2, local(2026, 10, 2, 9), 4, (4, 5, 4))
    await uow.session.flush()
    section = await provider(uow, WEEK_40)
    keys = [f"repairs.{q}{suffix}" for q in SURVEY_QUESTIONS for suffix in ("", "_satisfied")]
    lines = [figure_line(section.figure(key), None, WEEK_40) for key in keys]
    assert render(lines) == [
        "Technician's skill and manner, average (of 5): 4.5",
        "Technician's skill and manner rated 4-5: 100%",
        "Quality of the work, average (of 5): 4",
        "Quality of the work rated 4-5: 50%",
        "Process (speed, appointment, front desk), average (of 5): 4",
        "Process rated 4-5: 100%",
    ]
    assert render(lines, "zh_Hans") == [
        "师傅技术与态度平均分（满分 5）：4.5",
        "师傅技术与态度 4-5 分占比：100%",
        "维修质量平均分（满分 5）：4",
        "维修质量 4-5 分占比：50%",
        "服务过程（速度、守约、前台）平均分（满分 5）：4",
        "服务过程 4-5 分占比：100%",
    ]
    assert section.figure("repairs.satisfied").value == 50.0  # r2 only: r1 gave a 3


async def test_the_spreadsheet_lists_each_repairs_survey_scores(uow: UnitOfWork):
    from openpyxl import load_workbook

    r1 = await ticket(uow, "repair", 1, local(2026, 9, 29, 10))
    r2 = await ticket(uow, "repair", 2, local(2026, 9, 29, 11))
    await ticket(uow, "repair", 3, local(2026, 9, 29, 12))  # not called back yet
    c1 = await ticket(uow, "complaint", 1, local(2026, 9, 29, 13))
    survey(uow, r1, None, None, (1, 1, 1), sent=local(2026, 9, 30, 9))  # an earlier one
    survey(uow, r1, local(2026, 10, 2, 9, 30), 3, (5, 3, 4))  # the latest counts
    survey(uow, r2, local(2026, 10, 2, 10), 5, by_phone=True)
    survey(uow, c1, local(2026, 10, 2, 11), 1)
    await uow.session.flush()

    book = load_workbook(io.BytesIO(workbook(await tickets_of(uow, WEEK_40), ZONE)))

    repairs = list(book["repair"].iter_rows(values_only=True))
    header = repairs[0]
    surveyed = header[header.index("survey_answered_at") :]
    assert surveyed == (
        "survey_answered_at",
        "survey_rating",
        "survey_skill",
        "survey_quality",
        "survey_process",
    )
    assert [row[0:1] + row[-5:] for row in repairs[1:]] == [
        ("R-0001", datetime(2026, 10, 2, 9, 30), 3, 5, 3, 4),
        ("R-0002", datetime(2026, 10, 2, 10), 5, None, None, None),  # one verdict, by phone
        ("R-0003", None, None, None, None, None),
    ]
    complaints = list(book["complaint"].iter_rows(values_only=True))
    assert complaints[0][-2:] == ("survey_answered_at", "survey_rating")
    assert complaints[1][-2:] == (datetime(2026, 10, 2, 11), 1)


async def test_a_callback_the_scheduler_sends_a_moment_after_its_deadline_is_on_time(
    uow: UnitOfWork,
):
    provider = repair_figures(repair_policy(CONFIG), report_policy(CONFIG))
    for number, late in ((1, timedelta(minutes=3)), (2, timedelta(minutes=10))):
        made = await ticket(uow, "repair", number, local(2026, 9, 21, 10), category="gas")
        event(uow, made, "confirmed", local(2026, 9, 29, 10))  # due Wednesday 10:00
        event(uow, made, "survey_sent", local(2026, 9, 30, 10) + late)
    await uow.session.flush()
    section = await provider(uow, WEEK_40)
    assert section.figure("repairs.callbacks").value == 100
    assert section.figure("repairs.callbacks_on_time").value == 50  # 3 minutes late is a tick


async def test_at_start_one_report_of_each_kind_is_pending_and_the_old_summary_is_cancelled(
    uow: UnitOfWork,
):
    uow.now = local(2026, 11, 25, 15)  # a Wednesday
    await uow.timers.schedule(
        "complaint.monthly", local(2026, 12, 1, 9), subject_type="estate", subject_id=uow.estate_id
    )
    features = build_features(CONFIG)
    await features.on_start(uow)
    await features.on_start(uow)  # a restart schedules nothing twice
    pending = await uow.timers.pending_for("estate", uow.estate_id)
    assert sorted(
        (t.kind, t.due_at) for t in pending if t.kind.startswith(("report.", "complaint."))
    ) == [
        ("report.monthly", local(2026, 12, 1, 9)),
        ("report.weekly", local(2026, 11, 30, 8, 30)),
    ]


async def test_fee_figures_count_units_paid_up_at_the_end_of_the_period(uow: UnitOfWork):
    from decimal import Decimal

    from handlers.reports.fees import fee_figures
    from storage.models import Arrear, Unit

    assert (await fee_figures()(uow, WEEK_40)).figures == ()  # no fee data kept: no figures
    units = [
        Unit(estate_id=uow.estate_id, building="3", entrance="1", room=str(n)) for n in range(4)
    ]
    uow.session.add_all(units)
    await uow.session.flush()

    def owed(unit: Unit, fee: str, due: str, listed: datetime, settled: datetime | None) -> None:
        uow.session.add(
            Arrear(
                estate_id=uow.estate_id,
                unit_id=unit.id,
                fee_type=fee,
                period=due[:7],
                amount=Decimal("100.00"),
                due_date=datetime.fromisoformat(due).date(),
                settled_at=settled,
                created_at=listed,
                updated_at=listed,
            )
        )

    listed = local(2026, 9, 21, 10)
    owed(units[0], "management", "2026-09-25", listed, None)  # owes through the week
    owed(units[1], "management", "2026-09-25", listed, local(2026, 9, 30, 12))  # paid in it
    owed(units[2], "management", "2026-10-25", listed, None)  # not due yet: not counted
    owed(units[3], "water", "2026-09-25", listed, local(2026, 10, 6, 9))  # paid after it
    owed(units[3], "water", "2026-08-25", listed, local(2026, 9, 27, 23))  # paid before it
    await uow.session.flush()
    section = await fee_figures()(uow, WEEK_40)
    assert values(section) == {
        "fees.paid_up.management": 75.0,  # 3 of 4 units: 3-1-0 owes at the week's end
        "fees.paid_up.water": 75.0,  # 3-1-3 still owed its September water on Sunday night
        "fees.units_owing": 2,
        "fees.collected": 1,  # 3-1-1's management fee, settled on Wednesday
    }
    assert [f.met for f in section.figures[:2]] == [False, False]  # targets 95% and 100%
