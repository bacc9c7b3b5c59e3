"""Webhook mode: Telegram posts updates; only posts carrying the secret token are accepted."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from .conftest import BotProcess, Estate, run_cli

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_registers_a_resident_and_refuses_unsigned_posts(estate: Estate):
    await run_cli(estate, "residents", "import", str(estate.folder / "roster.csv"))
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    bot = BotProcess(estate, "run", "--webhook", url, "--host", "127.0.0.1", "--port", str(port))
    await bot.start()
    try:
        await estate.alice.send("/start")
        await estate.alice.wait_for_message(containing="share your phone", timeout=20)
        await estate.alice.tap("Share my phone number")
        await estate.alice.wait_for_message(containing="registered as a resident")
        attempts = estate.sandbox.webhook_attempts
        assert attempts and all(a.status == 200 for a in attempts)

        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": estate.mallory.id, "type": "private"},
                "from": {"id": estate.mallory.id, "is_bot": False, "first_name": "M"},
                "text": "/start",
            },
        }
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status == 401
        forged_rows = "select count(*) from incoming_updates where update_id = 999999"
        assert await estate.query(forged_rows) == [(0,)]
    finally:
        await bot.stop()
        if bot.process is not None and bot.process.returncode not in (0, -15):
            print(bot.log())
