"""The sender keeps Telegram's overall limit as Telegram counts it (30 messages in any sliding
second) without spacing out the messages of a quiet moment: the sandbox here answers 429 as
Telegram does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox import SandboxServer
from handlers.messages import message, verbatim

from .conftest import Desk

pytestmark = pytest.mark.filterwarnings("ignore:Please use 'Bot:telegram.warnings.PTBUserWarning")


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer(strict_limits=True) as server:
        yield server


async def test_a_burst_goes_at_once_and_no_sliding_second_carries_more_than_30(
    sandbox: SandboxServer, desk: Desk
) -> None:
    residents = [sandbox.add_user(f"Resident {n}") for n in range(45)]
    for resident in residents:
        await desk.send(resident.id, message(verbatim(f"Notice for {resident.full_name}")))

    delivered = 0
    while delivered < len(residents):
        delivered += await desk.sender.deliver_due()

    sends = sandbox.calls_to("sendMessage")
    assert [call.status for call in sends] == [200] * len(residents)  # not one 429
    moments = sorted(call.received_at for call in sends)
    busiest = max(sum(1 for m in moments if start <= m < start + 1.0) for start in moments)
    assert busiest == 30
    assert moments[29] - moments[0] < 0.5  # the first 30 were not spaced out
    assert all(len(resident.messages) == 1 for resident in residents)
