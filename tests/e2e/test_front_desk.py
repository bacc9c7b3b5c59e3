"""The front desk follows every repair, end to end: its morning digest, and /queue of every
department in its group. When the digest falls (08:30 on working days) is tested in
tests/domain/test_front_desk.py."""

from __future__ import annotations

import pytest

from .conftest import BotProcess, Estate, register_on_roster, start_staff
from .test_repairs import accepted_by, reported

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
