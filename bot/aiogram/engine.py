"""The aiogram engine: a real aiogram 3 `Bot` and `Dispatcher`, one handler, one entry point.

Like the python-telegram-bot engine, it brings typed calls (`getMe`, the command menu, files) and
update dispatch, and nothing else (the Bot API calls of the outbox, the intake and tap answers go
through `BotApi`): aiogram's own polling acknowledges updates before they are handled and its FSM
storage keeps state outside the database, so neither is used. Intake feeds it recorded updates;
one handler, on every event observer of one router, hands each update to the core, which
answers button taps at once.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, Update

from bot.core.desk import Desk
from bot.core.engine import AnswerTap, command_menus, handle_update
from bot.render import Renderer

log = logging.getLogger(__name__)


class AiogramEngine:
    """Builds the Bot against any Bot API server and connects the Dispatcher to the desk."""

    name = "aiogram"

    def __init__(
        self,
        token: str,
        api_base: str,
        desk: Desk,
        renderer: Renderer,
        answer: AnswerTap,
        commands: tuple[str, ...] = (),
    ) -> None:
        self.desk = desk
        self._answer = answer  # answerCallbackQuery, through the desk's own Bot API client
        self.commands = commands or desk.features.telegram_commands
        self.renderer = renderer
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), limit=16)
        self.bot = Bot(token, session=session)
        self.dispatcher = Dispatcher()
        router = Router(name="desk")
        for kind, observer in router.observers.items():
            if kind not in ("update", "error"):  # every kind of event goes to the desk
                observer.register(self._entry)
        self.dispatcher.include_router(router)
        self._username = ""
        desk.fetch_file = self.fetch_file

    async def fetch_file(self, file_id: str) -> bytes:
        """A sent document's bytes (getFile, then the file download)."""
        file = await self.bot.get_file(file_id)
        assert file.file_path is not None
        downloaded = await self.bot.download_file(file.file_path)
        assert downloaded is not None
        return downloaded.read()

    async def start(self) -> None:
        me = await self.bot.get_me()
        self._username = me.username or ""
        await self._set_commands()

    @property
    def bot_username(self) -> str:
        """The bot's username (no `@`), as `getMe` told it in `start()`."""
        return self._username

    async def stop(self) -> None:
        await self.bot.session.close()

    async def feed(self, payload: dict[str, Any]) -> None:
        """Give one recorded update to the Dispatcher."""
        update = Update.model_validate(payload, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update)

    async def _entry(self, _event: object, event_update: Update) -> None:
        await handle_update(self.desk, self.renderer, event_update, self._answer)

    async def _set_commands(self) -> None:
        for code, commands in command_menus(self.commands):
            try:
                await self.bot.set_my_commands(
                    [BotCommand(command=name, description=about) for name, about in commands],
                    language_code=code,
                )
            except TelegramAPIError as exc:
                log.warning("setMyCommands failed: %s", exc)
