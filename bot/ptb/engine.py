"""The python-telegram-bot engine: a real `Application`, one handler, one entry point.

The Application brings the Bot (typed calls: `getMe`, the command menu, files) and its update
processing; it does not own polling (its Updater acknowledges updates before they are handled),
state (`persistence` flushes on an interval) nor the Bot API calls of the outbox, the intake and
tap answers (`BotApi`). Intake feeds it recorded updates; the single `TypeHandler` hands each to
the core, which answers button taps at once.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.core.desk import Desk
from bot.core.engine import AnswerTap, command_menus, handle_update
from bot.render import Renderer

log = logging.getLogger(__name__)

# PTB 22.2 deprecates `RetryAfter.retry_after` as seconds in favour of a timedelta (the next major
# version's type), and warns on every 429 until a program opts in.
os.environ.setdefault("PTB_TIMEDELTA", "1")


class PtbEngine:
    """Builds the Application against any Bot API server and connects it to the desk."""

    name = "ptb"

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
        self.application = (
            Application.builder()
            .token(token)
            .base_url(f"{api_base}/bot")
            .base_file_url(f"{api_base}/file/bot")
            .updater(None)
            .connection_pool_size(16)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._entry))
        desk.fetch_file = self.fetch_file

    async def fetch_file(self, file_id: str) -> bytes:
        """A sent document's bytes (getFile, then the file download)."""
        file = await self.application.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    async def start(self) -> None:
        await self.application.initialize()
        await self._set_commands()

    @property
    def bot_username(self) -> str:
        """The bot's username (no `@`), as `getMe` told it in `start()`."""
        return self.application.bot.username

    async def stop(self) -> None:
        await self.application.shutdown()

    async def feed(self, payload: dict[str, Any]) -> None:
        """Give one recorded update to the Application."""
        update = Update.de_json(payload, self.application.bot)
        await self.application.process_update(update)

    async def _entry(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await handle_update(self.desk, self.renderer, update, self._answer)

    async def _set_commands(self) -> None:
        for code, commands in command_menus(self.commands):
            try:
                await self.application.bot.set_my_commands(
                    [BotCommand(name, about) for name, about in commands], language_code=code
                )
            except TelegramError as exc:
                log.warning("setMyCommands failed: %s", exc)
