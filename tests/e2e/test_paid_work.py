"""Paid work (有偿服务), end to end: the technician quotes from the card, the resident agrees or
declines in the chat, the result's fees start from the quote, and the front desk records how the
fees were settled; forged and stale buttons change nothing.

When an unanswered quote becomes a phone task and when finance's monthly summary goes out are
tested in tests/domain/test_paid_work.py, against a clock moved by hand.
"""

from __future__ import annotations

import pytest

from bot.sandbox import SandboxMessage, SandboxUser

from .conftest import BotProcess, Estate, register_on_roster, report_repair, start_staff
from .test_repairs import data_of

pytestmark = pytest.mark.e2e


async def status(estate: Estate) -> str:
    rows = await estate.query("select status from tickets where kind = 'repair'")
    return str(rows[0][0])


async def quoted_job(estate: Estate) -> tuple[SandboxMessage, SandboxMessage, str]:
    """Alice reports a leak, Zhou accepts it and quotes labour 120, materials 30 with a note;
    (the card, Alice's quote, the card's Done button as it was before the quote)."""
    alice, zhou, group = estate.alice, estate.zhou, estate.engineering
    await register_on_roster(alice)
    await start_staff(zhou)
    await report_repair(estate, alice)
    card = await group.wait_for_message(containing="Repair R-0001")
    assert not (await zhou.click("Accept", message=card)).show_alert
    await group.wait_for_message(containing="Accepted by Zhou Qiang")
    done = data_of(card, "Done")
    answer = await zhou.click("Quote", message=card)
    assert not answer.show_alert and "write the quote for R-0001" in (answer.text or "")
    await zhou.wait_for_message(containing="labour cost in yuan")
    await zhou.send("120")
    await zhou.wait_for_message(containing="Material cost")
    await zhou.send("30")
    await zhou.wait_for_message(containing="A note for the resident")
    await zhou.send("A new mixer tap: the old one is the resident's own.")
    summary = await zhou.wait_for_message(containing="Send this quote")
    await zhou.click("Submit", message=summary)
    await zhou.wait_for_message(containing="the quote went to the resident")
    await group.wait_for_message(containing="Waiting for the resident's answer")
    assert card.buttons == [["Hand back"], ["Re-route"]]
    quote = await alice.wait_for_message(containing="sends you a quote")
    assert "labour ¥120.00 + materials ¥30.00 = ¥150.00" in quote.text
    assert "Note: A new mixer tap" in quote.text
    assert quote.buttons == [["✅ Agree", "❌ Decline"]]
    assert await status(estate) == "quoted"
    return card, quote, done


async def finish_as_quoted(technician: SandboxUser, card: SandboxMessage) -> None:
    assert not (await technician.click("Done", message=card)).show_alert
    await technician.wait_for_message(containing="what was done")
    await technician.send("Replaced the mixer tap.")
    ask = await technician.wait_for_message(containing="Photos of the finished work")
    await technician.click("Skip", message=ask)
    fees = await technician.wait_for_message(containing="Are the fees as quoted?")
    assert fees.buttons == [["As quoted", "Other amounts"]]
    await technician.click("As quoted", message=fees)
    summary = await technician.wait_for_message(containing="Record this result")
    assert "Fees: labour ¥120.00, materials ¥30.00" in summary.text
    await technician.click("Submit", message=summary)
    await technician.wait_for_message(containing="is marked done")


async def test_an_agreed_quote_is_done_as_quoted_and_the_front_desk_records_the_payment(
    estate: Estate, bot: BotProcess
):
    alice, zhou, mallory, li = estate.alice, estate.zhou, estate.mallory, estate.li
    card, quote, _done = await quoted_job(estate)
    agree = data_of(quote, "Agree")
    await mallory.send("/start")  # so Mallory has a chat with the bot to tap in
    await mallory.wait_for_message(containing="share your phone")
    answer = await mallory.click_data(agree)  # Alice's button, replayed by someone else
    assert answer.show_alert and "does not exist" in (answer.text or "")
    assert await status(estate) == "quoted"

    answer = await alice.click("Agree", message=quote)
    assert not answer.show_alert and "your answer is recorded" in (answer.text or "")
    answered = await alice.wait_for_message(containing="→ ✅ Agreed")  # the quote itself
    assert answered.message_id == quote.message_id and answered.buttons == []
    await alice.wait_for_message(containing="you agreed to the quote")
    await zhou.wait_for_message(containing="the resident agreed to your quote")
    await estate.engineering.wait_for_message(containing="Quote agreed by the resident")
    answer = await alice.click_data(agree, message=quote)  # a double tap
    assert answer.show_alert and "already been answered" in (answer.text or "")
    assert await status(estate) == "accepted"

    await finish_as_quoted(zhou, card)
    asked = await alice.wait_for_message(containing="Is the problem fixed")
    assert "Fees due: ¥150.00. How to pay: at the estate office's front desk." in asked.text
    task = await estate.front_desk.wait_for_message(containing="fees of ¥150.00 for paid work")
    assert task.buttons == [["💰 Paid at the front desk"], ["🧾 Added to the monthly bill"]]
    assert "¥150.00 unpaid" in card.text

    on_bill = data_of(task, "monthly bill")
    answer = await zhou.click("Paid at the front desk", message=task)  # not the front desk
    assert answer.show_alert and "Only the front desk or a supervisor" in (answer.text or "")
    answer = await li.click("Paid at the front desk", message=task)
    assert not answer.show_alert and "payment recorded" in (answer.text or "")
    await estate.front_desk.wait_for_message(containing="Paid at the front desk, recorded by Li")
    await estate.engineering.wait_for_message(containing="paid at the front desk, recorded by Li")
    await alice.wait_for_message(containing="your payment of ¥150.00 is recorded")
    answer = await li.click_data(on_bill, message=task)  # the other button, once more
    assert answer.show_alert and "already recorded" in (answer.text or "")
    rows = await estate.query("select action from events where action like 'repair.payment%'")
    assert rows == [("repair.payment_recorded",)]


async def test_a_declined_quote_stops_the_job_and_its_old_buttons_do_nothing(
    estate: Estate, bot: BotProcess
):
    alice, zhou = estate.alice, estate.zhou
    card, quote, done = await quoted_job(estate)

    agree = data_of(quote, "Agree")
    answer = await alice.click("Decline", message=quote)
    assert not answer.show_alert
    assert (await alice.wait_for_message(containing="→ ❌ Declined")).buttons == []
    await alice.wait_for_message(containing="the job is closed without any work")
    await zhou.wait_for_message(containing="do not start the work")
    await estate.engineering.wait_for_message(containing="The resident declined the quote")
    assert card.buttons == []
    told = await estate.front_desk.wait_for_message(containing="declined the quote")
    assert "R-0001" in told.text and "stopped without work" in told.text
    assert await status(estate) == "declined"

    answer = await zhou.click_data(done, message=card)  # Done, from before the quote
    assert answer.show_alert and "quote declined, stopped" in (answer.text or "")
    answer = await alice.click_data(agree, message=quote)  # her mind changed, an old button
    assert answer.show_alert and "already been answered" in (answer.text or "")
    assert await status(estate) == "declined"
    assert await estate.query(
        "select count(*) from timers where subject_type = 'ticket' and status = 'pending'"
    ) == [(0,)]
