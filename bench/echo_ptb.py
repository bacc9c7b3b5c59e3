"""The floor `bench/registration.py` compares estate-bot against: a bare python-telegram-bot echo.

One `Application` with its defaults (one update at a time, long polling through `run_polling`) and
one `MessageHandler` that answers every text with the same text. No database, no outbox, no rate
limits: whatever this costs per update, estate-bot cannot cost less on the same library and stack.

    python bench/echo_ptb.py --token 123456:SANDBOX-TOKEN --api http://127.0.0.1:PORT

`--api` is the Bot API server's base URL (the sandbox's `base_url`). SIGTERM or SIGINT stops it
cleanly (`run_polling` handles both).
"""

from __future__ import annotations

import argparse
import logging

import sniffio  # noqa: F401 - fail at once if missing: without it httpcore is much slower
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text with the same text."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def build(token: str, api: str) -> Application:
    """The echo bot against the Bot API server at `api`, with PTB's defaults otherwise."""
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api.rstrip('/')}/bot")
        .base_file_url(f"{api.rstrip('/')}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True, help="the bot token the server expects")
    parser.add_argument("--api", required=True, help="Bot API base URL, e.g. http://127.0.0.1:8081")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    build(args.token, args.api).run_polling()


if __name__ == "__main__":
    main()
