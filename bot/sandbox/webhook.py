"""Webhook delivery: POST each pending update to the bot's URL until it answers 2xx.

Telegram sends updates one by one, with the ``X-Telegram-Bot-Api-Secret-Token`` header when a
secret was set, keeps an update until the webhook accepts it, and backs off after failures
(recorded in ``getWebhookInfo``'s ``last_error_*``). A bot may also answer the POST with a method
call in the body (``{"method": "sendMessage", ...}``), which Telegram then executes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from .notifier import Notifier
from .updates import UpdateQueue

log = logging.getLogger(__name__)

ReplyHandler = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST to the webhook: which update, and the status (``None``: connection failed)."""

    update_id: int
    status: int | None
    error: str | None
    at: float


class WebhookSender:
    """Runs one delivery task while a webhook is set."""

    def __init__(
        self,
        queue: UpdateQueue,
        notifier: Notifier,
        *,
        on_reply: ReplyHandler,
        retry_delay: float,
        retry_max: float,
        timeout: float,
    ) -> None:
        self._queue = queue
        self._notifier = notifier
        self._on_reply = on_reply
        self._retry_delay = retry_delay
        self._retry_max = retry_max
        self._timeout = timeout
        self.url: str | None = None
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.attempts: list[WebhookAttempt] = []
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def set(self, url: str, *, secret_token: str | None, max_connections: int) -> None:
        """Start (or redirect) delivery to ``url``."""
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.last_error_date = None
        self.last_error_message = None
        self._restart()

    def delete(self) -> None:
        """Stop delivering; updates stay queued for ``getUpdates``."""
        self.url = None
        self.secret_token = None
        self._cancel()

    async def close(self) -> None:
        """Stop the task and close the HTTP client (sandbox shutdown)."""
        self.url = None
        task = self._task
        self._cancel()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _restart(self) -> None:
        self._cancel()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sandbox-webhook")

    async def _run(self) -> None:
        delay = self._retry_delay
        while self.url:
            update = self._queue.first()
            if update is None:
                await self._notifier.wait()
                continue
            ok = await self._deliver(self.url, update)
            if ok:
                delay = self._retry_delay
                continue
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry_max)

    async def _deliver(self, url: str, update: dict[str, Any]) -> bool:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        update_id = update["update_id"]
        try:
            async with self._session.post(
                url,
                data=json.dumps(update, ensure_ascii=False).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            ) as response:
                body = await response.read()
                status = response.status
                reason = response.reason or ""
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            message = "Connection refused" if isinstance(exc, OSError) else type(exc).__name__
            self._failed(update_id, None, message)
            return False
        if not 200 <= status < 300:
            self._failed(update_id, status, f"Wrong response from the webhook: {status} {reason}")
            return False
        self.attempts.append(WebhookAttempt(update_id, status, None, time.monotonic()))
        self._queue.ack(update_id)
        await self._reply(body)
        return True

    def _failed(self, update_id: int, status: int | None, message: str) -> None:
        self.attempts.append(WebhookAttempt(update_id, status, message, time.monotonic()))
        self.last_error_date = int(time.time())
        self.last_error_message = message
        self._notifier.changed()

    async def _reply(self, body: bytes) -> None:
        if not body.strip():
            return
        try:
            reply = json.loads(body)
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            try:
                await self._on_reply(reply)
            except Exception:  # the bot gets no answer to a reply call, as with Telegram
                log.exception("webhook reply %s failed", reply.get("method"))
