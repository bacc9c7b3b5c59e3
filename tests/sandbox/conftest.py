"""Fixtures: a started sandbox, and real python-telegram-bot and aiogram clients talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram
from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.sandbox import SandboxServer, SandboxUser


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer() as server:
        yield server


@pytest.fixture
def alice(sandbox: SandboxServer) -> SandboxUser:
    return sandbox.add_user("Alice", last_name="Chen", username="alice", phone="+8613800000001")


@pytest.fixture
async def ptb(sandbox: SandboxServer) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(
        sandbox.token,
        base_url=f"{sandbox.base_url}/bot",
        base_file_url=f"{sandbox.base_url}/file/bot",
    )
    async with bot:
        yield bot


@pytest.fixture
async def aiogram_bot(sandbox: SandboxServer) -> AsyncIterator[AiogramBot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url))
    bot = AiogramBot(sandbox.token, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()
