"""Every SLA deadline: when it falls, computed here by hand from the manual's table and the working
calendar, and what happens when it passes.

The estate works Monday to Friday, 09:00-18:00 in Shanghai, with mainland public holidays. The
dates used: Friday 25 September 2026 is the Mid-Autumn Festival (a three-day weekend follows
from it); 1-7 October is National Day and Saturday 10 October its make-up working day. Fixed
durations ("15m", "2h", "2 days") are elapsed time, office hours or not; "N working days" keeps the
clock time and counts from the next opening when it starts outside office hours; "N working
hours" counts only time inside office hours.

The warning before a complaint deadline comes a quarter of the span before it, never more than an
hour before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from .conftest import OpenEstate
from .harness import (
    ALICE,
    BOB,
    ENGINEERING,
    FRONT_DESK,
    LI,
    MANAGERS,
    QIAN,
    SUN,
    ZHOU,
    Estate,
    Person,
    Shown,
    estate_config,
    finish_job,
    local,
    owner_form,
    register,
    report_repair,
    request_registration,
)
from .test_fees import block

MINUTE = timedelta(minutes=1)


async def nothing_until_then(
    estate: Estate, who: Person | int, moment: datetime, said: str
) -> None:
    """`who` hears nothing new until a minute before `moment`, and exactly `said` at it."""
    mark = await estate.mark()
    await estate.wait_until(moment - MINUTE)
    assert await estate.texts(who, after=mark) == [], moment
    await estate.wait_until(moment)
    assert await estate.texts(who, after=mark) == [said], moment


# -- repairs: the acceptance clock -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgent", "reported", "due"),
    [
        pytest.param(
            True, local(2026, 9, 21, 10, 0), local(2026, 9, 21, 10, 15), id="urgent-15min"
        ),
        pytest.param(False, local(2026, 9, 21, 10, 0), local(2026, 9, 21, 12, 0), id="normal-2h"),
        # Elapsed time, not office hours: reported at 17:30, escalated at 19:30 the same evening.
        pytest.param(
            False, local(2026, 9, 24, 17, 30), local(2026, 9, 24, 19, 30), id="normal-evening"
        ),
    ],
)
async def test_a_job_nobody_accepts_is_escalated_when_its_acceptance_time_passes(
    estate: Estate, urgent: bool, reported: datetime, due: datetime
):
    await estate.wait_until(reported)
    await report_repair(estate, ALICE, urgent=urgent)
    assert await estate.pending("repair.") == {"repair.accept_sla": due}

    mark = await estate.mark()
    await estate.wait_until(due - MINUTE)
    assert await estate.texts(ENGINEERING, after=mark) == []
    assert await estate.texts(SUN, after=mark) == []

    await estate.wait_until(due)
    [ping] = await estate.messages(ENGINEERING, after=mark)
    assert ping.text.startswith("⏰ R-0001 has waited ")
    assert ping.text.endswith(" min to be accepted. Who can take it?")
    assert ping.buttons == [["Accept"]]
    [alert] = await estate.texts(SUN, after=mark)
    assert alert.startswith("⏰ R-0001 has not been accepted after "), alert
    [sorry] = await estate.texts(ALICE, after=mark)  # the resident hears it from us first
    assert sorry.startswith("We are sorry: no technician has taken your repair R-0001 yet"), sorry
    assert await estate.timer_rows("repair.") == [("repair.accept_sla", due, "done")]

    toast = await estate.tap(ZHOU, "Accept", chat=ENGINEERING, message=ping)  # from the ping
    assert not toast.alert and (await estate.ticket("repair")).status == "accepted"


async def test_the_escalation_says_how_long_the_job_has_waited(estate: Estate):
    await report_repair(estate, ALICE, urgent=True)
    await estate.wait(minutes=15)
    assert (await estate.last(ENGINEERING)).text == (
        "⏰ R-0001 has waited 15 min to be accepted. Who can take it?"
    )
    assert (await estate.last(SUN)).text == "⏰ R-0001 has not been accepted after 15 min."


async def test_a_job_accepted_in_time_is_not_escalated(estate: Estate):
    await report_repair(estate, ALICE, urgent=True)
    estate.clock.advance(minutes=14)
    await estate.tap(ZHOU, "Accept", chat=ENGINEERING)
    mark = await estate.mark()
    await estate.wait(hours=3)
    assert not [t for t in await estate.texts(ENGINEERING, after=mark) if "Who can take it" in t]
    assert await estate.texts(SUN, after=mark) == []
    kinds = [(kind, status) for kind, _, status in await estate.timer_rows("repair.")]
    assert ("repair.accept_sla", "cancelled") in kinds


async def pings(estate: Estate, after: int) -> list[str]:
    return [t for t in await estate.texts(ENGINEERING, after=after) if "Who can take it" in t]


async def test_the_acceptance_times_are_the_estates_own(open_estate: OpenEstate):
    config = estate_config({"repair_accept_urgent": "30m", "repair_accept_normal": "4h"})
    estate = await open_estate(local(2026, 9, 21, 10, 0), config)
    await register(estate, ALICE)
    await report_repair(estate, ALICE, urgent=True)
    estate.clock.advance(minutes=10)
    await report_repair(estate, ALICE, description="The bathroom light flickers.")
    dues = [due for _, due, _ in await estate.timer_rows("repair.accept_sla")]
    assert dues == [local(2026, 9, 21, 10, 30), local(2026, 9, 21, 14, 10)]

    mark = await estate.mark()
    for due, number in zip(dues, ("R-0001", "R-0002"), strict=True):
        await estate.wait_until(due - MINUTE)
        assert not [p for p in await pings(estate, mark) if number in p]
        await estate.wait_until(due)
        assert [p for p in await pings(estate, mark) if number in p], number


# -- repairs: the visit window, the resident's silence, the callback -------------------------------


async def test_a_job_not_done_when_the_agreed_visit_window_ends_is_reported(estate: Estate):
    await report_repair(estate, ALICE, day=date(2026, 9, 22), slot="Afternoon", photos=1)
    assert (await estate.last(ENGINEERING)).photos == ["photo-1"]  # the card carries it
    await estate.tap(ZHOU, "Accept", chat=ENGINEERING)
    window_end = local(2026, 9, 22, 17, 0)
    assert await estate.pending("repair.") == {"repair.window_end": window_end}

    said = "⏰ R-0001 (accepted by Zhou Qiang) is not done and the agreed visit window has passed."
    mark = await estate.mark()
    await nothing_until_then(estate, SUN, window_end, said)
    assert (await estate.last(MANAGERS)).text == said
    assert await estate.texts(ALICE, after=mark) == [
        "We are sorry: the technician did not come for R-0001 in the time agreed with you, "
        "Tue, Sep 22, afternoon (13:00–17:00). A supervisor is following it up, and we will "
        "tell you when they are coming."
    ]
    assert (await estate.ticket("repair")).status == "accepted"  # nothing else changes


async def done_at(estate: Estate, moment: datetime) -> None:
    """R-0001, reported Monday for a visit on Thursday 24th, is recorded done at `moment`."""
    await report_repair(estate, ALICE, day=date(2026, 9, 24))
    await estate.tap(ZHOU, "Accept", chat=ENGINEERING)
    await estate.wait_until(moment)
    await finish_job(estate, ZHOU)


async def test_silence_becomes_a_phone_task_two_days_after_the_job_is_done(estate: Estate):
    # "2 days" is elapsed time: Thursday 16:00 to Saturday 16:00, holiday weekend or not.
    await done_at(estate, local(2026, 9, 24, 16, 0))
    timeout = local(2026, 9, 26, 16, 0)
    assert await estate.pending("repair.") == {"repair.confirm_timeout": timeout}

    said = (
        "We did not hear back about R-0001. The front desk will call you to check that it is "
        "fixed; you can still answer with the buttons above."
    )
    await nothing_until_then(estate, ALICE, timeout, said)
    assert (await estate.ticket("repair")).status == "done"
    assert (await estate.last(FRONT_DESK)).text.startswith("📞 Please call Alice Chen")


async def test_the_callback_survey_comes_the_next_working_day(estate: Estate):
    # Confirmed on Thursday 24th at 16:00; Friday is the Mid-Autumn Festival and then the weekend:
    # the survey comes on Monday 28th at 16:00.
    await done_at(estate, local(2026, 9, 24, 15, 30))
    estate.clock.set(local(2026, 9, 24, 16, 0))
    await estate.tap(ALICE, "Fixed")
    survey = local(2026, 9, 28, 16, 0)
    assert (await estate.pending("repair."))["repair.survey"] == survey

    said = (
        "How satisfied are you with the repair R-0001? Question 1 of 3 "
        "(1 = very unhappy, 5 = very happy):\n🧑‍🔧 The technician's skill and manner"
    )
    await nothing_until_then(estate, ALICE, survey, said)


@pytest.mark.parametrize(
    ("done", "confirmed", "next_working_day"),
    [
        # Alice taps Fixed on Monday evening: surveyed on Wednesday 09:00, not on Tuesday.
        pytest.param(
            local(2026, 9, 21, 18, 30), local(2026, 9, 21, 19, 0), date(2026, 9, 22), id="evening"
        ),
        # Confirmed by phone on Saturday 26th (holiday weekend), after two days of silence.
        pytest.param(local(2026, 9, 24, 16, 0), None, date(2026, 9, 28), id="timeout-on-a-holiday"),
    ],
)
async def test_a_job_confirmed_outside_office_hours_is_surveyed_the_next_working_day(
    estate: Estate, done: datetime, confirmed: datetime | None, next_working_day: date
):
    await done_at(estate, done)
    if confirmed is None:
        await estate.wait(days=2)
        await estate.tap(LI, "Confirmed by phone", chat=FRONT_DESK)
    else:
        estate.clock.set(confirmed)
        await estate.tap(ALICE, "Fixed")
    assert (await estate.ticket("repair")).status == "confirmed"
    survey = (await estate.pending("repair."))["repair.survey"]
    assert survey.date() == next_working_day, survey


# -- complaints: the manual's table on the working calendar ----------------------------------------


async def triaged_at(estate: Estate, moment: datetime, severity: str) -> None:
    """C-0001, filed on Monday at 10:00, is classified at `moment`."""
    await estate.wait_until(moment)
    toast = await estate.tap(LI, severity, chat=FRONT_DESK)
    assert not toast.alert, toast


# Triaged on Thursday 24 September at 15:00. Two hours is elapsed time; working days skip the
# Mid-Autumn Festival (Friday) and the weekend.
THURSDAY_3PM = local(2026, 9, 24, 15, 0)
TABLE = {
    # severity: (reply warning, reply due, resolve warning, resolve due)
    "Major": (
        local(2026, 9, 24, 16, 30),  # a quarter of 2 hours before
        local(2026, 9, 24, 17, 0),  # 2 hours
        local(2026, 9, 30, 14, 0),  # an hour before
        local(2026, 9, 30, 15, 0),  # 3 working days: Mon 28, Tue 29, Wed 30
    ),
    "Important": (
        local(2026, 9, 28, 14, 0),
        local(2026, 9, 28, 15, 0),  # 1 working day
        local(2026, 9, 29, 14, 0),
        local(2026, 9, 29, 15, 0),  # 2 working days
    ),
    "Minor": (
        local(2026, 9, 24, 16, 30),
        local(2026, 9, 24, 17, 0),  # 2 hours
        local(2026, 9, 28, 14, 0),
        local(2026, 9, 28, 15, 0),  # 1 working day
    ),
}


@pytest.mark.parametrize("severity", TABLE)
async def test_an_untouched_complaint_warns_its_owner_and_alerts_the_supervisor_at_each_deadline(
    complaint: Estate, severity: str
):
    reply_warn, reply_due, resolve_warn, resolve_due = TABLE[severity]
    await triaged_at(complaint, THURSDAY_3PM, severity)
    ticket = await complaint.ticket("complaint")
    assert (ticket.reply_due_at, ticket.resolve_due_at) == (reply_due, resolve_due)
    assert {k: v for k, v in (await complaint.pending("complaint.")).items() if "_" in k} == {
        "complaint.reply_warn": reply_warn,
        "complaint.reply_breach": reply_due,
        "complaint.resolve_warn": resolve_warn,
        "complaint.resolve_breach": resolve_due,
    }

    def shown(moment: datetime) -> str:  # as an English reader sees it: 9/24/26, 5:00 PM
        hour = moment.hour % 12 or 12
        noon = "AM" if moment.hour < 12 else "PM"
        return f"{moment.month}/{moment.day}/26, {hour}:{moment.minute:02d} {noon}"

    missed = "⚠️ C-0001 (owner Li Na) missed its {} deadline."
    await nothing_until_then(
        complaint, LI, reply_warn, f"⏰ C-0001: the first reply is due by {shown(reply_due)}."
    )
    mark = await complaint.mark()
    await nothing_until_then(complaint, SUN, reply_due, missed.format("first-reply"))
    [sorry] = await complaint.texts(ALICE, after=mark)
    assert sorry.startswith("We are sorry: we promised you a first reply on complaint C-0001")
    assert (await complaint.last(LI)).text == (  # the owner is asked to act, in their own words
        "⏰ The first-reply deadline of C-0001 has passed. Please reply to the resident now; "
        "your supervisors have been told."
    )
    await nothing_until_then(
        complaint, LI, resolve_warn, f"⏰ C-0001: it must be resolved by {shown(resolve_due)}."
    )
    await nothing_until_then(complaint, SUN, resolve_due, missed.format("resolution"))
    assert (await complaint.ticket("complaint")).status == "open"


async def test_a_reply_in_time_stops_the_reply_clock_but_not_the_resolve_clock(complaint: Estate):
    reply_warn, _, resolve_warn, resolve_due = TABLE["Minor"]
    await triaged_at(complaint, THURSDAY_3PM, "Minor")
    await complaint.wait_until(reply_warn - 2 * MINUTE)
    await owner_form(complaint, LI, "Reply", "Security will check tonight.")
    mark = await complaint.mark()
    await complaint.wait_until(resolve_warn - MINUTE)
    assert await complaint.texts(LI, after=mark) == []
    assert await complaint.texts(SUN, after=mark) == []
    await complaint.wait_until(resolve_due)
    assert await complaint.texts(SUN, after=mark) == [
        "⚠️ C-0001 (owner Li Na) missed its resolution deadline."
    ]


@pytest.mark.parametrize(
    ("severity", "triaged", "reply_due", "resolve_due"),
    [
        # Thursday 20:00, after hours: working days count from the next opening, Monday 09:00.
        pytest.param(
            "Important",
            local(2026, 9, 24, 20, 0),
            local(2026, 9, 29, 9, 0),
            local(2026, 9, 30, 9, 0),
            id="important-after-hours",
        ),
        pytest.param(
            "Minor",
            local(2026, 9, 24, 20, 0),
            local(2026, 9, 24, 22, 0),  # two hours is two hours, office closed or not
            local(2026, 9, 29, 9, 0),
            id="minor-after-hours",
        ),
        # From Monday 09:00, three working days run into National Day: Tue, Wed, Thu 8 October.
        pytest.param(
            "Major",
            local(2026, 9, 24, 20, 0),
            local(2026, 9, 24, 22, 0),
            local(2026, 10, 8, 9, 0),
            id="major-after-hours-into-national-day",
        ),
        # Tuesday 07:30, before opening: counted from 09:00 the same day.
        pytest.param(
            "Important",
            local(2026, 9, 22, 7, 30),
            local(2026, 9, 23, 9, 0),
            local(2026, 9, 24, 9, 0),
            id="important-before-opening",
        ),
        # Wednesday 30 September: after National Day, Saturday 10 October is a working day.
        pytest.param(
            "Major",
            local(2026, 9, 30, 15, 0),
            local(2026, 9, 30, 17, 0),
            local(2026, 10, 10, 15, 0),
            id="major-onto-the-make-up-saturday",
        ),
    ],
)
async def test_complaint_deadlines_follow_office_hours_and_holidays(
    complaint: Estate, severity: str, triaged: datetime, reply_due: datetime, resolve_due: datetime
):
    await triaged_at(complaint, triaged, severity)
    ticket = await complaint.ticket("complaint")
    assert (ticket.reply_due_at, ticket.resolve_due_at) == (reply_due, resolve_due)
    pending = await complaint.pending("complaint.re")
    assert (pending["complaint.reply_breach"], pending["complaint.resolve_breach"]) == (
        reply_due,
        resolve_due,
    )


async def test_an_invalid_complaint_not_explained_within_a_working_day_alerts_the_supervisor(
    complaint: Estate,
):
    await complaint.wait_until(THURSDAY_3PM)
    await complaint.tap(LI, "Invalid", chat=FRONT_DESK)
    due = local(2026, 9, 28, 15, 0)  # 1 working day, over the holiday weekend
    assert (await complaint.pending("complaint.explain")) == {"complaint.explain_breach": due}

    said = (
        "⚠️ C-0001 (owner Li Na): the resident has not been told why it is invalid within the "
        "deadline."
    )
    await nothing_until_then(complaint, SUN, due, said)
    assert (await complaint.ticket("complaint")).status == "explaining"


async def test_the_callback_comes_within_three_working_days_of_the_resolution(
    complaint: Estate,
):
    await triaged_at(complaint, local(2026, 9, 30, 10, 0), "Minor")
    await complaint.wait_until(local(2026, 9, 30, 11, 0))
    await owner_form(complaint, LI, "Resolved", "502 signed the renovation rules.")
    # Wednesday 30 September 11:00; National Day until the 7th; Thu 8, Fri 9 and the make-up
    # Saturday 10 are the three working days: asked, asked again, then the front desk calls.
    assert await complaint.pending("complaint.survey") == {
        "complaint.survey": local(2026, 10, 8, 9, 0),
        "complaint.survey_remind": local(2026, 10, 9, 9, 0),
        "complaint.survey_phone": local(2026, 10, 10, 9, 0),
    }
    said = "Are you satisfied with how your complaint C-0001 was resolved?"
    await nothing_until_then(complaint, ALICE, local(2026, 10, 8, 9, 0), said)
    mark = await complaint.mark()
    await complaint.wait_until(local(2026, 10, 9, 9, 0))
    [reminder] = await complaint.messages(ALICE, after=mark)
    assert reminder.text.startswith("A reminder about C-0001: we would like to hear from you.")
    assert reminder.buttons == [["😊 Satisfied", "😞 Not satisfied"]]

    mark = await complaint.mark()
    await complaint.wait_until(local(2026, 10, 10, 9, 0))
    [task] = await complaint.messages(FRONT_DESK, after=mark)
    assert task.text.startswith("📞 Callback C-0001: Alice Chen has not answered"), task.text
    assert "+8613800000001" not in task.text
    toast = await complaint.tap(LI, "Show the phone number", chat=FRONT_DESK, message=task)
    assert toast.alert and toast.text == "C-0001: call Alice Chen on +8613800000001"
    toast = await complaint.tap(LI, "😊 Satisfied", chat=FRONT_DESK, message=task)
    assert not toast.alert, toast
    assert (await complaint.ticket("complaint")).status == "closed"
    assert (await complaint.last(FRONT_DESK)).text.endswith("😊 Called back by Li Na: satisfied.")
    # The resident's own buttons are answered now too.
    late = await complaint.tap(ALICE, "Satisfied", message=reminder)
    assert late.alert


async def test_a_resident_the_bot_cannot_reach_is_called_back_at_once(complaint: Estate):
    await complaint.wait_until(local(2026, 9, 21, 10, 30))
    await complaint.tap(LI, "Minor", chat=FRONT_DESK)
    await owner_form(complaint, LI, "Resolved", "502 signed the renovation rules.")
    await block(complaint, ALICE)
    mark = await complaint.mark()
    await complaint.wait_until(local(2026, 9, 22, 9, 0))
    [task] = await complaint.messages(FRONT_DESK, after=mark)
    assert task.text.startswith("📞 Callback C-0001: Alice Chen cannot be reached"), task.text
    mark = await complaint.mark()
    await complaint.send(LI, "/callbacks")  # the supervisor's follow-up list, repairs first
    assert await complaint.texts(LI, after=mark) == [
        "Repair callbacks to follow up:\nNothing to follow up in the last 30 days.",
        "Complaint callbacks to follow up:\n📞 C-0001, Alice Chen: no answer yet, the front "
        "desk is to call (resolved, callback pending)",
    ]
    await complaint.tap(LI, "Not satisfied", chat=FRONT_DESK, message=task)
    assert (await complaint.ticket("complaint")).status == "open"  # reopened to its owner
    assert await complaint.pending("complaint.survey") == {}
    mark = await complaint.mark()
    await complaint.send(LI, "/callbacks")
    assert "😞 C-0001, Alice Chen: not satisfied (" in (await complaint.last(LI)).text
    await complaint.send(ALICE, "/callbacks")  # not staff
    assert (await complaint.last(ALICE)).text == "This list is for estate staff."


VISIT_WHEN = "Wed, Sep 23, morning (09:00–12:00)"


async def visit_booked(complaint: Estate) -> None:
    """C-0001, major, resolved on Monday; Alice books the home visit for Wednesday morning."""
    await triaged_at(complaint, local(2026, 9, 21, 10, 15), "Major")
    await owner_form(complaint, LI, "Resolved", "The neighbour agreed to stop at 22:00.")
    await complaint.wait_until(complaint.clock.now)  # the scheduler's next tick
    await complaint.tap(ALICE, "Choose a day")
    await complaint.send(ALICE, "2026-09-23")
    await complaint.tap(ALICE, "Morning")  # 09:00-12:00
    assert "is booked for" in (await complaint.last(ALICE)).text


async def verdict_task(complaint: Estate, moment: datetime, title: str) -> Shown:
    """The owner's home-visit task (`title`, then the verdict's two buttons), at `moment` and not
    a minute before."""
    said = f"{title}\nAfter the visit, record what the resident said:"
    await nothing_until_then(complaint, LI, moment, said)
    task = await complaint.last(LI)
    assert task.buttons == [["😊 Resident satisfied", "😞 Not satisfied"]]
    return task


async def test_a_major_complaints_callback_is_the_home_visit_booked_when_it_is_resolved(
    complaint: Estate,
):
    await triaged_at(complaint, local(2026, 9, 21, 10, 15), "Major")
    await owner_form(complaint, LI, "Resolved", "The neighbour agreed to stop at 22:00.")
    await complaint.wait_until(complaint.clock.now)  # the scheduler's next tick
    offer = await complaint.last(ALICE)  # at once: the visit is booked in advance
    assert "someone from the estate would like to visit you at home" in offer.text
    assert offer.buttons == [["📅 Choose a day"]]
    toast = await complaint.tap(ALICE, "Choose a day")
    assert not toast.alert, toast
    await complaint.send(ALICE, "2026-09-23")
    await complaint.tap(ALICE, "Morning")  # 09:00-12:00
    when = "Wed, Sep 23, morning (09:00–12:00)"
    assert (await complaint.last(ALICE)).text == (
        f"Thank you. The home visit about C-0001 is booked for {when}."
    )
    assert (await complaint.last(LI)).text == (
        f"📅 C-0001: the resident chose a home visit on {when}."
    )
    reminder = local(2026, 9, 23, 7, 0)
    # The visit is the callback: no reminder to the resident, no phone task for the front desk.
    assert await complaint.pending("complaint.survey") == {}
    assert await complaint.pending("complaint.visit") == {"complaint.visit_reminder": reminder}
    cards = [m for m in await complaint.texts(FRONT_DESK) if "Complaint C-0001" in m]
    assert f"Home visit: {when}" in cards[0]

    task = await verdict_task(complaint, reminder, f"📅 Today: home visit about C-0001, {when}.")
    refused = await complaint.tap_data(QIAN, task.callback_data[0][1])  # a forged tap
    assert refused.alert  # a technician records no verdict
    assert (await complaint.ticket("complaint")).status == "resolved"
    toast = await complaint.tap(LI, "Not satisfied", message=task)
    assert toast.text == "C-0001: the resident is not satisfied; it is reopened to you."
    ticket = await complaint.ticket("complaint")
    assert (ticket.status, ticket.assignee_user_id, ticket.reopened) == ("open", LI.id, 1)
    assert "visit" not in ticket.details  # the next resolution books a visit of its own
    again = await complaint.tap(LI, "Resident satisfied", message=task)
    assert again.alert  # the verdict is recorded once


# -- registration ----------------------------------------------------------------------------------


async def test_an_undecided_registration_is_raised_again_after_four_working_hours(
    open_estate: OpenEstate,
):
    # Asked on Thursday 24th at 16:00: two working hours that day, the holiday weekend, and two
    # more from Monday's opening.
    estate = await open_estate(local(2026, 9, 24, 16, 0))
    await request_registration(estate, BOB, ("5", "1", "502"))
    reminder = local(2026, 9, 28, 11, 0)
    assert await estate.pending("registration.") == {"registration.reminder": reminder}

    said = "⏰ Registration request #1 is still waiting for a decision."
    await nothing_until_then(estate, FRONT_DESK, reminder, said)
    assert (await estate.last(FRONT_DESK)).buttons == [["Approve", "Reject"]]
    toast = await estate.tap(LI, "Approve", chat=FRONT_DESK)  # the reminder's own button
    assert not toast.alert, toast
    assert "confirmed your registration" in (await estate.messages(BOB))[-2].text


async def test_a_registration_decided_in_time_is_not_raised_again(open_estate: OpenEstate):
    estate = await open_estate(local(2026, 9, 24, 16, 0))
    await request_registration(estate, BOB, ("5", "1", "502"))
    estate.clock.advance(hours=1)
    await estate.tap(LI, "Approve", chat=FRONT_DESK)
    mark = await estate.mark()
    await estate.wait_until(local(2026, 9, 28, 12, 0))
    assert await estate.texts(FRONT_DESK, after=mark) == []


async def test_a_home_visit_whose_verdict_nobody_records_is_chased(complaint: Estate):
    await visit_booked(complaint)
    # The visit's morning ends on Wednesday at 12:00; a working day later there is no verdict.
    due = local(2026, 9, 24, 12, 0)
    assert await complaint.pending("complaint.verdict") == {"complaint.verdict_due": due}
    await complaint.wait_until(local(2026, 9, 23, 12, 0))
    await complaint.send(LI, "/callbacks")  # on the day nobody is chased yet
    assert "C-0001" not in (await complaint.last(LI)).text

    overdue = f"⏰ C-0001: the home visit on {VISIT_WHEN} has no verdict recorded yet."
    task = await verdict_task(complaint, due, overdue)
    mark = await complaint.mark()
    await complaint.send(SUN, "/callbacks")  # the supervisor's follow-up list shows it
    assert (await complaint.texts(SUN, after=mark))[-1] == (
        "Complaint callbacks to follow up:\n🏠 C-0001, Alice Chen: home visit made, its verdict "
        "not recorded yet (resolved, callback pending)"
    )

    toast = await complaint.tap(LI, "Resident satisfied", message=task)
    assert not toast.alert, toast
    assert (await complaint.ticket("complaint")).status == "closed"
    mark = await complaint.mark()
    await complaint.send(SUN, "/callbacks")
    assert "C-0001" not in (await complaint.texts(SUN, after=mark))[-1]


async def test_a_verdict_recorded_in_time_is_not_chased(complaint: Estate):
    await visit_booked(complaint)
    await complaint.wait_until(local(2026, 9, 23, 12, 30))
    await complaint.tap(LI, "Not satisfied")  # on the day's task: reopened to Li
    assert await complaint.pending("complaint.verdict") == {}
    mark = await complaint.mark()
    await complaint.wait_until(local(2026, 9, 24, 12, 0))
    assert await complaint.texts(LI, after=mark) == []
