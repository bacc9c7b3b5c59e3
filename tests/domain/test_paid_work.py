"""Paid work (有偿服务): the technician quotes before starting, the resident agrees or declines,
the result's fees start from the quote, the front desk records the payment, and finance gets the
month's summary by the 25th.

accepted -quote-> quoted -agree-> accepted -finish-> done ...; quoted -decline-> declined (final).
The estate opens on Monday 21 September 2026 at 10:00 with Alice's R-0001 waiting in
engineering's group; the estate has no finance group, so finance's summary goes to the front desk.
"""

from __future__ import annotations

from .harness import (
    ALICE,
    BOB,
    ENGINEERING,
    FRONT_DESK,
    LI,
    QIAN,
    ZHOU,
    Estate,
    estate_config,
    finish_job,
    local,
    register,
    report_repair,
)
from .harness import start_staff as start
from .test_fees import block


async def card(estate: Estate) -> str:
    cards = [m for m in await estate.messages(ENGINEERING) if "Repair R-0001" in m.text]
    return cards[-1].text


async def quoted(estate: Estate, labour: str = "120", material: str = "30") -> None:
    """Zhou accepts R-0001, then sends a quote from the card (no note)."""
    assert not (await estate.tap(ZHOU, "Accept", chat=ENGINEERING)).alert
    toast = await estate.tap(ZHOU, "Quote", chat=ENGINEERING)
    assert toast.text == "I sent you a private message to write the quote for R-0001.", toast
    await estate.send(ZHOU, labour)
    await estate.send(ZHOU, material)
    await estate.tap(ZHOU, "Skip")
    summary = (await estate.last(ZHOU)).text
    assert "Quote for R-0001" in summary and "¥120.00 + materials ¥30.00 = ¥150.00" in summary
    await estate.tap(ZHOU, "Submit")


async def test_a_quote_waits_for_the_residents_yes_before_work_goes_on(job: Estate):
    await quoted(job)

    assert "the quote went to the resident" in (await job.last(ZHOU)).text
    text = await card(job)
    assert "Quote sent: labour ¥120.00 + materials ¥30.00 = ¥150.00" in text
    assert "Waiting for the resident's answer" in text
    assert (await job.last(ENGINEERING)).buttons == [["Hand back"], ["Re-route"]]
    asked = await job.last(ALICE)
    assert "Zhou Qiang finds this work chargeable" in asked and "= ¥150.00" in asked
    assert asked.buttons == [["✅ Agree", "❌ Decline"]]
    assert (await job.ticket("repair")).status == "quoted"
    assert (await job.pending("repair.quote"))["repair.quote_wait"] == local(2026, 9, 22, 10, 0)

    toast = await job.tap(ALICE, "Agree")
    assert toast.text == "Thank you, your answer is recorded."
    assert "you agreed to the quote" in (await job.last(ALICE)).text
    assert "the resident agreed to your quote" in (await job.last(ZHOU)).text
    assert "Quote agreed by the resident: labour ¥120.00" in await card(job)
    assert (await job.ticket("repair")).status == "accepted"
    assert await job.pending("repair.quote") == {}

    again = await job.tap(ALICE, "Agree", message=asked)  # a double tap
    assert again.alert and again.text.startswith("R-0001: this quote has already been answered")


async def test_the_result_form_starts_from_the_agreed_quote_and_the_front_desk_records_payment(
    job: Estate,
):
    await quoted(job)
    await job.tap(ALICE, "Agree")
    job.clock.advance(hours=6)
    assert not (await job.tap(ZHOU, "Done", chat=ENGINEERING)).alert
    await job.send(ZHOU, "Replaced the mixer tap.")
    await job.tap(ZHOU, "Skip")
    ask = (await job.last(ZHOU)).text
    assert "labour ¥120.00, materials ¥30.00. Are the fees as quoted?" in ask
    await job.tap(ZHOU, "As quoted")
    assert "Fees: labour ¥120.00, materials ¥30.00" in (await job.last(ZHOU)).text
    await job.tap(ZHOU, "Submit")

    told = await job.last(ALICE)
    assert "Fees due: ¥150.00. How to pay: at the estate office's front desk." in told
    assert "ask the front desk (+86 21 5555 0100) to add them to your monthly bill" in told
    task = await job.last(FRONT_DESK)
    assert "R-0001 · Alice Chen" in task and "fees of ¥150.00 for paid work" in task
    assert task.buttons == [["💰 Paid at the front desk"], ["🧾 Added to the monthly bill"]]
    assert "¥150.00 unpaid" in await card(job)

    refused = await job.tap(ZHOU, "Paid at the front desk", chat=FRONT_DESK, message=task)
    assert refused.alert and "Only the front desk or a supervisor" in refused.text
    toast = await job.tap(LI, "Added to the monthly bill", chat=FRONT_DESK, message=task)
    assert toast.text == "R-0001: payment recorded."
    assert "🧾 ¥150.00 added to the monthly bill by Li Na" in await card(job)
    assert (await job.last(FRONT_DESK)).buttons == []
    assert "Added to the monthly bill by Li Na." in (await job.last(FRONT_DESK)).text
    assert "the fees of ¥150.00 are added to your monthly bill" in (await job.last(ALICE)).text
    again = await job.tap(LI, "Paid at the front desk", chat=FRONT_DESK, message=task)
    assert again.alert and again.text == "R-0001: the payment is already recorded."
    assert (await job.ticket("repair")).details["payment"]["how"] == "bill"


async def test_other_amounts_than_the_quote_are_typed_and_a_free_job_owes_nothing(job: Estate):
    await quoted(job)
    await job.tap(ALICE, "Agree")
    await job.tap(ZHOU, "Done", chat=ENGINEERING)
    await job.send(ZHOU, "Replaced the mixer tap.")
    await job.tap(ZHOU, "Skip")
    await job.tap(ZHOU, "Other amounts")
    await job.send(ZHOU, "100")
    await job.send(ZHOU, "0")
    assert "Fees: labour ¥100.00, materials ¥0.00" in (await job.last(ZHOU)).text
    mark = await job.mark()
    await job.tap(ZHOU, "Submit")
    assert "Fees due: ¥100.00" in (await job.last(ALICE)).text
    assert len(await job.messages(FRONT_DESK, after=mark)) == 1  # the payment task


async def test_a_declined_quote_stops_the_job_and_the_front_desk_sees_it(job: Estate):
    await quoted(job)
    accepted_card = await job.last(ENGINEERING)
    toast = await job.tap(ALICE, "Decline")
    assert toast.text == "Thank you, your answer is recorded."
    assert "the job is closed without any work" in (await job.last(ALICE)).text
    assert "The job stops here; do not start the work." in (await job.last(ZHOU)).text
    text = await card(job)
    assert "The resident declined the quote" in text and "work stopped" in text
    assert "Status: quote declined, stopped" in text
    assert (await job.last(ENGINEERING)).buttons == []
    desk = (await job.last(FRONT_DESK)).text
    assert desk == (
        "⛔ R-0001: the resident declined the quote (labour ¥120.00 + materials ¥30.00 = "
        "¥150.00); the job stopped without work."
    )
    assert (await job.ticket("repair")).status == "declined"
    assert await job.pending("repair.") == {}  # no visit window, no quote wait

    stale = await job.tap(ZHOU, "Hand back", chat=ENGINEERING, message=accepted_card)
    assert stale.alert and "quote declined, stopped" in stale.text
    assert (await job.ticket("repair")).status == "declined"


async def test_only_the_acceptor_quotes_and_only_the_reporter_answers(job: Estate):
    await job.tap(ZHOU, "Accept", chat=ENGINEERING)
    refused = await job.tap(QIAN, "Quote", chat=ENGINEERING)
    assert refused.alert and "Only the technician who accepted this job" in refused.text
    resident = await job.tap_data(ALICE, "1|rep.quote|1", chat=ENGINEERING)
    assert resident.alert
    await job.tap(ZHOU, "Quote", chat=ENGINEERING)
    await job.send(ZHOU, "80")
    await job.send(ZHOU, "0")
    await job.send(ZHOU, "New cartridge, not covered by the estate.")
    await job.tap(ZHOU, "Submit")
    assert "Note: New cartridge, not covered by the estate." in (await job.last(ALICE)).text

    await register(job, BOB, ("3", "2", "302"))
    forged = await job.tap_data(BOB, "1|rep.agree|1")
    assert forged.alert and forged.text == "That record does not exist."
    by_resident = await job.tap_data(ALICE, "1|rep.qphone|1|1", chat=FRONT_DESK)
    assert by_resident.alert
    assert (await job.ticket("repair")).status == "quoted"


async def test_an_unanswered_quote_becomes_a_phone_task_for_the_front_desk(job: Estate):
    await quoted(job)
    await job.wait_until(local(2026, 9, 22, 10, 0))  # one working day later
    task = await job.last(FRONT_DESK)
    assert "Please call Alice Chen about R-0001" in task
    assert task.buttons == [
        ["📞 Show the phone number"],
        ["✅ Agreed on the phone", "❌ Declined on the phone"],
    ]
    toast = await job.tap(LI, "Agreed on the phone", chat=FRONT_DESK, message=task)
    assert toast.text == "R-0001: recorded."
    assert "Li Na recorded on the phone" in (await job.last(FRONT_DESK)).text
    assert "you agreed to the quote" in (await job.last(ALICE)).text
    assert (await job.ticket("repair")).status == "accepted"
    [quote] = [m for m in await job.messages(ALICE) if "sends you a quote" in m.text]
    assert quote.buttons == [] and "→ ✅ Agreed" in quote.text  # answered: its buttons went
    late = await job.tap_data(ALICE, "1|rep.decline|1")  # the Decline it showed, replayed
    assert late.alert and "already been answered" in late.text


async def test_a_resident_the_bot_cannot_write_to_is_called_about_the_quote_at_once(job: Estate):
    await block(job, ALICE)
    await quoted(job)
    task = await job.last(FRONT_DESK)
    assert "Please call Alice Chen about R-0001" in task and "= ¥150.00" in task
    assert await job.texts(ALICE, after=await job.mark()) == []
    toast = await job.tap(LI, "Declined on the phone", chat=FRONT_DESK, message=task)
    assert toast.text == "R-0001: recorded."
    assert "Li Na recorded on the phone" in (await job.last(FRONT_DESK)).text
    assert (await job.ticket("repair")).status == "declined"


async def test_a_finished_paid_job_is_in_the_monthly_summary_for_finance(job: Estate):
    assert (await job.pending("finance."))["finance.paid_services"] == local(2026, 9, 25, 9, 0)
    await job.tap(ZHOU, "Accept", chat=ENGINEERING)
    await finish_job(job, ZHOU)  # labour 50, materials 35: unpaid
    await report_repair(job, ALICE, description="The bathroom light flickers all the time.")
    await job.tap(QIAN, "Accept", chat=ENGINEERING)
    await finish_job(job, QIAN)
    await job.tap(LI, "Paid at the front desk", chat=FRONT_DESK)  # R-0002's task, the newest
    mark = await job.mark()

    async def summaries() -> list[str]:
        sent = await job.texts(FRONT_DESK, after=mark, reports=True)
        return [text for text in sent if "Paid services" in text]

    await job.wait_until(local(2026, 9, 25, 8, 59))
    assert await summaries() == []
    await job.wait_until(local(2026, 9, 25, 9, 0))
    sent = await summaries()
    assert len(sent) == 1, sent
    summary = sent[0]
    assert "Paid services, Tue, Aug 25 to Fri, Sep 25" in summary
    assert "Jobs: 2 · labour ¥100.00 · materials ¥70.00 · total ¥170.00" in summary
    assert "💰 Paid at the front desk: 1, ¥85.00" in summary
    assert "⏳ Unpaid: 1, ¥85.00" in summary
    assert "R-0001 · Building 3, entrance 2, room 301 · ¥85.00 · unpaid" in summary
    assert "R-0002" not in summary  # paid: nothing for finance to chase or bill
    assert (await job.pending("finance."))["finance.paid_services"] == local(2026, 10, 25, 9, 0)


async def test_the_summary_day_is_the_estates_and_an_empty_month_says_so(open_estate):
    estate = await open_estate(config=estate_config(repairs="paid_summary_day = 10"))
    assert await estate.pending("finance.") == {"finance.paid_services": local(2026, 10, 10, 9)}
    await start(estate, LI)
    await estate.wait_until(local(2026, 10, 10, 9, 0))
    sent = await estate.texts(FRONT_DESK, reports=True)
    assert sent[-1] == "💴 Paid services, Thu, Sep 10 to Sat, Oct 10: no paid work was done."
    assert await estate.pending("finance.") == {"finance.paid_services": local(2026, 11, 10, 9)}


async def test_a_quote_handed_back_with_its_job_no_longer_applies(job: Estate):
    await quoted(job)
    toast = await job.tap(ZHOU, "Hand back", chat=ENGINEERING)
    assert toast.text == "R-0001 is back in the queue."
    late = await job.tap(ALICE, "Agree")
    assert late.alert and "no longer applies" in late.text
    assert (await job.ticket("repair")).status == "open"
    await job.wait_until(local(2026, 9, 22, 10, 0))  # the quote's wait passes: no call
    assert "Please call" not in (await job.last(FRONT_DESK)).text
