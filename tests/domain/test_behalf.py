"""Recording on someone's behalf is decided at submit as well as at /record: a role taken away
while the form is open records nothing; a typo in the unit records nothing and says what to type;
the form's summary speaks to staff in their terms, not the resident's.
"""

from __future__ import annotations

from sqlalchemy import select, update

from storage.models import Staff, Ticket

from .harness import LI, Estate


async def open_repair_for(estate: Estate, unit: str) -> None:
    await estate.send(LI, "/record")
    await estate.tap(LI, "A repair")
    await estate.tap(LI, "By phone")
    await estate.tap(LI, "A home")
    await estate.send(LI, unit)


async def fill_repair(estate: Estate, *, submit: bool = True) -> None:
    await estate.tap(LI, "Water and drains")
    await estate.tap(LI, "Building 3")
    await describe_repair(estate, submit=submit)


async def describe_repair(estate: Estate, *, submit: bool = True) -> None:
    """The repair form from its description to the summary, and Submit if `submit`."""
    await estate.send(LI, "The kitchen sink leaks under the cabinet.")
    await estate.tap(LI, "Skip")
    await estate.tap(LI, "Normal")
    await estate.send(LI, estate.clock.today.isoformat())
    await estate.tap(LI, "Evening")
    if submit:
        await estate.tap(LI, "Submit")


async def tickets(estate: Estate) -> list[Ticket]:
    async with estate.db.uow(estate.estate_id) as uow:
        return list(await uow.session.scalars(select(Ticket)))


async def test_a_front_desk_role_taken_away_mid_form_records_nothing(estate: Estate):
    await open_repair_for(estate, "3-2-301")
    assert "Recording a repair for" in "\n".join(await estate.texts(LI))
    async with estate.db.uow(estate.estate_id) as uow:
        await uow.session.execute(
            update(Staff).where(Staff.telegram_user_id == LI.id).values(role="technician")
        )
        await uow.commit()

    await fill_repair(estate)

    assert "is for the front desk" in (await estate.last(LI)).text
    assert await tickets(estate) == []


async def test_a_unit_not_on_record_ends_the_form_saying_how_to_type_it(estate: Estate):
    await open_repair_for(estate, "3-2-999")

    said = (await estate.last(LI)).text
    assert "no such unit on record" in said and "3-2-301" in said, said
    await estate.send(LI, "The kitchen sink leaks.")  # the form is over: not taken as an answer
    assert await tickets(estate) == []


async def test_staff_read_a_recorded_repairs_summary_in_their_own_terms(estate: Estate):
    await open_repair_for(estate, "3-2-301")
    await fill_repair(estate, submit=False)

    summary = (await estate.last(LI)).text
    assert summary.startswith("Repair request recorded for Building 3, entrance 2, room 301\n"), (
        summary
    )
    assert "Your repair request" not in summary


async def record_lobby_leak(estate: Estate) -> None:
    """Li records a leak phoned in about the lift lobby, up to the place."""
    await estate.send(LI, "/record")
    await estate.tap(LI, "A repair")
    await estate.tap(LI, "By phone")
    await estate.tap(LI, "common area")
    await estate.tap(LI, "Water and drains")
    await estate.tap(LI, "common area")
    await estate.send(LI, "Lift lobby of building 3")


async def test_staff_adding_a_call_to_a_job_already_open_are_told_so_in_their_terms(
    estate: Estate,
):
    await record_lobby_leak(estate)
    await describe_repair(estate)
    assert "R-0001 is recorded for a common area" in (await estate.last(LI)).text

    await record_lobby_leak(estate)  # a second caller about the same leak
    await estate.tap(LI, "Join R-0001")

    said = (await estate.last(LI)).text
    assert said == (
        "Added to R-0001, which is already being handled there. Nothing new was registered."
    )
    assert len(await tickets(estate)) == 1
