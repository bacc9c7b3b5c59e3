"""What /help tells a resident: the commands the features declare, and the front desk's phone."""

from __future__ import annotations

from .harness import ALICE, Estate


async def test_a_resident_sees_every_feature_command_and_the_front_desk_phone(job: Estate):
    await job.send(ALICE, "/help")
    said = (await job.last(ALICE)).text
    for line in (
        "/repair – Report a repair",
        "/complain – Make a complaint",
        "/release – Book a release slip",
        "/my – My requests",
        "call the front desk: +86 21 5555 0100",
    ):
        assert line in said, (line, said)
