"""Update delivery: long polling, offsets, redelivery, allowed_updates and webhooks."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web
from telegram.error import Conflict

from bot.sandbox import SandboxServer, SandboxUser


async def test_long_poll_returns_an_update_sent_while_waiting(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(ptb.get_updates(timeout=10))
    await sandbox.wait_until(lambda: sandbox.calls_to("getUpdates"))
    await asyncio.sleep(0.05)
    assert not poll.done()
    sent = await alice.send("hello")
    updates = await poll
    assert time.monotonic() - started < 2
    assert [u.update_id for u in updates] == [sent["update_id"]]
    assert updates[0].message.text == "hello"


async def test_no_timeout_answers_at_once(ptb: telegram.Bot) -> None:
    started = time.monotonic()
    assert await ptb.get_updates(timeout=0) == ()
    assert time.monotonic() - started < 0.5


async def test_offset_confirms_and_redeliver(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    for text in ("one", "two", "three"):
        await alice.send(text)
    updates = await ptb.get_updates()
    assert [u.message.text for u in updates] == ["one", "two", "three"]
    assert [u.update_id for u in await ptb.get_updates()] == [1, 2, 3]  # not confirmed yet
    assert [u.update_id for u in await ptb.get_updates(offset=3)] == [3]
    assert await ptb.get_updates(offset=4) == ()
    assert sandbox.pending_updates() == []

    sandbox.redeliver(2)
    again = await ptb.get_updates(offset=4)
    assert [(u.update_id, u.message.text) for u in again] == [(2, "two")]
    assert await ptb.get_updates(offset=4) == ()
    assert [u.update_id for u in await ptb.get_updates(limit=1)] == []


async def test_limit_and_negative_offset(alice: SandboxUser, ptb: telegram.Bot) -> None:
    for n in range(5):
        await alice.send(f"m{n}")
    assert [u.update_id for u in await ptb.get_updates(limit=2)] == [1, 2]
    last_two = await ptb.get_updates(offset=-2)
    assert [u.update_id for u in last_two] == [4, 5]
    assert [u.update_id for u in await ptb.get_updates()] == [4, 5]  # the rest is forgotten


async def test_allowed_updates_filters_new_updates(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    await ptb.get_updates(allowed_updates=["callback_query"])
    assert await alice.send("ignored") is None
    await ptb.send_message(
        alice.id,
        "Go?",
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Go", callback_data="go")]]
        ),
    )
    click = asyncio.create_task(alice.click("Go", timeout=2))
    updates = await ptb.get_updates(timeout=2)
    assert [u.callback_query.data for u in updates] == ["go"]
    await updates[0].callback_query.answer()
    await click


async def test_second_long_poll_ends_the_first_with_conflict(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    first = asyncio.create_task(ptb.get_updates(timeout=10))
    await sandbox.wait_until(lambda: sandbox.calls_to("getUpdates"))
    await asyncio.sleep(0.05)
    other_instance = telegram.Bot(sandbox.token, base_url=sandbox.api_base_url)
    async with other_instance:
        second = asyncio.create_task(other_instance.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


class Receiver:
    """A webhook endpoint that records requests and answers scripted statuses."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, Any], str | None]] = []
        self.statuses: list[int] = []
        self.reply: dict[str, Any] | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200 and self.reply is not None:
            return web.json_response(self.reply)
        return web.Response(status=status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def test_webhook_delivery_with_secret_and_retries(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot, receiver: Receiver
) -> None:
    receiver.statuses = [500, 502]
    assert await ptb.set_webhook(receiver.url, secret_token="s3cret-token") is True
    sent = await alice.send("/start")
    await sandbox.wait_until(lambda: sandbox.pending_updates() == [], timeout=5)
    assert len(receiver.requests) == 3  # two failures, then delivered
    body, secret = receiver.requests[-1]
    assert body == sent
    assert secret == "s3cret-token"
    info = await ptb.get_webhook_info()
    assert info.url == receiver.url
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert [a.status for a in sandbox.webhook_attempts] == [500, 502, 200]
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await ptb.get_updates()
    assert await ptb.delete_webhook() is True
    assert (await ptb.get_webhook_info()).url == ""


async def test_webhook_unreachable_then_fixed(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot, receiver: Receiver
) -> None:
    await alice.send("queued")
    await ptb.set_webhook("http://127.0.0.1:9/nothing-listens-here")
    await sandbox.wait_until(lambda: sandbox.webhook_attempts, timeout=5)
    info = await ptb.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Connection refused"
    await ptb.set_webhook(receiver.url)
    await sandbox.wait_until(lambda: receiver.requests, timeout=5)
    assert receiver.requests[0][0]["message"]["text"] == "queued"
    assert receiver.requests[0][1] is None


async def test_webhook_reply_method_and_drop_pending(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot, receiver: Receiver
) -> None:
    await alice.send("old")
    receiver.reply = {"method": "sendMessage", "chat_id": alice.id, "text": "Hi from a reply"}
    await ptb.set_webhook(receiver.url, drop_pending_updates=True)
    await alice.send("new")
    reply = await alice.wait_for_message(containing="Hi from a reply", timeout=5)
    assert reply.text == "Hi from a reply"
    assert [body["message"]["text"] for body, _ in receiver.requests] == ["new"]
    assert sandbox.calls[-1].http_method == "WEBHOOK-REPLY"


async def test_set_webhook_ends_a_long_poll(sandbox: SandboxServer, ptb: telegram.Bot) -> None:
    poll = asyncio.create_task(ptb.get_updates(timeout=10))
    await sandbox.wait_until(lambda: sandbox.calls_to("getUpdates"))
    await asyncio.sleep(0.05)
    await ptb.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(Conflict, match="terminated by setWebhook request"):
        await poll
    await ptb.delete_webhook()


def test_update_json_is_plain_data(sandbox: SandboxServer) -> None:
    json.dumps(sandbox.sent_updates())


async def test_stop_answers_a_waiting_long_poll() -> None:
    sandbox = await SandboxServer().start()
    bot = telegram.Bot(sandbox.token, base_url=sandbox.api_base_url)
    async with bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=35))
        await sandbox.wait_until(lambda: sandbox.calls_to("getUpdates"))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await sandbox.stop()
        assert await poll == ()
        assert time.monotonic() - started < 1
