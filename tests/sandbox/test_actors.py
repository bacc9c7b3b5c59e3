"""The test-facing API: users and groups acting, waiting for the bot, and scripted trouble."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.sandbox import SandboxError, SandboxServer, SandboxTimeoutError, SandboxUser


def buttons(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def answer_next_query(ptb: telegram.Bot, text: str | None = None) -> dict[str, Any]:
    """Act as the bot: fetch the next callback query, answer it, confirm it."""
    updates = await ptb.get_updates(timeout=5, allowed_updates=["callback_query", "message"])
    query = next(u for u in updates if u.callback_query).callback_query
    await query.answer(text)
    await ptb.get_updates(offset=updates[-1].update_id + 1)
    return {"data": query.data, "chat": query.message.chat.id, "from": query.from_user.id}


async def test_user_messages_look_like_telegram(sandbox: SandboxServer, alice: SandboxUser) -> None:
    update = await alice.send("/start")
    assert update is not None
    message = update["message"]
    assert message["text"] == "/start"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"] == {
        "id": 1001, "is_bot": False, "first_name": "Alice", "last_name": "Chen",
        "username": "alice", "language_code": "en",
    }  # fmt: skip
    assert message["chat"]["type"] == "private"

    own = await alice.send_contact()
    assert own is not None
    assert own["message"]["contact"] == {
        "phone_number": "+8613800000001", "first_name": "Alice", "last_name": "Chen",
        "user_id": 1001,
    }  # fmt: skip
    other = await alice.send_contact(phone="8613900000002", first_name="Bob")
    assert other is not None
    assert other["message"]["contact"] == {"phone_number": "8613900000002", "first_name": "Bob"}

    album = await alice.send_photos(3, caption="Leak under the sink")
    group_ids = {u["message"]["media_group_id"] for u in album if u}
    assert len(group_ids) == 1
    assert album[0] is not None
    assert album[0]["message"]["caption"] == "Leak under the sink"
    photo = album[0]["message"]["photo"][-1]
    assert sandbox.file_bytes(photo["file_id"]).startswith(b"\x89PNG")
    sticker = await alice.send_sticker("🔥")
    assert sticker is not None
    assert sticker["message"]["sticker"]["emoji"] == "🔥"
    ids = [u["update_id"] for u in sandbox.sent_updates()]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


async def test_tap_reply_keyboard(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    with pytest.raises(SandboxError, match="no reply keyboard"):
        await alice.tap("Share my phone", timeout=0.05)
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("Share my phone", request_contact=True)], ["Cancel"]],
        one_time_keyboard=True,
    )
    sent = await ptb.send_message(alice.id, "Your phone?", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram echoes only inline keyboards
    assert alice.reply_keyboard == [["Share my phone"], ["Cancel"]]
    assert alice.last_message is not None
    assert alice.last_message.reply_keyboard == [["Share my phone"], ["Cancel"]]
    shared = await alice.tap("Share my phone")
    assert shared is not None
    assert shared["message"]["contact"]["user_id"] == alice.id
    tapped = await alice.tap("Cancel")
    assert tapped is not None
    assert tapped["message"]["text"] == "Cancel"
    await ptb.send_message(alice.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert alice.reply_keyboard is None
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await ptb.edit_message_text("x", alice.id, sent.message_id)


async def test_click_finds_buttons_and_returns_the_answer(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    group = sandbox.add_group("Front desk")
    await ptb.send_message(
        group.id,
        "Ticket #1",
        reply_markup=buttons([("✅ Approve", "t:1:ok"), ("Reject", "t:1:no")]),
    )
    await ptb.send_message(group.id, "Ticket #2", reply_markup=buttons([("✅ Approve", "t:2:ok")]))
    await ptb.send_message(alice.id, "Private", reply_markup=buttons([("Approve", "p")]))

    bot_side = asyncio.create_task(answer_next_query(ptb, "Approved"))
    answer = await alice.click("Approve", in_chat=group)  # newest matching message first
    assert (answer.text, answer.show_alert) == ("Approved", False)
    assert await bot_side == {"data": "t:2:ok", "chat": group.id, "from": alice.id}

    bot_side = asyncio.create_task(answer_next_query(ptb))
    await alice.click(callback_data="t:1:no", in_chat=group)
    assert (await bot_side)["data"] == "t:1:no"

    bot_side = asyncio.create_task(answer_next_query(ptb))
    answer = await alice.click("Approve")  # her private chat
    assert answer.text is None
    assert (await bot_side)["chat"] == alice.id

    with pytest.raises(SandboxError, match=r"no inline button 'Close' in \[Front desk\]"):
        await alice.click("Close", in_chat=group, timeout=0.05)
    first = group.messages[0]
    with pytest.raises(SandboxError, match="matches several buttons"):
        await alice.click("e", in_chat=group, message=first)

    bot_side = asyncio.create_task(answer_next_query(ptb, "Nope"))
    forged = await alice.click_data("t:999:ok", message=first)  # in the message's chat
    assert forged.text == "Nope"
    assert (await bot_side)["data"] == "t:999:ok"
    assert "[Front desk] Alice: clicked [✅ Approve]" in sandbox.transcript()


async def test_click_without_answer_times_out(alice: SandboxUser, ptb: telegram.Bot) -> None:
    await ptb.send_message(alice.id, "Go", reply_markup=buttons([("Go", "go")]))
    with pytest.raises(SandboxTimeoutError, match="did not answer the callback query"):
        await alice.click("Go", timeout=0.1)


async def test_expired_query() -> None:
    async with SandboxServer(callback_query_ttl=0.05) as sandbox:
        alice = sandbox.add_user("Alice")
        bot = telegram.Bot(sandbox.token, base_url=sandbox.api_base_url)
        async with bot:
            await bot.send_message(alice.id, "Go", reply_markup=buttons([("Go", "go")]))
            click = asyncio.create_task(alice.click("Go", timeout=0.3))
            updates = await bot.get_updates(timeout=2)
            await asyncio.sleep(0.1)
            with pytest.raises(BadRequest, match="Query is too old"):
                await updates[0].callback_query.answer()
            with pytest.raises(SandboxTimeoutError):
                await click


async def test_wait_for_message_consumes_and_sees_edits(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    await alice.send("/start")
    later_click = asyncio.create_task(alice.click("Later", timeout=2))
    await asyncio.sleep(0.02)
    await ptb.send_message(alice.id, "Buttons", reply_markup=buttons([("Later", "later")]))
    await answer_next_query(ptb, "waited for the button")
    assert (await later_click).text == "waited for the button"
    await alice.send("/start")
    first = await ptb.send_message(alice.id, "Welcome!")
    await ptb.send_message(alice.id, "Pick a building")
    assert (await alice.wait_for_message()).text == "Welcome!"
    assert (await alice.wait_for_message(containing="building")).message_id == 5
    with pytest.raises(SandboxTimeoutError, match="no bot message containing 'Welcome'"):
        await alice.wait_for_message(containing="Welcome", timeout=0.05)

    async def later() -> None:
        await asyncio.sleep(0.05)
        await ptb.edit_message_text("Welcome back!", alice.id, first.message_id)

    task = asyncio.create_task(later())
    edited = await alice.wait_for_message(containing="back", timeout=2)
    await task
    assert (edited.message_id, edited.edits) == (first.message_id, 1)
    await alice.send("again")
    with pytest.raises(SandboxTimeoutError):
        await alice.wait_for_message(containing="Welcome", timeout=0.05)  # older than her action
    matched = await sandbox.wait_until(lambda: len(alice.messages) == 3 and alice.messages)
    assert matched == alice.messages


async def test_a_user_edits_their_message_and_the_bot_gets_an_edited_message(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    sent = await alice.send("Leak in the kitchen")
    assert sent is not None
    update = await alice.edit(sent, "Leak under the sink, /help")
    assert update is not None and "message" not in update
    edited = update["edited_message"]
    assert edited["message_id"] == sent["message"]["message_id"]
    assert edited["text"] == "Leak under the sink, /help"
    assert edited["entities"] == [{"type": "bot_command", "offset": 21, "length": 5}]
    assert edited["edit_date"] >= edited["date"]
    photo = await alice.send_photo("first caption")
    assert photo is not None
    by_id = await alice.edit(photo["message"]["message_id"], "second caption")
    assert by_id is not None and by_id["edited_message"]["caption"] == "second caption"

    updates = await ptb.get_updates(timeout=1)
    assert [u.edited_message is not None for u in updates] == [False, True, False, True]
    assert updates[1].edited_message.text == "Leak under the sink, /help"
    assert updates[1].effective_user.id == alice.id
    assert "[Alice Chen] Alice (edited): Leak under the sink, /help" in sandbox.transcript()

    notice = await ptb.send_message(alice.id, "Thanks")
    with pytest.raises(SandboxError, match="own messages"):
        await alice.edit(notice.message_id, "forged")  # nobody edits the bot's messages
    bob = sandbox.add_user("Bob")
    with pytest.raises(SandboxError, match="no message"):
        await bob.edit(sent["message"]["message_id"], "not his")  # nor in another's chat

    await ptb.get_updates(offset=updates[-1].update_id + 1, allowed_updates=["message"])
    assert await alice.edit(sent, "Leak, edited unseen") is None  # the bot did not ask for edits
    await ptb.get_updates(timeout=0, allowed_updates=["message", "edited_message"])
    group = sandbox.add_group("Front desk")
    said = await group.send(alice, "/help")
    assert said is not None
    assert await alice.edit(said, "/help again") is not None
    assert await alice.edit(said, "just chatting") is None  # privacy mode hides it now


async def test_group_privacy_mode(sandbox: SandboxServer, ptb: telegram.Bot) -> None:
    alice = sandbox.add_user("Alice")
    group = sandbox.add_group("Front desk")
    assert await group.send(alice, "just chatting") is None
    assert await group.send(alice, "/help") is not None
    assert await group.send(alice, "/help@other_bot") is None
    assert await group.send(alice, "hey @estate_sandbox_bot") is not None
    notice = await ptb.send_message(group.id, "Ticket #3 opened")
    assert await group.send(alice, "on my way", reply_to=notice.message_id) is not None
    member = await ptb.get_chat_member(group.id, alice.id)
    assert member.status == "member"
    admin_group = sandbox.add_group("Staff", bot_is_admin=True)
    assert await admin_group.send(alice, "just chatting") is not None
    transcript = sandbox.transcript(group)
    assert transcript.splitlines()[0] == "[Front desk] Alice: just chatting"


async def test_block_unblock_and_removal(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    alice.block_bot()
    alice.unblock_bot()
    kinds = [u["my_chat_member"]["new_chat_member"]["status"] for u in sandbox.sent_updates()]
    assert kinds == ["kicked", "member"]
    await ptb.send_message(alice.id, "welcome back")
    group = sandbox.add_group("Front desk")
    group.remove_bot()
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await ptb.send_message(group.id, "hello?")


async def test_hold_and_release(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    sandbox.hold("sendMessage")
    sending = asyncio.create_task(ptb.send_message(alice.id, "held"))
    await sandbox.wait_until(lambda: sandbox.held_count("sendMessage") == 1)
    assert alice.messages == []
    assert await ptb.get_me()  # other methods pass
    sandbox.release("sendMessage")
    assert (await sending).text == "held"
    assert [m.text for m in alice.messages] == ["held"]


async def test_held_request_of_a_vanished_client_is_not_processed(
    sandbox: SandboxServer, alice: SandboxUser
) -> None:
    sandbox.hold()
    url = f"{sandbox.api_base_url}{sandbox.token}/sendMessage"

    async def send() -> None:
        async with aiohttp.ClientSession() as session:
            await session.post(url, json={"chat_id": alice.id, "text": "lost"})

    request = asyncio.create_task(send())
    await sandbox.wait_until(lambda: sandbox.held_count() == 1)
    request.cancel()  # the bot process dies: its connection closes
    await sandbox.wait_until(lambda: sandbox.calls[-1].disconnected)
    sandbox.release()
    await asyncio.sleep(0.05)
    assert alice.messages == []
    assert sandbox.calls[-1].status is None


async def test_fail_next_variants(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    sandbox.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await ptb.send_message(alice.id, "a")
    sandbox.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await ptb.send_message(alice.id, "b")
    sandbox.fail_next("sendmessage", status=0)
    with pytest.raises(NetworkError):
        await ptb.send_message(alice.id, "c")
    assert alice.messages == []
    sandbox.fail_next("sendMessage", status=500, processed=True)
    with pytest.raises(NetworkError):
        await ptb.send_message(alice.id, "d")
    assert [m.text for m in alice.messages] == ["d"]  # delivered, but the bot was told it failed
    sandbox.fail_next("*", status=400, description="Bad Request: custom", count=2)
    for _ in range(2):
        with pytest.raises(BadRequest, match="Custom"):
            await ptb.get_me()
    assert await ptb.get_me()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_strict_limits() -> None:
    async with SandboxServer(strict_limits=True) as sandbox:
        users = [sandbox.add_user(f"User {n}") for n in range(31)]
        group = sandbox.add_group("Front desk")
        bot = telegram.Bot(sandbox.token, base_url=sandbox.api_base_url)
        async with bot:
            for user in users[:30]:
                await bot.send_message(user.id, "notice")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(users[30].id, "one too many")
            retry = caught.value.retry_after  # seconds, or a timedelta once opted in (PTB 22.2)
            assert (retry.total_seconds() if isinstance(retry, timedelta) else retry) == 1
        assert sandbox.calls[-1].description == "Too Many Requests: retry after 1"
        sandbox.limits.reset()  # as if a second had passed
        for n in range(20):
            assert (await _post(sandbox, group.id, f"#{n}"))[0] == 200
        status, body = await _post(sandbox, group.id, "#21")
        assert status == 429
        retry_after = body["parameters"]["retry_after"]
        assert 55 <= retry_after <= 60
        assert body["description"] == f"Too Many Requests: retry after {retry_after}"


async def _post(sandbox: SandboxServer, chat_id: int, text: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        url = f"{sandbox.api_base_url}{sandbox.token}/sendMessage"
        async with session.post(url, json={"chat_id": chat_id, "text": text}) as response:
            return response.status, await response.json()


async def test_forward_and_copy(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    group = sandbox.add_group("Front desk")
    update = await alice.send_photo("Broken window")
    assert update is not None
    source = update["message"]["message_id"]
    forwarded = await ptb.forward_message(group.id, alice.id, source)
    assert forwarded.photo and forwarded.caption == "Broken window"
    assert forwarded.forward_origin.sender_user.id == alice.id
    copied = await ptb.copy_message(group.id, alice.id, source, caption="Ticket #4")
    assert group.messages[-1].message_id == copied.message_id
    assert group.messages[-1].caption == "Ticket #4"
    with pytest.raises(BadRequest, match="Message to forward not found"):
        await ptb.forward_message(group.id, alice.id, 999)


async def test_transcript(sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot) -> None:
    group = sandbox.add_group("Front desk")
    await alice.send("/start")
    await ptb.send_message(alice.id, "Welcome,\n<b>Alice</b>", parse_mode="HTML")
    notice = await ptb.send_message(
        group.id, "Ticket #1", reply_markup=buttons([("Approve", "a"), ("Reject", "r")])
    )
    await ptb.edit_message_text("Ticket #1 approved", group.id, notice.message_id)
    await ptb.send_photo(alice.id, "https://example.com/p.jpg", caption="Your receipt")
    assert sandbox.transcript() == "\n".join(
        [
            "[Alice Chen] Alice: /start",
            "[Alice Chen] bot: Welcome,",
            "    Alice",
            "[Front desk] bot: Ticket #1 [Approve] [Reject]",
            "[Front desk] bot (edited): Ticket #1 approved",
            "[Alice Chen] bot: [photo] Your receipt",
        ]
    )


async def test_killing_the_bot_process_mid_send_delivers_nothing(
    sandbox: SandboxServer, alice: SandboxUser
) -> None:
    sandbox.hold("sendMessage")
    script = (
        "import json, sys, urllib.request\n"
        "request = urllib.request.Request(sys.argv[1], data=json.dumps(\n"
        "    {'chat_id': int(sys.argv[2]), 'text': 'half-sent'}).encode(),\n"
        "    headers={'Content-Type': 'application/json'})\n"
        "urllib.request.urlopen(request)\n"
    )
    url = f"{sandbox.api_base_url}{sandbox.token}/sendMessage"
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, url, str(alice.id))
    await sandbox.wait_until(lambda: sandbox.held_count("sendMessage") == 1, timeout=5)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    await sandbox.wait_until(lambda: sandbox.calls_to("sendMessage")[0].disconnected, timeout=5)
    sandbox.release("sendMessage")
    await asyncio.sleep(0.05)
    assert alice.messages == []
    assert "half-sent" not in sandbox.transcript()


async def test_a_block_the_bot_is_not_told_of_shows_only_as_403(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    alice.block_bot(notify=False)
    assert sandbox.sent_updates() == []
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await ptb.send_message(alice.id, "hello?")
