"""The on-duty group (中控室), end to end: a complaint filed while the office is closed reaches the
control room's group at once, where the manager on duty records that they received it.

The bot runs on the real clock, so this estate's office is closed today (a holiday of its own,
with the days either side, whatever the hour); when things fall at night against office hours,
and the morning hand-over, are tested in tests/domain.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .conftest import (
    BotProcess,
    Estate,
    file_complaint,
    register_on_roster,
    write_config,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
async def estate(estate: Estate) -> Estate:
    """The shared estate with a control room as its on-duty group, and its office closed now."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    closed = ", ".join(f'"{today + timedelta(days=n)}"' for n in (-1, 0, 1))
    estate.calendar = [f"extra_holidays = [{closed}]"]
    estate.control_room = estate.sandbox.add_group("Control room")
    write_config(estate)
    return estate


async def test_a_complaint_filed_while_the_office_is_closed_reaches_the_on_duty_group(
    estate: Estate, bot: BotProcess
):
    assert estate.control_room is not None
    alice, sun, room = estate.alice, estate.sun, estate.control_room
    await register_on_roster(alice)
    assert await file_complaint(estate, alice) == "C-0001"

    card = await room.wait_for_message(containing="Outside office hours: C-0001")
    assert "What happened: Loud drilling from 502" in card.text, card.text
    assert card.buttons == [["✅ Received"]]
    await estate.front_desk.wait_for_message(containing="Complaint C-0001")  # its own card too

    refused = await estate.zhou.click("Received", message=card)  # a technician may not
    assert refused.show_alert and "Only the on-duty staff" in (refused.text or ""), refused
    answer = await sun.click("Received", message=card)  # the manager on duty
    assert not answer.show_alert, answer
    assert answer.text == "C-0001 is recorded as received by you.", answer
    await room.wait_for_message(containing="Received by Sun Li at")
    assert card.buttons == [], card.buttons
    rows = await estate.query("select action from events where action like 'on_duty.%' order by id")
    assert rows == [("on_duty.taken",), ("on_duty.received",)]
