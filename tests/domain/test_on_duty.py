"""The on-duty group (中控室) outside office hours: the manual sends a complaint that comes in
after the office closed to the control room at once; the duty staff record it, and customer
service follows it up the next day.

The estate works Monday to Friday 09:00-18:00 (Shanghai) and names a control room as its
on-duty group, where Guo is on duty. Monday 21 September 2026 at 22:00 is a night; Tuesday at
09:00 the office opens again.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from .conftest import OpenEstate
from .harness import (
    ALICE,
    CONTROL_ROOM,
    ENGINEERING,
    FRONT_DESK,
    GUO,
    LI,
    SUN,
    ZHOU,
    Estate,
    estate_config,
    file_complaint,
    local,
    register,
    report_repair,
    start_staff,
)

NIGHT = local(2026, 9, 21, 22, 0)  # Monday, four hours after the office closed
TUESDAY = date(2026, 9, 22)
OPENING = local(2026, 9, 22, 9, 0)  # Tuesday, as the office opens
NIGHT_CARD = "🌙 Outside office hours: {} for the on-duty group"


async def on_duty_estate(open_estate: OpenEstate, at: datetime = NIGHT, **config: bool) -> Estate:
    """An estate with a control room, opened at `at`: Alice registered, Li, Sun and Guo have
    opened their private chats with the bot."""
    estate = await open_estate(at, estate_config(on_duty=True, **config))
    await register(estate, ALICE)
    for person in (LI, SUN, GUO):
        await start_staff(estate, person)
    return estate


async def test_a_complaint_at_night_goes_to_the_on_duty_group_at_once(open_estate: OpenEstate):
    estate = await on_duty_estate(open_estate)
    mark = await estate.mark()
    assert await file_complaint(estate, ALICE) == "C-0001"

    [card] = await estate.messages(CONTROL_ROOM)
    assert card.text.startswith(NIGHT_CARD.format("C-0001")), card.text
    assert "What happened: Loud drilling from 502" in card.text
    assert card.buttons == [["✅ Received"]]  # the triage stays with the front desk
    [front_desk] = await estate.messages(FRONT_DESK, after=mark)  # which still gets its card
    assert front_desk.text.startswith("📣 Complaint C-0001"), front_desk.text
    assert front_desk.buttons[0] == ["Major", "Important", "Minor"]


async def test_an_urgent_repair_at_night_goes_to_the_on_duty_group_an_ordinary_one_does_not(
    open_estate: OpenEstate,
):
    estate = await on_duty_estate(open_estate)
    assert await report_repair(estate, ALICE, urgent=True, day=TUESDAY) == "R-0001"
    assert await report_repair(estate, ALICE, day=TUESDAY, description="The hall light flickers.")

    [card] = await estate.messages(CONTROL_ROOM)
    assert card.text.startswith(NIGHT_CARD.format("R-0001")), card.text
    assert "URGENT repair R-0001" in card.text
    assert card.buttons == [["✅ Received"]]
    assert len(await estate.messages(ENGINEERING)) == 2  # both cards in engineering's group


async def test_in_office_hours_the_on_duty_group_gets_nothing(open_estate: OpenEstate):
    estate = await on_duty_estate(open_estate, local(2026, 9, 21, 10, 0))
    await file_complaint(estate, ALICE)
    await report_repair(estate, ALICE, urgent=True)
    await estate.wait(minutes=15)  # the urgent job's escalation, in office hours
    assert "has not been accepted" in (await estate.last(SUN)).text
    assert await estate.messages(CONTROL_ROOM) == []


async def test_without_an_on_duty_group_a_night_complaint_goes_to_the_front_desk_only(
    open_estate: OpenEstate,
):
    estate = await open_estate(NIGHT)
    await register(estate, ALICE)
    await file_complaint(estate, ALICE)
    assert await estate.messages(CONTROL_ROOM) == []
    assert (await estate.last(FRONT_DESK)).text.startswith("📣 Complaint C-0001")
    assert await estate.pending("on_duty.") == {}


async def test_an_urgent_repair_not_accepted_at_night_is_escalated_to_the_on_duty_group(
    open_estate: OpenEstate,
):
    estate = await on_duty_estate(open_estate)
    await report_repair(estate, ALICE, urgent=True, day=TUESDAY)
    mark = await estate.mark()
    await estate.wait(minutes=15)
    said = "⏰ R-0001 has not been accepted after 15 min."
    assert await estate.texts(CONTROL_ROOM, after=mark) == [said]
    assert await estate.texts(SUN, after=mark) == [said]  # the supervisor is told as always


@pytest.mark.parametrize(
    ("triaged", "breach", "on_duty_told"),
    [
        pytest.param(local(2026, 9, 21, 17, 0), local(2026, 9, 21, 19, 0), True, id="night"),
        pytest.param(local(2026, 9, 21, 10, 0), local(2026, 9, 21, 12, 0), False, id="day"),
    ],
)
async def test_a_complaint_deadline_passing_at_night_is_escalated_to_the_on_duty_group(
    open_estate: OpenEstate, triaged: datetime, breach: datetime, on_duty_told: bool
):
    estate = await on_duty_estate(open_estate, triaged)
    await file_complaint(estate, ALICE)
    assert not (await estate.tap(LI, "Minor", chat=FRONT_DESK)).alert  # first reply within 2h
    mark = await estate.mark()
    await estate.wait_until(breach)
    said = "⚠️ C-0001 (owner Li Na) missed its first-reply deadline."
    assert said in await estate.texts(SUN, after=mark)
    assert await estate.texts(CONTROL_ROOM, after=mark) == ([said] if on_duty_told else [])


@pytest.mark.parametrize(
    ("reported", "due"),
    [
        # Two working hours: from Tuesday's opening, not through the night.
        pytest.param(NIGHT, local(2026, 9, 22, 11, 0), id="night"),
        # Half an hour before closing, an hour and a half after the next opening.
        pytest.param(local(2026, 9, 21, 17, 30), local(2026, 9, 22, 10, 30), id="evening"),
        pytest.param(local(2026, 9, 21, 10, 0), local(2026, 9, 21, 12, 0), id="day"),
    ],
)
async def test_an_ordinary_repair_escalates_in_office_hours_only(
    open_estate: OpenEstate, reported: datetime, due: datetime
):
    estate = await on_duty_estate(open_estate, reported)
    await report_repair(estate, ALICE, day=TUESDAY)
    assert await estate.pending("repair.") == {"repair.accept_sla": due}
    mark = await estate.mark()
    await estate.wait_until(due - (due - reported) / 100)
    assert await estate.texts(SUN, after=mark) == []
    await estate.wait_until(due)
    assert [t for t in await estate.texts(SUN, after=mark) if "not been accepted" in t]
    assert await estate.messages(CONTROL_ROOM) == []  # nor did the control room hear of it


@pytest.mark.parametrize(
    ("urgent", "reported_at"),
    [
        (False, local(2026, 9, 23, 9, 0)),  # Wednesday, as the office opens
        (True, local(2026, 9, 22, 20, 0)),  # Tuesday, as the evening window ends
    ],
)
async def test_a_missed_evening_window_is_reported_in_office_hours_unless_urgent(
    open_estate: OpenEstate, urgent: bool, reported_at: datetime
):
    estate = await on_duty_estate(open_estate, OPENING)
    await start_staff(estate, ZHOU)
    await report_repair(estate, ALICE, urgent=urgent, day=TUESDAY, slot="Evening")
    await estate.tap(ZHOU, "Accept", chat=ENGINEERING)
    assert (await estate.pending("repair."))["repair.window_end"] == reported_at

    mark = await estate.mark()
    await estate.wait_until(local(2026, 9, 22, 20, 0))  # the window ends, the job not done
    passed = "the agreed visit window has passed"
    assert [t for t in await estate.texts(SUN, after=mark) if passed in t] == (
        [] if not urgent else [f"⏰ R-0001 (accepted by Zhou Qiang) is not done and {passed}."]
    )
    await estate.wait_until(local(2026, 9, 23, 9, 0))
    assert len([t for t in await estate.texts(SUN, after=mark) if passed in t]) == 1
    assert len([t for t in await estate.texts(ALICE, after=mark) if "did not come" in t]) == 1


async def test_the_on_duty_staff_record_that_they_received_it(open_estate: OpenEstate):
    estate = await on_duty_estate(open_estate)
    await file_complaint(estate, ALICE)
    [card] = await estate.messages(CONTROL_ROOM)
    [[received]] = card.callback_data

    refused = await estate.tap(ZHOU, "Received", chat=CONTROL_ROOM)  # a technician may not
    assert refused.alert and refused.text == (
        "Only the on-duty staff or a supervisor can receive this."
    )
    estate.clock.set(local(2026, 9, 21, 22, 5))
    toast = await estate.tap(GUO, "Received", chat=CONTROL_ROOM)
    assert toast.text == "C-0001 is recorded as received by you." and not toast.alert

    [card] = await estate.messages(CONTROL_ROOM)  # edited in place, without its button
    assert card.text.endswith("✅ Received by Guo Min at 9/21/26, 10:05 PM"), card.text
    assert card.buttons == []
    again = await estate.tap_data(SUN, received, chat=CONTROL_ROOM)  # the old button, replayed
    assert again.alert and again.text == "C-0001 was already received by Guo Min."


async def test_the_front_desk_gets_the_hand_over_as_the_office_opens(open_estate: OpenEstate):
    estate = await on_duty_estate(open_estate)
    assert await estate.pending("on_duty.") == {"on_duty.handover": OPENING}
    await file_complaint(estate, ALICE)
    await estate.tap(GUO, "Received", chat=CONTROL_ROOM)
    await report_repair(estate, ALICE, urgent=True, day=TUESDAY)
    await report_repair(estate, ALICE, day=TUESDAY, description="The hall light flickers.")

    mark = await estate.mark()
    await estate.wait_until(OPENING)
    [handover] = [t for t in await estate.texts(FRONT_DESK, after=mark) if t.startswith("🌅")]
    assert handover.splitlines() == [
        "🌅 Hand-over from the on-duty group: 2 came in outside office hours",
        "C-0001 · complaint · waiting for triage · received by Guo Min at 9/21/26, 10:00 PM",
        "R-0001 · urgent repair · waiting to be accepted · nobody on duty tapped Received",
        "Customer service follows up each of them today.",
    ]
    # The next one is planned for Wednesday's opening; a quiet night sends nothing.
    assert await estate.pending("on_duty.") == {"on_duty.handover": local(2026, 9, 23, 9, 0)}
    mark = await estate.mark()
    await estate.wait_until(local(2026, 9, 23, 9, 0))
    assert not [t for t in await estate.texts(FRONT_DESK, after=mark) if t.startswith("🌅")]
    assert await estate.pending("on_duty.") == {"on_duty.handover": local(2026, 9, 24, 9, 0)}
