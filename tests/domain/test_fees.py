"""Fees: finance's arrears list, checked where the manual checks it (release slips), and the
chase ladder, on the hand-moved clock.

The list goes in as the operator puts it in, through the file reader and the import the
`estate-bot arrears import` command runs.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from handlers.fees.arrears import import_arrears
from handlers.fees.files import read_arrears
from storage.models import TelegramUser

from .harness import ALICE, BOB, FRONT_DESK, LI, SUN, Estate, Person, local, register

HEADER = "unit,fee type,period,amount,due date"


async def arrears(estate: Estate, folder: Path, *lines: str) -> None:
    """Finance's list imported, as `estate-bot arrears import` does it. The notices that
    follow go through the broadcast engine, which waits for Telegram's answers: here Telegram
    takes every message."""
    estate.telegram_takes_everything = True
    path = folder / "arrears.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    read = read_arrears(path)
    assert read.rejected == []
    async with estate.db.uow(estate.estate_id) as uow:
        report = await import_arrears(uow, read.rows)
        await uow.commit()
    assert report.rejected == []


async def block(estate: Estate, person: Person) -> None:
    """The person blocks the bot (the sender marks it so on Telegram's 403)."""
    async with estate.db.uow(estate.estate_id) as uow:
        await uow.session.execute(
            update(TelegramUser)
            .where(TelegramUser.id == person.id)
            .values(blocked_at=estate.clock.now)
        )
        await uow.commit()


async def book_slip(estate: Estate, person: Person) -> str:
    """A release slip from /release to Submit, today in the afternoon; the front desk's card."""
    await estate.send(person, "/release")
    await estate.send(person, "1 sofa")
    await estate.tap(person, "Skip")
    await estate.send(person, estate.clock.today.isoformat())
    await estate.tap(person, "Afternoon")
    await estate.tap(person, "Me")
    await estate.tap(person, "Skip")
    await estate.tap(person, "Submit")
    assert "is with the front desk" in (await estate.last(person)).text
    return (await estate.last(FRONT_DESK)).text


# -- the slip card shows paid / owed -------------------------------------------------------------


async def test_without_an_arrears_list_the_card_says_there_is_no_fee_data(estate: Estate):
    card = await book_slip(estate, ALICE)
    assert "no fee data" in card


async def test_a_home_that_owes_is_a_special_case_for_a_supervisor(estate: Estate, tmp_path: Path):
    await arrears(
        estate,
        tmp_path,
        "3-2-301,water,2026-08,80.50,2026-09-15",
        "3-2-301,management,2026-08,1200,2026-09-15",
    )
    card = await book_slip(estate, ALICE)
    assert "Fees: 1280.50 owed" in card and "special case" in card, card
    toast = await estate.tap(LI, "Approve", chat=FRONT_DESK)
    assert toast.alert and "supervisor decides" in toast.text
    toast = await estate.tap(SUN, "Approve", chat=FRONT_DESK)
    assert not toast.alert, toast


async def test_a_home_that_owes_nothing_shows_paid(estate: Estate, tmp_path: Path):
    await arrears(estate, tmp_path, "5-1-101,gas,2026-08,45,2026-09-15")  # someone else owes
    card = await book_slip(estate, ALICE)
    assert "Fees: nothing owed" in card and "special case" not in card, card
    # Paid since: the next list no longer names the balance.
    await arrears(estate, tmp_path, "3-2-301,gas,2026-08,45,2026-09-15")
    await arrears(estate, tmp_path)
    card = await book_slip(estate, ALICE)
    assert "Fees: nothing owed" in card, card


# -- the chase ladder ----------------------------------------------------------------------------
# Monday 21 September 2026, 10:00. Alice lives at 3-2-301; nobody at 5-1-101 uses the bot.
# Fees due Friday 25 September: the chase notice goes a day later at 10:00 (Saturday 26th), the
# deadline notice 15 days after it (Sunday 11 October), giving 7 days (Sunday 18 October) before
# the late fee of 0.05% a day runs.

OWED = (
    "3-2-301,water,2026-09,80.50,2026-09-25",
    "3-2-301,management,2026-09,1200,2026-09-25",
)


STANDING = {"fee.chase_list", "fee.collection_report"}
"""The fee feature's daily and weekly timers, pending in every estate."""


async def case_timers(estate: Estate) -> dict:
    """The pending timers of the chase ladder (the standing ones left out)."""
    return {k: v for k, v in (await estate.pending("fee.")).items() if k not in STANDING}


async def ladder(estate: Estate, folder: Path, *lines: str) -> None:
    await arrears(estate, folder, *lines)
    await estate.wait_until(estate.clock.now)  # the scheduler picks the import up, sends


async def test_stage_1_the_payment_notice_goes_to_every_resident_of_a_unit_that_owes(
    estate: Estate, tmp_path: Path
):
    await register(estate, BOB, ("5", "1", "101"))  # owes nothing: hears nothing
    mark = await estate.mark()
    await ladder(estate, tmp_path, *OWED)
    (notice,) = await estate.messages(ALICE, after=mark)
    for line in (
        "Payment notice for Building 3, entrance 2, room 301",
        "Water, 2026-09: ¥80.50, due",
        "Management fee, 2026-09: ¥1200.00, due",
        "Total owed: ¥1280.50",
        "How to pay: at the estate office's front desk.",
        "F-0001",
    ):
        assert line in notice.text, (line, notice.text)
    assert notice.buttons == [["✅ I have paid"]]
    assert await estate.messages(BOB, after=mark) == []
    assert (await estate.ticket("fee")).status == "notice"
    # A re-import of the same list opens no second case and sends nothing again.
    await ladder(estate, tmp_path, *OWED)
    assert len(await estate.messages(ALICE, after=mark)) == 1


async def test_a_chinese_reader_gets_the_notice_in_chinese(open_estate, tmp_path: Path):
    estate = await open_estate()
    chen = Person(305, "陈", None, "zh-hans", "+8613800000005")
    await register(estate, chen)
    await ladder(estate, tmp_path, *OWED)
    notice = await estate.last(chen)
    assert "缴费通知" in notice.text and "水费，2026-09：¥80.50" in notice.text, notice.text
    assert notice.buttons == [["✅ 我已缴费"]]


async def test_stages_2_and_3_while_the_unit_still_owes(estate: Estate, tmp_path: Path):
    await ladder(estate, tmp_path, *OWED)
    assert await case_timers(estate) == {"fee.chase": local(2026, 9, 26, 10)}
    mark = await estate.mark()
    await estate.wait_until(local(2026, 9, 26, 10))
    (chase,) = await estate.messages(ALICE, after=mark)
    assert "Reminder for Building 3, entrance 2, room 301: these fees are overdue" in chase
    assert "Total owed: ¥1280.50" in chase and chase.buttons == [["✅ I have paid"]]
    assert (await estate.ticket("fee")).status == "chase"
    assert await case_timers(estate) == {"fee.deadline": local(2026, 10, 11, 10)}

    # Finance's next list: the water is paid, the management fee still owed.
    await ladder(estate, tmp_path, OWED[1])
    mark = await estate.mark()
    await estate.wait_until(local(2026, 10, 11, 10))
    (deadline,) = await estate.messages(ALICE, after=mark)
    assert "Deadline notice for Building 3, entrance 2, room 301" in deadline
    assert "Water" not in deadline.text and "Total owed: ¥1200.00" in deadline
    assert (
        "From Sun, Oct 18 a late fee of 0.05% of the amount owed runs each day: ¥0.60 a day"
        in deadline
    ), deadline.text
    assert (await estate.ticket("fee")).status == "deadline"
    assert await case_timers(estate) == {"fee.officer_visit": local(2026, 10, 18, 10)}


async def test_a_unit_that_pays_before_the_chase_hears_no_more(estate: Estate, tmp_path: Path):
    await ladder(estate, tmp_path, *OWED)
    await ladder(estate, tmp_path)  # the next list names nothing: paid
    assert (await estate.ticket("fee")).status == "settled"
    mark = await estate.mark()
    await estate.wait_until(local(2026, 10, 31))
    assert await estate.messages(ALICE, after=mark) == []


async def test_i_have_paid_and_finance_confirms(estate: Estate, tmp_path: Path):
    await ladder(estate, tmp_path, *OWED)
    toast = await estate.tap(ALICE, "I have paid")
    assert "Finance will check" in toast.text
    card = await estate.last(FRONT_DESK)  # the test estate has no finance group
    assert "F-0001, Building 3, entrance 2, room 301: a resident says they have paid" in card
    assert "Said by: Alice Chen" in card and "Total owed: ¥1280.50" in card
    assert card.buttons == [["✅ Confirm", "✖️ Not received"]]
    toast = await estate.tap(LI, "Confirm", chat=FRONT_DESK)  # front desk: not finance
    assert toast.alert and "Only finance or a supervisor" in toast.text
    mark = await estate.mark()
    toast = await estate.tap(SUN, "Confirm", chat=FRONT_DESK)
    assert not toast.alert and "payment confirmed" in toast.text
    assert "Confirmed by Sun Li: settled." in (await estate.last(FRONT_DESK)).text
    assert await estate.texts(ALICE, after=mark) == [
        "✅ Your payment for Building 3, entrance 2, room 301 is confirmed. Thank you!"
    ]
    assert (await estate.ticket("fee")).status == "settled"
    assert await case_timers(estate) == {}
    # The slip card now shows the home paid, and the ladder has stopped.
    assert "Fees: nothing owed" in await book_slip(estate, ALICE)
    mark = await estate.mark()
    await estate.wait_until(local(2026, 10, 31))
    assert await estate.messages(ALICE, after=mark) == []


async def test_i_have_paid_but_finance_did_not_receive_it(estate: Estate, tmp_path: Path):
    await ladder(estate, tmp_path, *OWED)
    await estate.tap(ALICE, "I have paid")
    mark = await estate.mark()
    toast = await estate.tap(SUN, "Not received", chat=FRONT_DESK)
    assert not toast.alert, toast
    assert "Not received (checked by Sun Li)" in (await estate.last(FRONT_DESK)).text
    (sorry,) = await estate.messages(ALICE, after=mark)
    assert "We are sorry: finance has not received your payment" in sorry
    assert "How to pay" in sorry
    # The ladder goes on.
    assert (await estate.ticket("fee")).status == "notice"
    await estate.wait_until(local(2026, 9, 26, 10))
    assert "these fees are overdue" in (await estate.last(ALICE)).text
    # And Alice may say so again.
    assert "Finance will check" in (await estate.tap(ALICE, "I have paid")).text


async def test_a_unit_with_nobody_to_write_to_is_a_visit_task(estate: Estate, tmp_path: Path):
    await register(estate, BOB, ("5", "1", "101"))
    await block(estate, BOB)
    mark = await estate.mark()
    await ladder(
        estate,
        tmp_path,
        "5-1-101,gas,2026-09,45,2026-09-25",  # Bob blocked the bot
        "7-1-702,water,2026-09,30,2026-09-25",  # nobody registered
    )
    tasks = await estate.texts(FRONT_DESK, after=mark)
    assert [t.splitlines()[0] for t in tasks] == [
        "🚪 F-0001: nobody at Building 5, entrance 1, room 101 can be written to in the bot; "
        "please deliver the payment notice in person.",
        "🚪 F-0002: nobody at Building 7, entrance 1, room 702 can be written to in the bot; "
        "please deliver the payment notice in person.",
    ]
    assert "Gas, 2026-09: ¥45.00" in tasks[0]
    await estate.wait_until(local(2026, 9, 26, 10))
    assert "deliver the chase notice in person" in (await estate.last(FRONT_DESK)).text
