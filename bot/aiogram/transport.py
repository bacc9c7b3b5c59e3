"""Raw Bot API calls through aiogram's `Bot`, with its errors mapped to the sender's.

The outbox stores Bot API payloads, not library objects. aiogram sends only its typed methods, so a
payload is validated into the method of that name (`sendMessage` -> `SendMessage`) and its answer
is dumped back to the Bot API's JSON, which is what the sender and the intake read. A file made at
send time (the renderer's `Upload`) becomes aiogram's `BufferedInputFile`, a multipart upload.
"""

from __future__ import annotations

from typing import Any

import aiogram.methods
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import TelegramMethod
from aiogram.types import BufferedInputFile
from pydantic import BaseModel

from bot.core.sender import Blocked, Rejected, RetryLater, Unavailable
from bot.render import Upload


class AiogramTransport:
    """`Transport` over an aiogram `Bot`."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def call(
        self, method: str, params: dict[str, Any], read_timeout: float | None = None
    ) -> Any:
        request = _method(method).model_validate(
            {name: _input_file(value) for name, value in params.items()}
        )
        timeout = int(read_timeout) if read_timeout is not None else None
        try:
            result = await self.bot(request, request_timeout=timeout)
        except TelegramRetryAfter as exc:
            raise RetryLater(float(exc.retry_after)) from exc
        except TelegramForbiddenError as exc:
            raise Blocked(exc.message) from exc
        except TelegramBadRequest as exc:
            raise Rejected(exc.message) from exc
        except (TelegramServerError, TelegramNetworkError) as exc:
            raise Unavailable(str(exc)) from exc
        return _json(result)


def _method(name: str) -> type[TelegramMethod[Any]]:
    """aiogram's method class for a Bot API method name."""
    found = getattr(aiogram.methods, name[:1].upper() + name[1:], None)
    if not (isinstance(found, type) and issubclass(found, TelegramMethod)):
        raise Rejected(f"aiogram has no method {name!r}")
    return found


def _input_file(value: Any) -> Any:
    if isinstance(value, Upload):
        return BufferedInputFile(value.data, filename=value.filename)
    return value


def _json(value: Any) -> Any:
    """An answer as the Bot API sent it: objects as dicts (by their wire names), lists of them."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value
