"""Handing over: a unit of work claims its private replies in its own transaction and the sender
sends them as it commits, with no pass to find them; a chat's order and a message's latest
state hold as for any row, and what cannot be handed over goes through the passes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.sandbox import SandboxServer, SandboxUser
from handlers.messages import message, verbatim
from storage.repositories.outbox import PENDING, SENDING, SENT

from .conftest import Desk


@pytest.fixture
async def handing(desk: Desk, alice: SandboxUser) -> AsyncIterator[Desk]:
    """The desk's database wired as the running bot wires it, and Alice known to the bot."""
    desk.db.hand_off = desk.sender.takes_hand_off
    desk.db.commit_listeners.append(desk.sender.committed)
    await known(desk, alice)
    yield desk
    await asyncio.gather(*desk.sender._handing)


async def known(desk: Desk, *people: SandboxUser, blocked: bool = False) -> None:
    """The bot has seen these people (and, `blocked`, learnt they blocked it)."""
    async with desk.db.uow(desk.estate_id) as uow:
        for person in people:
            user = await uow.people.seen(
                person.id,
                first_name=person.first_name,
                last_name=None,
                username=None,
                language_code="en",
            )
            if blocked:
                user.blocked_at = uow.now
        await uow.commit()


async def settled(desk: Desk) -> None:
    """Wait for the handed-over rows being sent (a task each) to be sent and recorded."""
    await asyncio.gather(*desk.sender._handing)


async def test_a_reply_goes_out_on_commit_without_a_pass(handing: Desk, alice: SandboxUser) -> None:
    async with handing.db.uow(handing.estate_id) as uow:
        first = await uow.outbox.send(alice.id, message(verbatim("Which building?")))
        second = await uow.outbox.send(alice.id, message(verbatim("Tap one below.")))
        assert (await uow.outbox.get(first)).status == SENDING  # claimed as it was decided
        await uow.commit()
    await settled(handing)
    assert [m.text for m in alice.messages] == ["Which building?", "Tap one below."]
    assert [await handing.status(row) for row in (first, second)] == [SENT, SENT]
    assert (await handing.row(first)).telegram_message_id == alice.messages[0].message_id


async def test_an_older_row_waiting_goes_first(handing: Desk, alice: SandboxUser) -> None:
    handing.db.hand_off = lambda: False  # written by another process: left for the passes
    await handing.send(alice.id, message(verbatim("Notice: water off on Friday")))
    handing.db.hand_off = handing.sender.takes_hand_off
    newer = await handing.send(alice.id, message(verbatim("Which building?")))
    await settled(handing)
    assert await handing.status(newer) == PENDING  # not handed over: it would overtake
    assert alice.messages == []

    assert await handing.sender.deliver_due() == 2
    assert [m.text for m in alice.messages] == ["Notice: water off on Friday", "Which building?"]


async def test_a_message_edited_in_the_same_unit_goes_once_in_its_latest_state(
    handing: Desk, alice: SandboxUser, sandbox: SandboxServer
) -> None:
    async with handing.db.uow(handing.estate_id) as uow:
        sent = await uow.outbox.send(alice.id, message(verbatim("Summary: draft")))
        assert await uow.outbox.edit(sent, message(verbatim("Summary: submitted"))) == sent
        await uow.commit()
    await settled(handing)
    assert [m.text for m in alice.messages] == ["Summary: submitted"]
    assert sandbox.calls_to("editMessageText") == []

    async with handing.db.uow(handing.estate_id) as uow:  # sent now: an edit, handed over too
        edit = await uow.outbox.edit(sent, message(verbatim("Summary: approved")))
        await uow.commit()
    await settled(handing)
    assert await handing.status(edit) == SENT
    assert [m.text for m in alice.messages] == ["Summary: approved"]


async def test_a_429_puts_the_handed_row_back_for_a_pass(
    handing: Desk, alice: SandboxUser, sandbox: SandboxServer
) -> None:
    sandbox.fail_next("sendMessage", status=429, retry_after=1)
    async with handing.db.uow(handing.estate_id) as uow:
        first = await uow.outbox.send(alice.id, message(verbatim("Which building?")))
        second = await uow.outbox.send(alice.id, message(verbatim("Tap one below.")))
        await uow.commit()
    await settled(handing)
    assert [await handing.status(row) for row in (first, second)] == [PENDING, PENDING]
    assert alice.messages == []

    handing.clock.now += timedelta(seconds=1)
    handing.sender._paused_until = 0.0  # Telegram's pause is over (real time, not waited out)
    assert await handing.sender.deliver_due() == 2
    assert [m.text for m in alice.messages] == ["Which building?", "Tap one below."]


@pytest.mark.parametrize("other", ["group card", "blocked", "fifth chat"])
async def test_a_unit_with_anything_for_the_passes_goes_through_them_in_order(
    handing: Desk, alice: SandboxUser, sandbox: SandboxServer, other: str
) -> None:
    """A reply sent before a group's card in the same decision does not overtake it (a crash
    between the two would otherwise leave the card to be sent again after the reply)."""
    group = sandbox.add_group("Front desk")
    gone = sandbox.add_user("Blocked the bot")
    residents = [sandbox.add_user(f"Resident {n}") for n in range(3)]
    fifth = sandbox.add_user("Resident 4")
    await known(handing, gone, blocked=True)
    await known(handing, *residents, fifth)
    async with handing.db.uow(handing.estate_id) as uow:
        rows = [await uow.outbox.send(alice.id, message(verbatim("Sent to the front desk")))]
        rows += [await uow.outbox.send(p.id, message(verbatim("Notice"))) for p in residents]
        if other == "group card":
            rows.append(await uow.outbox.send(group.id, message(verbatim("Card")), group=True))
        elif other == "blocked":
            rows.append(await uow.outbox.send(gone.id, message(verbatim("Notice"))))
        else:
            rows.append(await uow.outbox.send(fifth.id, message(verbatim("Notice"))))
        assert uow.outbox.handed.rows == []
        await uow.commit()
    await settled(handing)
    assert {await handing.status(row) for row in rows} == {PENDING}

    await handing.sender.deliver_due()
    assert [m.text for m in alice.messages] == ["Sent to the front desk"]


async def test_four_private_chats_in_one_unit_are_handed_over(
    handing: Desk, alice: SandboxUser, sandbox: SandboxServer
) -> None:
    residents = [sandbox.add_user(f"Resident {n}") for n in range(3)]
    await known(handing, *residents)
    async with handing.db.uow(handing.estate_id) as uow:
        rows = [
            await uow.outbox.send(p.id, message(verbatim("Notice"))) for p in (alice, *residents)
        ]
        await uow.commit()
    await settled(handing)
    assert [await handing.status(row) for row in rows] == [SENT] * 4


async def test_while_telegram_makes_the_bot_wait_replies_take_their_turn(
    handing: Desk, alice: SandboxUser, sandbox: SandboxServer
) -> None:
    """After a 429 (or while the overall limit keeps calls waiting) a reply does not jump the
    queue: what waits for a pass would starve behind replies taking every second's room."""
    sandbox.fail_next("sendMessage", status=429, retry_after=1)
    first = await handing.send(alice.id, message(verbatim("Which building?")))
    await settled(handing)
    assert await handing.status(first) == PENDING  # refused, put back
    assert not handing.sender.takes_hand_off()

    bob = sandbox.add_user("Bob")  # a chat with nothing waiting: handed over at other times
    await known(handing, bob)
    async with handing.db.uow(handing.estate_id) as uow:
        second = await uow.outbox.send(bob.id, message(verbatim("Which entrance?")))
        assert uow.outbox.handed.rows == []  # not handed over: the passes send it in turn
        await uow.commit()
    handing.clock.now += timedelta(seconds=1)
    handing.sender._paused_until = 0.0  # Telegram's pause is over (real time, not waited out)
    assert handing.sender.takes_hand_off()
    assert await handing.sender.deliver_due() == 2
    assert [m.text for m in alice.messages] == ["Which building?"]
    assert [m.text for m in bob.messages] == ["Which entrance?"]
    assert await handing.status(second) == SENT


async def test_a_slow_call_outlasting_its_claim_is_not_sent_again_by_a_pass(
    handing: Desk, alice: SandboxUser, sandbox: SandboxServer
) -> None:
    sandbox.hold("sendMessage")  # Telegram takes its time answering
    sent = await handing.send(alice.id, message(verbatim("Which building?")))
    for _ in range(100):  # the handed-over call reaches Telegram and waits there
        if sandbox.held_count("sendMessage"):
            break
        await asyncio.sleep(0.01)
    assert sandbox.held_count("sendMessage") == 1

    handing.clock.now += handing.sender.limits.claim_timeout * 2  # the claim looks stale
    assert await handing.sender.deliver_due() == 0  # but this process is still sending it
    assert sandbox.held_count("sendMessage") == 1

    sandbox.release("sendMessage")
    await settled(handing)
    assert [m.text for m in alice.messages] == ["Which building?"]
    assert await handing.status(sent) == SENT
