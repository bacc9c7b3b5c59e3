"""Intake: updates are rows before Telegram is told we have them, then handled in order.

Why not the frameworks' own polling: both acknowledge an update (move the offset) before it is
handled, so a crash loses it. Here the offset sent to getUpdates only moves past updates already
committed to `incoming_updates`; the webhook answers 200 only after the same commit. An update just
recorded is handed to the engine from memory, in the order it came, without reading it back; the
pending rows are read from the database at start (what a previous run left), about a second
after an update's handling failed (to retry it), and otherwise once every `rest` seconds (what
another worker recorded and died before handling).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.sender import SendError
from storage.database import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
RETRY_AFTER = 1.0
"""Seconds before an update whose handling failed is handed to the engine again."""


class Intake:
    """Records updates durably and feeds the pending ones to the engine."""

    def __init__(
        self,
        db: Database,
        estate_id: int,
        feed: Callable[[dict[str, Any]], Awaitable[None]],
        retry_after: float = RETRY_AFTER,
    ) -> None:
        self.db = db
        self.estate_id = estate_id
        self.feed = feed
        self.retry_after = retry_after
        self._wake = asyncio.Event()
        self._retry_at: dict[int, float] = {}
        self._fresh: deque[dict[str, Any]] = deque()  # recorded, not yet handed to the engine
        self._next_look = 0.0  # when `process` next reads the pending rows (loop time)

    async def record(self, updates: list[dict[str, Any]]) -> list[int]:
        """Commit updates not seen before; returns the new ids (a redelivery adds none)."""
        async with self.db.uow(self.estate_id) as uow:
            new = await uow.inbox.record(updates)
            await uow.commit()
        if new:
            wanted = set(new)
            for payload in updates:
                update_id = int(payload["update_id"])
                if update_id in wanted:
                    wanted.discard(update_id)
                    self._fresh.append(payload)
            self._wake.set()
        return new

    async def poll(self, transport: Any, stop: asyncio.Event, wait: int = 25) -> None:
        """Long-poll getUpdates; the offset confirms only what is already recorded."""
        async with self.db.uow(self.estate_id) as uow:
            last = await uow.inbox.max_update_id()
        offset = last + 1 if last is not None else None
        delay = 1.0
        while not stop.is_set():
            params: dict[str, Any] = {"timeout": wait, "allowed_updates": ALLOWED_UPDATES}
            if offset is not None:
                params["offset"] = offset
            try:
                updates = await _unless_stopped(
                    transport.call("getUpdates", params, read_timeout=wait + 10), stop
                )
            except (SendError, OSError, TimeoutError) as exc:
                log.warning("getUpdates failed (%s); retrying in %.0fs", exc, delay)
                await _sleep_or_stop(stop, delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 1.0
            if updates:  # None when stopped mid-call: the offset was never sent, nothing is lost
                await self.record(updates)
                offset = max(int(u["update_id"]) for u in updates) + 1

    def retry_soon(self) -> None:
        """An update's handling failed and stays pending: read the pending rows again in about
        `retry_after` seconds (the desk calls this; it counts the attempts)."""
        soon = asyncio.get_running_loop().time() + self.retry_after
        self._next_look = min(self._next_look, soon)

    async def process(self, stop: asyncio.Event, rest: float = 30.0) -> None:
        """Hand updates to the engine in order until `stop` is set: first what the database
        holds from before, then each batch as it is recorded; the database again when a
        handling failed (`retry_soon`) and otherwise once every `rest` seconds."""
        loop = asyncio.get_running_loop()
        self._next_look = 0.0
        while not stop.is_set():
            # Cleared before looking, not after: an update recorded while the engine handles
            # the previous ones is not left waiting for the idle timeout.
            self._wake.clear()
            await self.process_fresh()
            if loop.time() >= self._next_look:
                self._next_look = loop.time() + rest
                await self.process_pending()
            if self._fresh:
                continue
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {waiter, stopper},
                timeout=max(0.0, self._next_look - loop.time()),
                return_when=asyncio.FIRST_COMPLETED,
            )
            waiter.cancel()
            stopper.cancel()

    async def process_fresh(self) -> int:
        """Hand the updates recorded by this process to the engine, without reading them back."""
        handled = 0
        while self._fresh:
            payload = self._fresh.popleft()
            await self._feed(int(payload["update_id"]), payload)
            handled += 1
        return handled

    async def process_pending(self) -> int:
        """Hand the pending rows of the database to the engine (at start, and to retry)."""
        async with self.db.uow(self.estate_id) as uow:
            rows = await uow.inbox.pending(limit=100)
            payloads = [(row.update_id, row.payload) for row in rows]
        loop = asyncio.get_running_loop()
        handled = 0
        for update_id, payload in payloads:
            retry_at = self._retry_at.get(update_id, 0.0)
            if retry_at > loop.time():  # failed a moment ago: look again when it may go
                self._next_look = min(self._next_look, retry_at)
                continue
            await self._feed(update_id, payload)
            handled += 1
        if len(self._retry_at) > 10_000:
            self._retry_at.clear()
        return handled

    async def _feed(self, update_id: int, payload: dict[str, Any]) -> None:
        """One update to the engine; one that stays pending is tried again a second later at
        the earliest (the desk counts attempts and gives up after its last)."""
        try:
            await self.feed(payload)
        except Exception:
            log.exception("update %s could not be handed to the engine", update_id)
            self.retry_soon()
        self._retry_at[update_id] = asyncio.get_running_loop().time() + self.retry_after


async def _unless_stopped(call: Awaitable[Any], stop: asyncio.Event) -> Any:
    """Await a long poll, abandoning it (unacknowledged) as soon as `stop` is set."""
    task = asyncio.ensure_future(call)
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    return None


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
