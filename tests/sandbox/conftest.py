"""Fixtures: a started sandbox, real python-telegram-bot and aiogram clients talking to it, and
the real outbox sender over `BotApi` with a database and a clock moved by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import telegram
from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.core.botapi import BotApi
from bot.core.sender import OutboxSender
from bot.render import Renderer
from bot.sandbox import SandboxServer, SandboxUser
from storage.database import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


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


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Desk:
    """A database, the real sender over `BotApi`, and the rows it sent."""

    def __init__(self, db: Database, estate_id: int, sender: OutboxSender, clock: Clock) -> None:
        self.db = db
        self.estate_id = estate_id
        self.sender = sender
        self.clock = clock

    async def send(self, chat_id: int, body: dict, *, group: bool = False) -> int:
        async with self.db.uow(self.estate_id) as uow:
            outbox_id = await uow.outbox.send(chat_id, body, group=group)
            await uow.commit()
        return outbox_id

    async def edit(self, outbox_id: int, body: dict) -> int:
        async with self.db.uow(self.estate_id) as uow:
            edit_id = await uow.outbox.edit(outbox_id, body)
            await uow.commit()
        return edit_id

    async def status(self, outbox_id: int) -> str:
        return (await self.row(outbox_id)).status

    async def row(self, outbox_id: int) -> OutboxMessage:
        async with self.db.uow(self.estate_id) as uow:
            row = await uow.outbox.get(outbox_id)
            assert row is not None
            await uow.commit()
        return row


@pytest.fixture
async def desk(tmp_path: Path, sandbox: SandboxServer, ptb: telegram.Bot) -> AsyncIterator[Desk]:
    clock = Clock()
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/estate.sqlite3", clock=clock)
    await upgrade(db.engine)
    estate_id = await db.ensure_estate("default", "Test")
    # As the runtime does once the engine has started: the username comes from getMe.
    renderer = Renderer(ZoneInfo("Asia/Shanghai"), bot_username=ptb.username)

    api = BotApi(sandbox.token, sandbox.base_url)
    sender = OutboxSender(db, estate_id, api, renderer, lambda _user: "en")
    yield Desk(db, estate_id, sender, clock)
    await api.close()
    await db.close()
