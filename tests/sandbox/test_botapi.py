"""`BotApi`, the outbox's and the intake's client: payloads in, Telegram's answers and refusals
out as the sender's errors, files as multipart parts, Unicode intact."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.botapi import BotApi
from bot.core.sender import Blocked, Rejected, RetryLater, Unavailable
from bot.render import Upload
from bot.sandbox import SandboxServer, SandboxUser


@pytest.fixture
async def api(sandbox: SandboxServer) -> AsyncIterator[BotApi]:
    client = BotApi(sandbox.token, sandbox.base_url)
    yield client
    await client.close()


async def test_a_message_with_buttons_arrives_as_sent(api: BotApi, alice: SandboxUser) -> None:
    result = await api.call(
        "sendMessage",
        {
            "chat_id": alice.id,
            "text": "报修 <b>R-0001</b>",
            "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{"text": "接单", "callback_data": "a:1"}]]},
            "disable_notification": None,  # left out, not sent as "None"
        },
    )
    assert isinstance(result["message_id"], int)
    received = alice.messages[-1]
    assert received.text == "报修 R-0001"
    assert received.message_id == result["message_id"]


async def test_a_file_goes_as_a_multipart_part(
    api: BotApi, sandbox: SandboxServer, alice: SandboxUser
) -> None:
    data = "\ufeffslip,unit\r\n7,3栋2单元301室\r\n".encode()
    await api.call(
        "sendDocument",
        {"chat_id": alice.id, "document": Upload("slips.csv", data), "caption": "对账"},
    )
    received = alice.messages[-1]
    assert received.caption == "对账"
    assert received.document is not None
    assert received.document["file_name"] == "slips.csv"
    assert sandbox.file_bytes(received.document["file_id"]) == data


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RetryLater), (403, Blocked), (400, Rejected), (500, Unavailable), (502, Unavailable)],
)
async def test_refusals_become_the_senders_errors(
    api: BotApi, sandbox: SandboxServer, alice: SandboxUser, status: int, error: type
) -> None:
    sandbox.fail_next("sendMessage", status=status, retry_after=7 if status == 429 else None)
    with pytest.raises(error) as raised:
        await api.call("sendMessage", {"chat_id": alice.id, "text": "hi"})
    if status == 429:
        assert raised.value.seconds == 7
    assert not [m for m in alice.messages if m.text == "hi"]


async def test_a_dropped_connection_or_no_server_is_unavailable(
    api: BotApi, sandbox: SandboxServer, alice: SandboxUser
) -> None:
    sandbox.fail_next("sendMessage", status=0)
    with pytest.raises(Unavailable):
        await api.call("sendMessage", {"chat_id": alice.id, "text": "hi"})
    nowhere = BotApi(sandbox.token, "http://127.0.0.1:9")
    with pytest.raises(Unavailable):
        await nowhere.call("getMe", {})
    await nowhere.close()


async def test_get_updates_returns_the_updates_as_json(
    api: BotApi, alice: SandboxUser, sandbox: SandboxServer
) -> None:
    await alice.send("/start")
    updates = await api.call("getUpdates", {"timeout": 0})
    assert updates[-1]["message"]["text"] == "/start"
    assert updates[-1]["message"]["from"]["id"] == alice.id
