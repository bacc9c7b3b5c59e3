"""Fees: finance's arrears list, checked where the manual checks it (release slips), and the
chase ladder, on the hand-moved clock.

The list goes in as the operator puts it in, through the file reader and the import the
`estate-bot arrears import` command runs.
"""

from __future__ import annotations

from pathlib import Path

from bot.arrears_files import read_arrears
from handlers.fees.arrears import import_arrears

from .harness import ALICE, FRONT_DESK, LI, SUN, Estate, Person

HEADER = "unit,fee type,period,amount,due date"


async def arrears(estate: Estate, folder: Path, *lines: str) -> None:
    """Finance's list imported, as `estate-bot arrears import` does it."""
    path = folder / "arrears.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    read = read_arrears(path)
    assert read.rejected == []
    async with estate.db.uow(estate.estate_id) as uow:
        report = await import_arrears(uow, read.rows)
        await uow.commit()
    assert report.rejected == []


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
