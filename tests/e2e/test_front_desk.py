"""The front desk follows every repair, end to end: its morning digest, /queue of every
department in its group, and moving a job to another department from its card. When the digest
falls (08:30 on working days) is tested in tests/domain/test_front_desk.py."""

from __future__ import annotations

import pytest

from .conftest import BotProcess, Estate, register_on_roster, start_staff
from .test_repairs import accepted_by, actions, as_json, data_of, reported

pytestmark = pytest.mark.e2e


async def test_the_morning_digest_and_queue_show_the_front_desk_every_departments_jobs(
    estate: Estate, bot: BotProcess
):
    alice, desk = estate.alice, estate.front_desk
    await register_on_roster(alice)
    await start_staff(estate.zhou)
    first = await reported(estate, alice)
    card = await estate.engineering.wait_for_message(containing=f"Repair {first}")
    assert "Open jobs: Qian Wei 0 · Zhou Qiang 0" in card.text
    await accepted_by(estate.zhou, card, estate.engineering)
    second = await reported(
        estate, alice, category="Other", description="The mailbox lock is stuck."
    )
    await desk.wait_for_message(containing=f"Repair {second}")  # "Other" is the front desk's

    assert await estate.fast_forward("desk.repair_digest") == 1
    digest = await desk.wait_for_message(containing="☀️ Repairs")
    lines = digest.text.splitlines()
    assert lines[0].endswith(": 2 open jobs"), lines
    assert "waiting to be accepted: 1" in lines and "accepted: 1" in lines
    assert "Under a day old: 2" in lines
    oldest = lines[lines.index("Oldest first:") + 1 :]
    assert oldest[0].startswith(f"Engineering · {first}: accepted") and "Zhou Qiang" in oldest[0]
    assert oldest[1].startswith(f"Front desk · {second}: waiting to be accepted"), oldest
    assert await estate.query(
        "select count(*) from timers where kind = 'desk.repair_digest' and status = 'pending'"
    ) == [(1,)]  # tomorrow's is planned

    await desk.send(estate.li, "/queue")
    listing = await desk.wait_for_message(containing="every department")
    lines = listing.text.splitlines()
    assert lines[0] == "2 open jobs, every department", lines
    assert len(lines) == 5 and lines[1] == "Engineering (1)" and lines[3] == "Front desk (1)"
    assert lines[2].startswith(f"{first}: accepted") and lines[4].startswith(second), lines


async def test_the_front_desk_moves_a_job_to_another_department_and_a_technician_cannot(
    estate: Estate, bot: BotProcess
):
    alice, li, zhou, engineering = estate.alice, estate.li, estate.zhou, estate.engineering
    await register_on_roster(alice)
    await start_staff(li)
    number = await reported(estate, alice)
    card = await engineering.wait_for_message(containing=f"Repair {number}")
    assert card.buttons == [["Accept"], ["Re-route"]]
    accept, reroute = data_of(card, "Accept"), data_of(card, "Re-route")

    answer = await zhou.click("Re-route", message=card)  # a technician may not move a job
    assert answer.show_alert and "Only the front desk or a supervisor" in (answer.text or "")

    answer = await li.click("Re-route", message=card)
    assert not answer.show_alert, answer
    ask = await li.wait_for_message(containing="which department should take this job")
    labels = [label for row in ask.buttons for label in row]
    assert labels == ["Front desk", "Security", "Finance"], labels  # not Engineering, not managers
    await li.click("Security", message=ask)
    await li.wait_for_message(containing="Why does it move")
    await li.send("The gate intercom is security's, not engineering's.")
    summary = await li.wait_for_message(containing="Move the job?")
    await li.click("Submit", message=summary)
    await li.wait_for_message(containing=f"{number} moved to Security")

    moved = await estate.security.wait_for_message(containing=f"Repair {number}")
    assert "Moved here from Engineering: The gate intercom" in moved.text
    assert moved.buttons == [["Accept"], ["Re-route"]]
    await engineering.wait_for_message(containing="Moved to Security by Li Na")
    assert card.buttons == []
    told = await alice.wait_for_message(containing="passed to Security")
    assert told.text.count("\n") == 0  # one line for the resident

    rows = await estate.query("select status, department_key from tickets")
    assert rows == [("open", "security")]
    assert (await actions(estate))[-1] == "repair.rerouted"
    (data,) = await estate.query("select data from events where action = 'repair.rerouted'")
    moved_data = as_json(data[0])
    assert (moved_data["from"], moved_data["to"]) == ("engineering", "security")

    answer = await zhou.click_data(accept, message=card)  # engineering's old card, replayed
    assert answer.show_alert and "another department" in (answer.text or "")
    answer = await zhou.click_data(reroute, message=card)
    assert answer.show_alert and "Only the front desk or a supervisor" in (answer.text or "")
    assert await estate.query("select status, department_key from tickets") == [
        ("open", "security")
    ]
