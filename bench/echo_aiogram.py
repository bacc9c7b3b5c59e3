"""The floor for the aiogram engine: a bare aiogram 3 echo, as `echo_ptb.py` is for PTB's.

One `Dispatcher` with its defaults (long polling through `start_polling`, a task per update) and
one message handler that answers every text with the same text. No database, no outbox, no rate
limits: whatever this costs per update, estate-bot on aiogram cannot cost less on the same stack.

    python bench/echo_aiogram.py --token 123456:SANDBOX-TOKEN --api http://127.0.0.1:PORT

`--api` is the Bot API server's base URL (the sandbox's `base_url`). SIGTERM or SIGINT stops it
cleanly (`start_polling` handles both).
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def echo(message: Message) -> None:
    """Answer a text with the same text."""
    if message.text is not None:
        await message.answer(message.text)


def build(token: str, api: str) -> tuple[Bot, Dispatcher]:
    """The echo bot against the Bot API server at `api`, with aiogram's defaults otherwise."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.rstrip("/")))
    dispatcher = Dispatcher()
    dispatcher.message.register(echo, F.text)
    return Bot(token, session=session), dispatcher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True, help="the bot token the server expects")
    parser.add_argument("--api", required=True, help="Bot API base URL, e.g. http://127.0.0.1:8081")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    bot, dispatcher = build(args.token, args.api)
    asyncio.run(dispatcher.start_polling(bot))


if __name__ == "__main__":
    main()
