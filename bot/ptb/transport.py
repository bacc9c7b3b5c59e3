"""Raw Bot API calls through python-telegram-bot's `Bot`, with its errors mapped to the sender's.

The outbox stores Bot API payloads, not library objects, so the same rows can be delivered by any
engine; PTB's `do_api_request` sends such payloads as they are. A file made at send time (the
renderer's `Upload`) becomes PTB's `InputFile`, which makes the request a multipart upload.
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from typing import Any

from telegram import Bot, InputFile, InputMedia, InputMediaDocument, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.core.sender import Blocked, Rejected, RetryLater, Unavailable
from bot.render import Upload

# PTB 22.2 deprecates `RetryAfter.retry_after` as seconds in favour of a timedelta (the next major
# version's type), and warns on every 429 until a program opts in; `call` takes both.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# do_api_request nudges towards the typed method when one exists; raw payloads are the point here.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)


class PtbTransport:
    """`Transport` over a PTB `Bot`."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def call(
        self, method: str, params: dict[str, Any], read_timeout: float | None = None
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if read_timeout is not None:
            kwargs["read_timeout"] = read_timeout
        if method == "sendMediaGroup":
            params = {**params, "media": [_input_media(item) for item in params["media"]]}
        if any(isinstance(value, Upload) for value in params.values()):
            params = {name: _input_file(value) for name, value in params.items()}
        try:
            return await self.bot.do_api_request(method, api_kwargs=params, **kwargs)
        except RetryAfter as exc:
            seconds = exc.retry_after
            if isinstance(seconds, timedelta):
                seconds = seconds.total_seconds()
            raise RetryLater(float(seconds)) from exc
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except BadRequest as exc:
            raise Rejected(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            raise Unavailable(str(exc)) from exc


def _input_file(value: Any) -> Any:
    """An `Upload` as PTB's file part (its MIME type guessed from the name); others as they are."""
    if isinstance(value, Upload):
        return InputFile(value.data, filename=value.filename)
    return value


def _input_media(item: dict[str, Any]) -> InputMedia:
    """PTB insists on its own objects for an album's items (it sets their parse mode)."""
    kinds = {"photo": InputMediaPhoto, "document": InputMediaDocument}
    kind = kinds[item.get("type", "photo")]
    return kind(media=item["media"], caption=item.get("caption"), parse_mode=item.get("parse_mode"))
