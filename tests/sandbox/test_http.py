"""The raw HTTP protocol: routes, encodings, coercion and Telegram's error bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox import SandboxServer, SandboxUser


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    method = "GET" if "params" in kwargs and len(kwargs) == 1 else "POST"
    async with http.request(method, url, **kwargs) as response:
        return response.status, await response.json()


async def test_wrong_token_is_401(sandbox: SandboxServer, http: aiohttp.ClientSession) -> None:
    status, body = await call(http, f"{sandbox.base_url}/bot1:WRONG/getMe", params={})
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert sandbox.calls[-1].status == 401


async def test_unknown_method_is_404(sandbox: SandboxServer, http: aiohttp.ClientSession) -> None:
    status, body = await call(http, f"{sandbox.api_base_url}{sandbox.token}/sendMessages", json={})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert (sandbox.calls[-1].method, sandbox.calls[-1].status) == ("sendMessages", 404)


async def test_method_names_are_case_insensitive(
    sandbox: SandboxServer, http: aiohttp.ClientSession
) -> None:
    for name in ("getMe", "getme", "GETME"):
        status, body = await call(http, f"{sandbox.api_base_url}{sandbox.token}/{name}", params={})
        assert status == 200
        assert body["result"]["username"] == "estate_sandbox_bot"
        assert body["result"]["id"] == 123456
    assert [c.method for c in sandbox.calls] == ["getMe", "getMe", "getMe"]


@pytest.mark.parametrize("encoding", ["query", "json", "form", "multipart"])
async def test_every_encoding_is_coerced(
    sandbox: SandboxServer, alice: SandboxUser, http: aiohttp.ClientSession, encoding: str
) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    raw = {
        "chat_id": str(alice.id),
        "text": "<b>hi</b>",
        "parse_mode": "HTML",
        "disable_notification": "true",
        "reply_markup": json.dumps(markup),
    }
    url = f"{sandbox.api_base_url}{sandbox.token}/sendMessage"
    if encoding == "query":
        status, body = await call(http, url, params=raw)
    elif encoding == "json":
        typed = {**raw, "chat_id": alice.id, "disable_notification": True, "reply_markup": markup}
        status, body = await call(http, url, json=typed)
    elif encoding == "form":
        status, body = await call(http, url, data=raw)
    else:
        form = aiohttp.FormData()
        for key, value in raw.items():
            form.add_field(key, value)
        form.add_field("unused", b"x", filename="x.bin")
        status, body = await call(http, url, data=form)
    assert status == 200, body
    message = body["result"]
    assert message["text"] == "hi"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert message["reply_markup"] == markup
    assert message["chat"] == {
        "id": alice.id, "type": "private", "first_name": "Alice", "last_name": "Chen",
        "username": "alice",
    }  # fmt: skip
    assert message["from"]["id"] == sandbox.bot_id
    recorded = sandbox.calls[-1]
    assert recorded.method == "sendMessage"
    assert recorded.params["chat_id"] == alice.id
    assert recorded.params["disable_notification"] is True
    assert recorded.status == 200


async def test_missing_parameters_use_telegram_wording(
    sandbox: SandboxServer, alice: SandboxUser, http: aiohttp.ClientSession
) -> None:
    url = f"{sandbox.api_base_url}{sandbox.token}"
    cases = [
        ("sendMessage", {"text": "x"}, "Bad Request: chat_id is empty"),
        ("sendMessage", {"chat_id": alice.id}, "Bad Request: message text is empty"),
        ("sendPhoto", {"chat_id": alice.id}, "Bad Request: there is no photo in the request"),
        ("sendMediaGroup", {"chat_id": alice.id}, 'Bad Request: parameter "media" is required'),
        ("sendMessage", {"chat_id": "abc", "text": "x"}, "Bad Request: chat not found"),
        ("sendMessage", {"chat_id": 42, "text": "x"}, "Bad Request: chat not found"),
    ]
    for method, params, description in cases:
        status, body = await call(http, f"{url}/{method}", json=params)
        assert (status, body) == (
            400,
            {"ok": False, "error_code": 400, "description": description},
        ), method


async def test_file_download_and_missing_file(
    sandbox: SandboxServer, alice: SandboxUser, http: aiohttp.ClientSession
) -> None:
    await alice.send_document(b"%PDF-1.4 invoice", "invoice.pdf")
    document = sandbox.sent_updates()[-1]["message"]["document"]
    assert document["file_name"] == "invoice.pdf"
    assert document["mime_type"] == "application/pdf"
    status, body = await call(
        http,
        f"{sandbox.api_base_url}{sandbox.token}/getFile",
        json={"file_id": document["file_id"]},
    )
    assert status == 200
    path = body["result"]["file_path"]
    async with http.get(f"{sandbox.file_base_url}{sandbox.token}/{path}") as r:
        assert r.status == 200
        assert await r.read() == b"%PDF-1.4 invoice"
    async with http.get(f"{sandbox.file_base_url}{sandbox.token}/documents/nope.pdf") as r:
        assert r.status == 404
        assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_spec_known_but_unimplemented_method(
    sandbox: SandboxServer, http: aiohttp.ClientSession
) -> None:
    status, body = await call(
        http, f"{sandbox.api_base_url}{sandbox.token}/sendDice", json={"chat_id": 1}
    )
    assert status == 400
    assert body["description"] == "Bad Request: method sendDice is not supported by the sandbox"
