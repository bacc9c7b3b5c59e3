"""The one sender: delivers outbox rows within Telegram's limits and records what happened.

Why a sender of our own rather than sending from handlers: a message decided in a transaction must
go out even if the process dies right after the commit, and must not go out if the transaction
rolled back. Rows are delivered in id order per chat; chats proceed in parallel.

Limits kept (aiolimiter leaky buckets): about 30 messages a second overall, 20 a minute per group,
and in one private chat bursts of 20, then one a second. A 429 pauses all sending for its
`retry_after` and the row is tried again; a 403 marks the user as having blocked the bot and
settles their queue; a 5xx or a network error is retried with growing delays; any other 400 fails
the row for good.

The one window left: a request that reached Telegram but whose answer was lost with the process.
Telegram offers no idempotency key, so such a row is sent again once its claim goes stale
(at-least-once). Everything before the HTTP call and after its answer is exactly-once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from aiolimiter import AsyncLimiter

from bot.render import ApiCall, Renderer
from storage.database import Database
from storage.models import OutboxMessage
from storage.repositories.outbox import BLOCKED, FAILED, PENDING, SENDING, SENT
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class SendError(Exception):
    """Base of what a transport reports when Telegram did not take a call."""


class RetryLater(SendError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Blocked(SendError):
    """403: the user blocked the bot, or never started it."""


class Rejected(SendError):
    """400: the request itself is wrong; sending it again will not help."""


class Unavailable(SendError):
    """5xx or the network: try again later."""


class Transport(Protocol):
    """How the sender reaches the Bot API; each engine provides one."""

    async def call(self, method: str, params: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class SenderLimits:
    per_second: float = 30
    per_group_minute: float = 20
    private_burst: float = 20
    claim_timeout: timedelta = timedelta(seconds=30)
    max_attempts: int = 8
    batch: int = 200
    parallel_chats: int = 8


def backoff(attempts: int) -> timedelta:
    """Delay before retrying after a server or network error: 2, 4, 8 ... seconds, at most 5 min."""
    return timedelta(seconds=min(300, 2 ** max(1, attempts)))


class OutboxSender:
    """Drains the outbox; `wake()` after a commit makes it look at once."""

    def __init__(
        self,
        db: Database,
        estate_id: int,
        transport: Transport,
        renderer: Renderer,
        languages_for: Callable[[list[int]], Awaitable[dict[int, str]]],
        limits: SenderLimits | None = None,
        on_blocked: Callable[[UnitOfWork, int], Awaitable[None]] | None = None,
    ) -> None:
        self.db = db
        self.estate_id = estate_id
        self.transport = transport
        self.renderer = renderer
        self.languages_for = languages_for
        self.on_blocked = on_blocked  # tells staff whose work needs that person
        self.limits = limits or SenderLimits()
        self._overall = AsyncLimiter(self.limits.per_second, 1)
        self._chat_limiters: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._wake = asyncio.Event()
        self._paused_until = 0.0

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; sleeps when there is nothing due."""
        while not stop.is_set():
            try:
                delivered = await self.deliver_due()
            except Exception:
                log.exception("outbox pass failed; retrying")
                delivered = 0
            if delivered:
                continue
            self._wake.clear()
            wait = asyncio.ensure_future(self._wake.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({wait, stopped}, timeout=0.5, return_when=asyncio.FIRST_COMPLETED)
            wait.cancel()
            stopped.cancel()

    async def deliver_due(self) -> int:
        """One pass over what is due; returns how many rows were settled."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._paused_until:
            await asyncio.sleep(self._paused_until - loop.time())
        async with self.db.uow(self.estate_id) as uow:
            rows = await uow.outbox.next_batch(self.limits.batch)
            now = uow.now
            await uow.commit()  # keeps the loaded rows usable (a rollback would expire them)
        by_chat: dict[int, list[OutboxMessage]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        for chat_id, queue in by_chat.items():
            due: list[OutboxMessage] = []
            for row in queue:
                # Later rows of a chat wait behind an earlier one, to keep the order.
                if row.status == SENDING and row.claimed_at is not None:
                    if row.claimed_at > now - self.limits.claim_timeout:
                        break  # in flight (here or in another worker)
                elif row.not_before > now:
                    break
                due.append(row)
            by_chat[chat_id] = due
        languages = await self.languages_for([chat for chat, queue in by_chat.items() if queue])
        gate = asyncio.Semaphore(self.limits.parallel_chats)

        async def drain(queue: list[OutboxMessage]) -> int:
            async with gate:
                done = 0
                for row in queue:
                    if not self._chat_limiter(row).has_capacity():
                        break  # this chat's quota is spent: a later pass sends the rest
                    if not await self._deliver(row, languages[row.chat_id]):
                        break
                    done += 1
                return done

        results = await asyncio.gather(*(drain(q) for q in by_chat.values() if q))
        return sum(results)

    async def _deliver(self, row: OutboxMessage, language: str) -> bool:
        """Send one row; False when the rest of its chat's queue must wait."""
        async with self.db.uow(self.estate_id) as uow:
            if not await uow.outbox.claim(row):
                return False
            if row.chat_id > 0 and await uow.people.has_blocked_bot(row.chat_id):
                # Known to have blocked us: settle without asking Telegram (and without
                # telling staff again); writing to the bot again lifts this.
                await uow.outbox.settle(row.id, BLOCKED, error="blocked the bot earlier")
                await uow.commit()
                return True
            target: OutboxMessage | None = None
            if row.edit_of is not None:
                target = await uow.outbox.get(row.edit_of)
            await uow.commit()
        if target is not None and target.status != SENT:
            return await self._settle_unsendable_edit(row, target)
        try:
            if row.body.get("chart"):  # drawing a chart takes a while: not on the event loop
                calls = await asyncio.to_thread(self._calls, row, target, language)
            else:
                calls = self._calls(row, target, language)
        except ValueError as exc:
            await self._settle(row, FAILED, error=f"render: {exc}")
            return True
        message_id: int | None = None
        try:
            for call in calls:
                await self._limit(row)
                result = await self.transport.call(call.method, call.params)
                message_id = _message_id(result) or message_id
        except RetryLater as exc:
            loop = asyncio.get_running_loop()
            self._paused_until = max(self._paused_until, loop.time() + exc.seconds)
            await self._settle(
                row, PENDING, not_before_in=timedelta(seconds=exc.seconds), error=str(exc)
            )
            log.warning("429 from Telegram: pausing %.0fs", exc.seconds)
            return False
        except Blocked as exc:
            await self._blocked(row, str(exc))
            return False
        except Rejected as exc:
            if row.kind == "edit" and "message is not modified" in str(exc):
                await self._settle(row, SENT, message_id=target and target.telegram_message_id)
                return True
            log.warning("Telegram refused outbox row %s: %s", row.id, exc)
            await self._settle(row, FAILED, error=str(exc))
            return True
        except Exception as exc:  # a 5xx, the network, or a bug: retried, then given up
            if not isinstance(exc, Unavailable | OSError | TimeoutError):
                log.exception("sending outbox row %s failed", row.id)
            if row.attempts + 1 >= self.limits.max_attempts:
                await self._settle(row, FAILED, error=str(exc))
                return True
            await self._settle(
                row, PENDING, not_before_in=backoff(row.attempts + 1), error=str(exc)
            )
            return False
        if row.kind == "edit" and target is not None:
            message_id = target.telegram_message_id
        await self._settle(row, SENT, message_id=message_id)
        return True

    def _calls(
        self, row: OutboxMessage, target: OutboxMessage | None, language: str
    ) -> list[ApiCall]:
        if row.kind == "edit":
            assert target is not None and target.telegram_message_id is not None
            caption = self.renderer.captioned(target.body)
            return [
                self.renderer.edit(
                    language, row.chat_id, target.telegram_message_id, row.body, caption
                )
            ]
        return self.renderer.send(language, row.chat_id, row.body)

    async def _limit(self, row: OutboxMessage) -> None:
        await self._overall.acquire()
        await self._chat_limiter(row).acquire()

    def _chat_limiter(self, row: OutboxMessage) -> AsyncLimiter:
        """The chat's own bucket. A spent one is skipped, not awaited, so one busy group
        never holds up the replies everyone else is waiting for."""
        limiter = self._chat_limiters.get(row.chat_id)
        if limiter is None:
            limiter = (
                AsyncLimiter(self.limits.per_group_minute, 60)
                if row.is_group
                else AsyncLimiter(self.limits.private_burst, self.limits.private_burst)
            )
            self._chat_limiters[row.chat_id] = limiter
            while len(self._chat_limiters) > 10_000:
                self._chat_limiters.popitem(last=False)
        self._chat_limiters.move_to_end(row.chat_id)
        return limiter

    async def _settle_unsendable_edit(self, row: OutboxMessage, target: OutboxMessage) -> bool:
        if target.status in {FAILED, BLOCKED}:
            await self._settle(row, target.status, error=f"original {target.id} {target.status}")
            return True
        await self._settle(row, PENDING, not_before_in=timedelta(seconds=1))
        return False

    async def _blocked(self, row: OutboxMessage, error: str) -> None:
        async with self.db.uow(self.estate_id) as uow:
            await uow.outbox.settle(row.id, BLOCKED, error=error)
            await uow.outbox.settle_chat(row.chat_id, BLOCKED, error)
            user = await uow.people.telegram_user(row.chat_id)
            newly_blocked = user is not None and user.blocked_at is None
            if newly_blocked:
                user.blocked_at = uow.now  # type: ignore[union-attr]
            uow.events.record(
                "user.blocked_bot", "user", row.chat_id, actor=row.chat_id, error=error
            )
            if self.on_blocked is not None and row.chat_id > 0 and newly_blocked:
                await self.on_blocked(uow, row.chat_id)
            await uow.commit()
        log.info("chat %s blocked the bot: its queue is settled", row.chat_id)

    async def _settle(
        self,
        row: OutboxMessage,
        status: str,
        *,
        error: str | None = None,
        message_id: int | None = None,
        not_before_in: timedelta | None = None,
    ) -> None:
        async with self.db.uow(self.estate_id) as uow:
            values: dict[str, Any] = {"error": error}
            if status == SENT:
                values["sent_at"] = uow.now
                values["telegram_message_id"] = message_id
            if not_before_in is not None:
                values["not_before"] = uow.now + not_before_in
            await uow.outbox.settle(row.id, status, **values)
            await uow.commit()


def _message_id(result: Any) -> int | None:
    if isinstance(result, dict):
        value = result.get("message_id")
        return int(value) if value is not None else None
    if isinstance(result, list) and result:
        return _message_id(result[-1])
    return None
