"""What every engine does with an update, written once: hand it to the desk, answer a tap.

An engine (python-telegram-bot's, aiogram's) brings a library's update types and dispatch (the
Bot API calls of the outbox, the intake and tap answers go through `bot.core.botapi`); the
library-independent part of its one handler lives here, so the engines differ only in how they
call their library.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.core.botapi import BotApi
from bot.core.convert import to_incoming
from bot.core.desk import Desk
from bot.core.sender import SendError
from bot.i18n import translate
from bot.render import Renderer
from handlers.messages import text

log = logging.getLogger(__name__)

AnswerTap = Callable[[str, str | None, bool], Awaitable[None]]
"""answerCallbackQuery: (callback id, the text shown or None, as an alert?)."""


def tap_answers(api: BotApi) -> AnswerTap:
    """answerCallbackQuery through `BotApi`, at once and outside the outbox: a tap's spinner
    must stop within seconds, and an answer lost in a crash is not worth resending."""

    async def answer(callback_id: str, shown: str | None, alert: bool) -> None:
        params: dict[str, Any] = {"callback_query_id": callback_id, "show_alert": alert}
        if shown is not None:
            params["text"] = shown
        try:
            await api.call("answerCallbackQuery", params)
        except SendError as exc:
            log.info("could not answer callback %s: %s", callback_id, exc)

    return answer


MENU_LANGUAGES = (("en", None), ("zh_Hans", "zh"))
"""Telegram's command menu per language: our catalog, and the user language code it is for."""


class Engine(Protocol):
    """A library connected to the desk: what the runtime starts, feeds and sends through."""

    name: str

    @property
    def bot_username(self) -> str: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def feed(self, payload: dict[str, Any]) -> None: ...


async def handle_update(desk: Desk, renderer: Renderer, update: Any, answer: AnswerTap) -> None:
    """One recorded update through the desk; a button tap is answered at once, even on error."""
    incoming = to_incoming(update)
    try:
        reply = await desk.handle(incoming)
    except Exception as exc:
        log.exception("update %s failed", update.update_id)
        await desk.fail(incoming, repr(exc))
        if update.callback_query is not None:
            await answer(
                update.callback_query.id, renderer.plain("en", text("error.internal")), True
            )
        return
    if reply is not None:
        said = reply.answer
        shown = renderer.plain(reply.language, said.text) if said is not None else None
        await answer(reply.callback_id, shown, bool(said and said.alert))


def command_menus(commands: tuple[str, ...]) -> list[tuple[str | None, list[tuple[str, str]]]]:
    """For setMyCommands: per language code, the commands with their catalog descriptions."""
    return [
        (code, [(name, translate(language, f"command.{name}")) for name in commands])
        for language, code in MENU_LANGUAGES
    ]
