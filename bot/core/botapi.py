"""The Bot API over one aiohttp session: stored payloads in, Telegram's JSON answer out.

Why not each engine's own `Bot`: the outbox and the intake deal in Bot API payloads, never in a
library's objects, and both libraries charge for objects anyway. python-telegram-bot sends
through httpx (about 1.5 ms of CPU per call, measured against the sandbox), aiogram validates
every payload into its typed method and its answer back into models; a JSON body posted with
aiohttp costs about 0.35 ms. A reply needs two or three calls (the long poll that brought the
update, the messages back), so this is most of what separates the desk from a bare echo bot
(`bench/README.md`). The engines keep their library for what needs its types: reading an update,
dispatching it, `getMe`, the command menu and file downloads.

Telegram's answers map onto the sender's errors: 429 -> `RetryLater` (its `retry_after`), 403 ->
`Blocked`, 400 -> `Rejected`; 5xx, any other status, a broken connection or a timeout ->
`Unavailable`, which the sender retries with growing delays.
"""

from __future__ import annotations

import json
import mimetypes
from typing import Any

import aiohttp

from bot.core.sender import Blocked, Rejected, RetryLater, Unavailable
from bot.render import Upload

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
"""Seconds without an answer before a call counts as lost (the long poll adds its own wait)."""


class BotApi:
    """`Transport` for the sender, the intake and tap answers: POST a method's parameters, return
    `result`."""

    def __init__(self, token: str, api_base: str, connections: int = 16) -> None:
        self.base = f"{api_base.rstrip('/')}/bot{token}/"
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        """One session for the process, made in the running loop on first use."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                json_serialize=_dumps,
            )
        return self._session

    async def call(
        self, method: str, params: dict[str, Any], read_timeout: float | None = None
    ) -> Any:
        timeout = aiohttp.ClientTimeout(
            sock_connect=CONNECT_TIMEOUT,
            sock_read=read_timeout if read_timeout is not None else READ_TIMEOUT,
        )
        body: dict[str, Any] = {}
        if any(isinstance(value, Upload) for value in params.values()):
            body["data"] = _form(params)
        else:
            body["json"] = {name: value for name, value in params.items() if value is not None}
        try:
            async with self._client().post(self.base + method, timeout=timeout, **body) as reply:
                status = reply.status
                raw = await reply.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unavailable(f"{method}: {type(exc).__name__}: {exc}") from exc
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            raise Unavailable(f"{method}: HTTP {status}, not JSON") from exc
        if answer.get("ok"):
            return answer.get("result")
        raise _error(method, int(answer.get("error_code") or status), answer)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _error(method: str, code: int, answer: dict[str, Any]) -> Exception:
    """Telegram's refusal as the sender's error."""
    description = str(answer.get("description") or f"HTTP {code}")
    if code == 429:
        retry_after = (answer.get("parameters") or {}).get("retry_after")
        return RetryLater(float(retry_after if retry_after is not None else 1))
    if code == 403:
        return Blocked(description)
    if code == 400:
        return Rejected(description)
    return Unavailable(f"{method}: {description}")


def _form(params: dict[str, Any]) -> aiohttp.FormData:
    """A multipart body: each `Upload` a file part, objects as JSON, the rest as text."""
    form = aiohttp.FormData()
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, Upload):
            kind = mimetypes.guess_type(value.filename)[0] or "application/octet-stream"
            form.add_field(name, value.data, filename=value.filename, content_type=kind)
        elif isinstance(value, dict | list | bool):
            form.add_field(name, _dumps(value))
        else:
            form.add_field(name, str(value))
    return form


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
