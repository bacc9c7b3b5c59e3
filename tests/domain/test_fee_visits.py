"""Fees, stages 4 to 6 and what staff receive: the officer's and the assistant's home visits with
their outcomes, the managers when both visits end in a refusal, the officers' daily chase lists,
a supervisor handing a unit to another officer, and the weekly collection report.

Monday 21 September 2026, 10:00: finance's list names Alice's home (3-2-301). The chase notice
goes on Saturday 26th, the deadline notice on Sunday 11 October; the late fee runs from Sunday
18 October, when building 3's officer (Li Na) gets the visit task; the customer-service
assistant (Wang Fang, who reads Chinese) visits a week later if the unit still owes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import (
    ALICE,
    BOB,
    FRONT_DESK,
    LI,
    MANAGERS,
    SUN,
    WANG,
    ZHOU,
    Estate,
    estate_config,
    local,
    register,
    start_staff,
)
from .test_fees import OWED, arrears, case_timers, ladder

FEES = 'officers = { "3" = 102 }\nassistant = 101'


@pytest.fixture
async def estate(open_estate) -> Estate:
    estate = await open_estate(config=estate_config(fees=FEES))
    for staff in (LI, WANG, SUN):
        await start_staff(estate, staff)
    await register(estate, ALICE)
    return estate


async def tasks(estate: Estate, person, after: int) -> list:
    """The visit tasks the person received (their daily chase lists left out)."""
    return [m for m in await estate.messages(person, after=after) if m.text.startswith("🚪")]


async def record(estate: Estate, person, outcome: str, answer: str | None = None) -> str:
    """The visitor taps Record on their task and answers the form; what the bot says last."""
    zh = person.language == "zh_Hans"
    toast = await estate.tap(person, "记录拜访结果" if zh else "Record the visit")
    assert not toast.alert, toast
    await estate.tap(person, outcome)
    if answer is not None:
        await estate.send(person, answer)
    await estate.tap(person, "提交" if zh else "Submit")
    return (await estate.last(person)).text


async def test_the_officer_then_the_assistant_visit_and_a_refusal_goes_to_the_managers(
    estate: Estate, tmp_path: Path
):
    await ladder(estate, tmp_path, *OWED)
    await estate.wait_until(local(2026, 10, 11, 10))  # the deadline notice
    assert await case_timers(estate) == {"fee.officer_visit": local(2026, 10, 18, 10)}
    mark = await estate.mark()
    await estate.wait_until(local(2026, 10, 18, 10))
    (task,) = await tasks(estate, LI, mark)
    for line in (
        "🚪 Home visit F-0001, Building 3, entrance 2, room 301: officer's home visit",
        "The late fee is now running",
        "• Alice Chen, +8613800000001",
        "Total owed: ¥1280.50",
        "History:",
        "payment notice sent to 1 resident",
        "deadline notice sent to 1 resident",
    ):
        assert line in task.text, (line, task.text)
    assert task.buttons == [["📝 Record the visit"]]
    assert await estate.messages(FRONT_DESK, after=mark) == []  # phones stay private
    assert await estate.messages(ALICE, after=mark) == []  # a visit is not a message
    assert [m.text[:1] for m in await estate.messages(LI, after=mark)] == ["📋"] * 7 + ["🚪"]
    ticket = await estate.ticket("fee")
    assert (ticket.status, ticket.assignee_user_id) == ("officer_visit", LI.id)

    # Someone else's task: a technician replaying the button is refused.
    toast = await estate.tap_data(ZHOU, task.callback_data[0][0])
    assert toast.alert and "assigned to someone else" in toast.text

    said = await record(estate, LI, "Nobody at home")
    assert "Recorded for F-0001: nobody at home" in said
    said = await record(estate, LI, "Promised to pay by a day", "2026-10-28")
    assert "promised to pay" in said
    # The assistant's visit waits for the promise: due the 25th, moved to the 29th.
    await estate.wait_until(local(2026, 10, 25, 10))
    assert await case_timers(estate) == {"fee.assistant_visit": local(2026, 10, 29, 10)}
    assert (await estate.ticket("fee")).status == "officer_visit"

    mark = await estate.mark()
    await estate.wait_until(local(2026, 10, 29, 10))
    (task,) = await tasks(estate, WANG, mark)
    assert "上门拜访 F-0001" in task.text and "客服助理上门拜访" in task.text, task.text
    assert "承诺 2026" in task.text or "承诺" in task.text  # the promise is in the history
    assert "家中无人" in task.text  # and so is the first attempt
    assert (await estate.ticket("fee")).status == "assistant_visit"

    mark = await estate.mark()
    said = await record(estate, WANG, "拒绝缴费", "电梯坏了一个月没人修")
    assert "已记录 F-0001：拒绝缴费" in said
    (alert,) = await estate.messages(MANAGERS, after=mark)
    assert "F-0001, Building 3, entrance 2, room 301: the resident refused to pay" in alert
    assert "Reason given: 电梯坏了一个月没人修" in alert
    assert "+8613800000001" not in alert.text  # a group: no phones
    assert (await estate.ticket("fee")).status == "director"
    assert await case_timers(estate) == {}
    # The task's button is stale now.
    toast = await estate.tap(WANG, "记录拜访结果")
    assert toast.alert and "不需要上门拜访" in toast.text


async def test_a_refusal_at_the_officers_visit_brings_the_assistant_at_once(
    estate: Estate, tmp_path: Path
):
    await ladder(estate, tmp_path, *OWED)
    await estate.wait_until(local(2026, 10, 18, 10))
    mark = await estate.mark()
    await record(estate, LI, "Refused to pay", "Does not agree with the management fee")
    (task,) = await tasks(estate, WANG, mark)
    assert "客服助理上门拜访" in task.text
    assert "Does not agree with the management fee" in task.text  # the history says why
    assert await estate.messages(MANAGERS, after=mark) == []
    assert await case_timers(estate) == {}  # the assistant's visit is no longer pending


async def test_paid_at_the_visit_goes_to_finance_which_may_not_have_received_it(
    estate: Estate, tmp_path: Path
):
    await ladder(estate, tmp_path, *OWED)
    await estate.wait_until(local(2026, 10, 18, 10))
    said = await record(estate, LI, "Says it is paid")
    assert "Finance will confirm" in said
    card = await estate.last(FRONT_DESK)  # the test estate has no finance group
    assert "F-0001, Building 3, entrance 2, room 301: a resident says they have paid" in card
    assert "Said by: Li Na" in card
    mark = await estate.mark()
    await estate.tap(SUN, "Not received", chat=FRONT_DESK)
    assert await estate.texts(LI, after=mark) == [
        "✖️ F-0001: finance has not received the payment recorded at your visit. The case goes on."
    ]
    assert await estate.messages(ALICE, after=mark) == []
    assert (await estate.ticket("fee")).status == "officer_visit"


async def test_a_building_without_an_officer_gives_the_front_desk_the_task_without_phones(
    open_estate, tmp_path: Path
):
    estate = await open_estate(config=estate_config())
    await register(estate, ALICE)
    await ladder(estate, tmp_path, *OWED)
    mark = await estate.mark()
    await estate.wait_until(local(2026, 10, 18, 10))
    (task,) = await tasks(estate, FRONT_DESK, mark)
    assert "Home visit F-0001" in task.text and "+8613800000001" not in task.text
    assert "officer's home visit assigned to the front desk" in task.text
    toast = await estate.tap(LI, "Record the visit", chat=FRONT_DESK)
    assert toast.alert and "open a private chat with me" in toast.text
    await start_staff(estate, LI)
    toast = await estate.tap(LI, "Record the visit", chat=FRONT_DESK)  # the front desk may
    assert not toast.alert, toast
    assert "How did the visit go?" in (await estate.last(LI)).text


async def test_the_officer_reads_a_chase_list_every_morning(estate: Estate, tmp_path: Path):
    await register(estate, BOB, ("5", "1", "101"))  # building 5 has no officer
    await ladder(estate, tmp_path, *OWED, "5-1-101,gas,2026-09,45,2026-09-25")
    mark = await estate.mark()
    await estate.wait_until(local(2026, 9, 22, 9))
    (todays,) = await estate.messages(LI, after=mark)
    lines = todays.text.splitlines()
    assert lines[0] == "📋 Chase list for Tue, Sep 22: 1 unit in arrears", lines
    assert lines[1] == "— payment notice: 1 unit"
    assert lines[2] == "F-0001, Building 3, entrance 2, room 301: ¥1280.50"
    assert lines[3].startswith("   last: payment notice sent to 1 resident")
    assert "Building 5" not in todays.text  # not Li's building
    # The morning the chase notice goes, the list says so.
    mark = await estate.mark()
    await estate.wait_until(local(2026, 9, 26, 9))
    todays = (await estate.messages(LI, after=mark))[-1]
    assert "➡️ today: the chase notice goes out" in todays.text
    # The morning the officer must visit.
    await estate.wait_until(local(2026, 10, 18, 10))
    mark = await estate.mark()
    await estate.wait_until(local(2026, 10, 19, 9))
    todays = (await estate.messages(LI, after=mark))[-1]
    assert "— officer's home visit: 1 unit" in todays.text
    assert "➡️ today: make the home visit and record it" in todays.text


async def test_a_supervisor_hands_a_unit_to_another_officer_from_the_chase_list(
    estate: Estate, tmp_path: Path
):
    await ladder(estate, tmp_path, *OWED)
    await estate.wait_until(local(2026, 10, 18, 10))
    await estate.send(LI, "/chase")  # an officer sees their own list, no hand-over buttons
    mine = await estate.last(LI)
    assert "F-0001, Building 3, entrance 2, room 301: ¥1280.50" in mine.text
    assert mine.buttons == []
    # The officer cannot hand units over, even with a forged button.
    await estate.send(SUN, "/chase")
    overview = await estate.last(SUN)
    assert overview.buttons == [["🔁 F-0001"]], overview.buttons
    toast = await estate.tap_data(LI, overview.callback_data[0][0])
    assert toast.alert and "Only a supervisor" in toast.text

    await estate.tap(SUN, "F-0001")
    choose = await estate.last(SUN)
    assert "Hand F-0001 (Building 3, entrance 2, room 301) to which officer?" in choose
    assert choose.buttons == [["Wang Fang"], ["Li Na"]]
    mark = await estate.mark()
    toast = await estate.tap(SUN, "Wang Fang")
    assert "F-0001 is now chased by Wang Fang" in toast.text
    (task,) = await tasks(estate, WANG, mark)  # the visit in hand goes with the unit
    assert "上门拜访 F-0001" in task.text
    assert (await estate.ticket("fee")).assignee_user_id == WANG.id
    # Li's old task button no longer works for Li.
    toast = await estate.tap(LI, "Record the visit")
    assert toast.alert and "assigned to someone else" in toast.text


async def test_the_weekly_collection_report_counts_units_paid_up_against_the_targets(
    estate: Estate, tmp_path: Path
):
    # Five units on record: Alice's, Bob's and three that only the list names.
    await register(estate, BOB, ("5", "1", "101"))
    await arrears(
        estate,
        tmp_path,
        *OWED,  # 3-2-301: water 80.50 and management 1200, due 25 Sep
        "5-1-101,water,2026-09,20,2026-09-25",
        "5-1-102,management,2026-09,300,2026-09-25",
        "5-1-103,management,2026-10,300,2026-10-25",  # not due yet when the report goes
    )
    await estate.tick()
    await arrears(  # 5-1-101's water is paid in the week
        estate,
        tmp_path,
        *OWED,
        "5-1-102,management,2026-09,300,2026-09-25",
        "5-1-103,management,2026-10,300,2026-10-25",
    )
    mark = await estate.mark()
    await estate.wait_until(local(2026, 9, 28, 9))  # Monday
    (report,) = [m for m in await estate.messages(SUN, after=mark) if m.text.startswith("📊")]
    lines = report.text.splitlines()
    assert lines[0] == "📊 Fee collection, week from Mon, Sep 21 (as of Mon, Sep 28)", lines
    # 4 units on record (3-2-301, 5-1-101, 5-1-102, 5-1-103): management overdue at 2 of them.
    assert "❌ Management fee: 50.0% (target 95%), ¥1800.00 outstanding" in lines
    assert "❌ Water: 75.0% (target 100%), ¥80.50 outstanding" in lines
    assert "• Building 3: 0 of 1 unit paid up (0.0%), ¥1280.50 outstanding" in lines
    assert "• Building 5: 2 of 3 units paid up (66.7%), ¥600.00 outstanding" in lines
    # 5-1-103's balance is not due yet: its case is still at the payment notice.
    assert "• payment notice: 1 unit" in lines and "• chase notice: 2 units" in lines
    assert "Collected this week: 1 balance, ¥20.00" in lines
    assert "Outstanding in all: ¥1880.50" in lines
    # And the next one is planned a week later.
    assert (await estate.pending("fee.collection_report")) == {
        "fee.collection_report": local(2026, 10, 5, 9)
    }
