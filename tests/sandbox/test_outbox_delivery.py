"""The sender against the sandbox: each part of a message goes out once, only a card's latest
state is sent, and a burst of cards for one group waits in order within the group's limit.

The real sender over `BotApi`, a SQLite database and a clock moved by hand; the sandbox
fails the calls a test names.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.sender import SenderLimits
from bot.sandbox import SandboxServer, SandboxUser
from handlers.messages import button, message, verbatim
from storage.repositories.outbox import DIGESTED, PENDING, SENT, SUPERSEDED

from .conftest import Desk


async def photo_ids(person: SandboxUser, count: int) -> list[str]:
    """File ids of photos a resident sent, as a repair report carries them."""
    updates = await person.send_photos(count)
    return [u["message"]["photo"][-1]["file_id"] for u in updates if u is not None]


def card(label: str, photos: list[str] | None = None) -> dict:
    body = message(verbatim(label), buttons=[[button(verbatim("Accept"), "repair.accept", 1)]])
    if photos:
        body["photos"] = photos
    return body


@pytest.mark.parametrize(
    ("status", "retry_after", "wait"),
    [(429, 1, timedelta(seconds=2)), (500, None, timedelta(seconds=5))],
)
async def test_an_album_is_sent_once_when_the_card_after_it_fails(
    sandbox: SandboxServer,
    alice: SandboxUser,
    desk: Desk,
    status: int,
    retry_after: int | None,
    wait: timedelta,
) -> None:
    group = sandbox.add_group("Engineering")
    photos = await photo_ids(alice, 2)
    outbox_id = await desk.send(group.id, card("Repair R-0001", photos), group=True)
    sandbox.fail_next("sendMessage", status=status, retry_after=retry_after)

    assert await desk.sender.deliver_due() == 0
    row = await desk.row(outbox_id)
    assert (row.status, row.parts_sent) == (PENDING, 1)  # the album went out, the card did not
    assert len([m for m in group.messages if m.photos]) == 2

    desk.clock.now += wait
    assert await desk.sender.deliver_due() == 1
    assert await desk.status(outbox_id) == SENT
    assert len(sandbox.calls_to("sendMediaGroup")) == 1
    assert [c.status for c in sandbox.calls_to("sendMessage")] == [status, 200]
    assert [bool(m.photos) for m in group.messages] == [True, True, False]
    assert group.messages[-1].text == "Repair R-0001"
    assert (await desk.row(outbox_id)).telegram_message_id == group.messages[-1].message_id


async def test_a_card_edited_before_it_went_out_is_sent_once_in_its_latest_state(
    sandbox: SandboxServer, desk: Desk
) -> None:
    group = sandbox.add_group("Front desk")
    outbox_id = await desk.send(group.id, card("Request #1: waiting"), group=True)
    await desk.edit(outbox_id, card("Request #1: seen by Wang"))
    await desk.edit(outbox_id, message(verbatim("Request #1: approved by Wang")))

    assert await desk.sender.deliver_due() == 1
    assert [c.params["text"] for c in sandbox.calls_to("sendMessage")] == [
        "Request #1: approved by Wang"
    ]
    assert sandbox.calls_to("editMessageText") == []
    [shown] = group.messages
    assert (shown.text, shown.buttons) == ("Request #1: approved by Wang", [])


async def test_a_newer_edit_supersedes_one_still_waiting_and_only_the_latest_is_sent(
    sandbox: SandboxServer, desk: Desk
) -> None:
    group = sandbox.add_group("Front desk")
    outbox_id = await desk.send(group.id, card("Request #1: waiting"), group=True)
    assert await desk.sender.deliver_due() == 1

    older = await desk.edit(outbox_id, card("Request #1: seen by Wang"))
    newer = await desk.edit(outbox_id, message(verbatim("Request #1: approved by Wang")))
    assert await desk.status(older) == SUPERSEDED
    assert await desk.sender.deliver_due() == 1
    assert [c.params["text"] for c in sandbox.calls_to("editMessageText")] == [
        "Request #1: approved by Wang"
    ]
    assert await desk.status(older) == SUPERSEDED
    assert await desk.status(newer) == SENT
    [shown] = group.messages
    assert (shown.text, shown.buttons, shown.edits) == ("Request #1: approved by Wang", [], 1)


async def test_a_card_whose_first_send_failed_goes_out_once_in_the_state_of_a_later_edit(
    sandbox: SandboxServer, desk: Desk
) -> None:
    group = sandbox.add_group("Front desk")
    outbox_id = await desk.send(group.id, card("Request #1: waiting"), group=True)
    sandbox.fail_next("sendMessage", status=500)
    assert await desk.sender.deliver_due() == 0  # failed: pending again, its retry later
    edit_id = await desk.edit(outbox_id, message(verbatim("Request #1: approved")))
    assert edit_id == outbox_id  # not sent yet: the card itself takes the new state
    desk.clock.now += timedelta(seconds=5)
    assert await desk.sender.deliver_due() == 1
    assert [c.params["text"] for c in sandbox.calls_to("sendMessage")] == [
        "Request #1: waiting",
        "Request #1: approved",
    ]
    assert [m.text for m in group.messages] == ["Request #1: approved"]


async def test_a_burst_of_cards_for_a_group_becomes_one_digest_and_a_tap_sends_a_card(
    sandbox: SandboxServer, desk: Desk
) -> None:
    group = sandbox.add_group("Front desk")
    cards = [
        await desk.send(group.id, card(f"Registration request #{n}"), group=True)
        for n in range(1, 26)
    ]  # 25 cards: more than the 20 a group takes in a minute
    while await desk.sender.deliver_due():
        pass
    [shown] = group.messages
    assert shown.text.startswith("25 cards are waiting for this group")
    assert "at most 20 messages a minute" in shown.text
    assert "1. Registration request #1" in shown.text
    assert "25. Registration request #25" in shown.text
    assert [label for row in shown.buttons for label in row] == [str(n) for n in range(1, 26)]
    assert shown.callback_data[0][0] == f"1|digest|{cards[0]}"
    assert len([c for c in sandbox.calls if c.params.get("chat_id") == group.id]) == 1
    assert {await desk.status(c) for c in cards} == {DIGESTED}

    # A card in the digest is still the latest state: its edit folds into it.
    await desk.edit(cards[6], message(verbatim("Registration request #7: approved")))
    async with desk.db.uow(desk.estate_id) as uow:
        assert await uow.outbox.show(cards[6], group.id)
        assert not await uow.outbox.show(cards[7], group.id + 1)  # not from another chat
        await uow.commit()
    assert await desk.sender.deliver_due() == 1
    assert group.messages[-1].text == "Registration request #7: approved"
    assert await desk.status(cards[6]) == SENT
    assert await desk.status(cards[7]) == DIGESTED


async def test_the_sender_sleeps_until_the_next_row_falls_due_not_a_fixed_poll(
    sandbox: SandboxServer, alice: SandboxUser, desk: Desk
) -> None:
    desk.sender.limits = replace(SenderLimits(), idle_poll=60.0)
    assert await desk.sender.deliver_due() == 0
    assert desk.sender._idle_wait() == 60.0  # nothing waits: only another process's rows

    outbox_id = await desk.send(alice.id, message(verbatim("Which building?")))
    sandbox.fail_next("sendMessage", status=429, retry_after=3)
    assert await desk.sender.deliver_due() == 0
    assert desk.sender._idle_wait() == pytest.approx(3.0)  # Telegram's retry_after

    desk.clock.now += timedelta(seconds=3)
    desk.sender._paused_until = 0.0  # Telegram's pause is over (real time, not waited out here)
    sandbox.fail_next("sendMessage", status=500)
    assert await desk.sender.deliver_due() == 0
    assert desk.sender._idle_wait() == pytest.approx(4.0)  # the second attempt's backoff

    desk.clock.now += timedelta(seconds=1)
    assert await desk.sender.deliver_due() == 0  # not due yet: the wait is what is left
    assert desk.sender._idle_wait() == pytest.approx(3.0)

    desk.clock.now += timedelta(seconds=3)
    assert await desk.sender.deliver_due() == 1
    assert await desk.status(outbox_id) == SENT
    assert desk.sender._idle_wait() == 60.0
