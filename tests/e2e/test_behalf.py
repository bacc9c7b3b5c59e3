"""Requests recorded on someone's behalf, end to end: the front desk takes a phoned-in repair or a
complaint brought to the counter through `/record`, a guard a fault found on patrol; the card says
who recorded it and how, the unit's resident in the bot is told the number, and nobody else may
record what their role does not allow."""

from __future__ import annotations

from bot.sandbox import SandboxUser

from .conftest import (
    BotProcess,
    Estate,
    Reported,
    file_complaint,
    register_on_roster,
    report_repair,
    start_staff,
)
from .test_repairs import data_of


async def record_for(
    person: SandboxUser,
    kind: str,
    channel: str,
    unit: str | None,
    started: str = "Answer each question as the resident tells you",
) -> None:
    """/record's own questions: what, how it came in, and for which unit (None: common area);
    then the kind's form says it `started`."""
    await person.send("/record")
    for question, answer in (
        ("What are you recording", kind),
        ("How did it come in", channel),
        ("a home or a common area", "A home" if unit else "A common area"),
    ):
        ask = await person.wait_for_message(containing=question)
        await person.click(answer, message=ask)
    if unit is not None:
        await person.wait_for_message(containing="Which unit")
        await person.send(unit)
    await person.wait_for_message(containing=started)


async def test_a_phoned_in_repair_is_recorded_for_the_resident_who_then_follows_it(
    estate: Estate, bot: BotProcess
):
    alice, li = estate.alice, estate.li
    await register_on_roster(alice)
    await alice.send("/lang")  # Alice reads Chinese; the front desk (Li) works in English
    menu = await alice.wait_for_message(containing="Choose your language")
    await alice.click("简体中文", message=menu)
    await start_staff(li)

    await record_for(li, "A repair", "By phone", "3-2-301")
    outcome = await report_repair(estate, li, command=None, registered="is recorded for")
    assert isinstance(outcome, Reported), outcome
    assert outcome.number == "R-0001"
    assert "The resident was told the number" in outcome.reply.text, outcome.reply.text

    told = await alice.wait_for_message(containing="R-0001")
    assert "客服前台已为您登记此项（电话来电）" in told.text, told.text
    card = await estate.engineering.wait_for_message(containing="Repair R-0001")
    assert "Recorded by Li Na · by phone" in card.text, card.text
    assert "Reported by Alice Chen" in card.text and "No resident to tell" not in card.text
    rows = await estate.query("select channel, recorded_by_user_id, reporter_user_id from tickets")
    assert rows == [("phone", li.id, alice.id)]
    followers = await estate.query("select telegram_user_id from ticket_followers")
    assert followers == [(alice.id,)]  # the front desk recorded it; the resident follows it

    await alice.send("/my")  # she follows it like any request of her own
    listing = await alice.wait_for_message(containing="R-0001")
    assert "R-0001" in listing.text and "客服前台" not in listing.text, listing.text


async def test_a_complaint_brought_to_the_desk_for_a_unit_nobody_registered_stays_with_the_desk(
    estate: Estate, bot: BotProcess
):
    alice, li = estate.alice, estate.li  # Alice is on the roster but never opened the bot
    await start_staff(li)

    await record_for(li, "A complaint", "In person", "3 2 301")
    number = await file_complaint(estate, li, command=None, registered="is recorded for")
    confirmation = li.last_message
    assert confirmation is not None and "Nobody there could be told" in confirmation.text

    card = await estate.front_desk.wait_for_message(containing=f"Complaint {number}")
    assert "Recorded by Li Na · at the front desk" in card.text, card.text
    assert "No resident to tell in chat: the front desk follows it up." in card.text
    assert "From: Alice Chen" in card.text  # the roster's name for the unit
    rows = await estate.query(
        "select channel, recorded_by_user_id, reporter_user_id, resident_id is not null"
        " from tickets"
    )
    assert rows == [("visit", li.id, None, True)]  # about the roster's resident, told nothing
    assert not alice.messages


async def test_the_technician_gets_the_roster_phone_of_a_resident_who_is_not_in_the_bot(
    estate: Estate, bot: BotProcess
):
    li, zhou, group = estate.li, estate.zhou, estate.engineering
    await start_staff(li)
    await start_staff(zhou)
    await record_for(li, "A repair", "In person", "3-2-301")
    outcome = await report_repair(estate, li, command=None, registered="is recorded for")
    assert isinstance(outcome, Reported) and "Nobody there could be told" in outcome.reply.text
    card = await group.wait_for_message(containing=f"Repair {outcome.number}")
    assert "For Alice Chen" in card.text and "residents affected" not in card.text, card.text
    assert "No resident to tell in chat" in card.text
    answer = await zhou.click("Accept", message=card)
    assert not answer.show_alert, answer
    contact = await zhou.wait_for_message(containing="the resident's contact")
    assert "Alice Chen, phone" in contact.text and "0001" in contact.text, contact.text


async def test_residents_may_not_record_and_a_guard_records_only_common_area_repairs(
    estate: Estate, bot: BotProcess
):
    alice, ma = estate.alice, estate.ma
    await register_on_roster(alice)
    await alice.send("/record")
    refusal = await alice.wait_for_message(containing="is for the front desk")
    assert "/repair" in refusal.text

    await start_staff(ma)
    await ma.send("/record")  # a guard goes straight to the repair form, for a common area
    await ma.wait_for_message(containing="found on patrol in a common area")
    outcome = await report_repair(
        estate,
        ma,
        command=None,
        where="common",
        place="Lift lobby of building 3",
        registered="is recorded for",
    )
    assert isinstance(outcome, Reported) and "Nobody there could be told" in outcome.reply.text
    card = await estate.engineering.wait_for_message(containing=f"Repair {outcome.number}")
    assert "Recorded by Ma Jun · found on patrol" in card.text, card.text
    assert "No resident to tell in chat" in card.text

    await ma.send("/record")  # a home is never offered to a guard, and a forged one is refused
    ask = await ma.wait_for_message(containing="What needs repairing")
    await ma.click("Water and drains", message=ask)
    ask = await ma.wait_for_message(containing="Where is it")
    assert ask.buttons == [["A common area"]], ask.buttons
    (unit_id,) = (await estate.query("select id from units"))[0]
    forged = data_of(ask, "A common area").replace("|common", f"|unit:{unit_id}")
    answer = await ma.click_data(forged, message=ask)
    assert answer.show_alert, answer
    rows = await estate.query("select channel, unit_id, reporter_user_id from tickets")
    assert rows == [("patrol", None, None)]


async def test_a_phoned_in_request_for_help_is_followed_to_done_and_the_resident_told(
    estate: Estate, bot: BotProcess
):
    alice, li = estate.alice, estate.li
    await register_on_roster(alice)
    await start_staff(li)

    await record_for(li, "A request for help", "By phone", "3-2-301", "Recording a request for")
    await li.send("My father cannot climb the stairs; can someone carry his groceries up?")
    summary = await li.wait_for_message(containing="Request for help recorded for")
    await li.click("Submit", message=summary)
    await li.wait_for_message(containing="D-0001 is recorded for")

    told = await alice.wait_for_message(containing="D-0001")
    assert "Your request for help is registered as D-0001" in told.text, told.text
    card = await estate.front_desk.wait_for_message(containing="Request for help D-0001")
    assert "Recorded by Li Na · by phone" in card.text, card.text
    assert card.buttons == [["✅ Done"]], card.buttons

    answer = await li.click("Done", message=card)
    assert not answer.show_alert and "opened a form" in (answer.text or ""), answer
    await li.wait_for_message(containing="What was done?")
    await li.send("Security carries the groceries up every Tuesday and Friday.")
    summary = await li.wait_for_message(containing="What was done about D-0001")
    await li.click("Submit", message=summary)
    done = await alice.wait_for_message(containing="has been dealt with")
    assert "every Tuesday and Friday" in done.text, done.text
    await estate.front_desk.wait_for_message(
        predicate=lambda m: "Request for help D-0001" in m.text and "Status: done" in m.text
    )
    rows = await estate.query("select kind, category, status, channel from tickets")
    assert rows == [("desk", "help", "done", "phone")]
