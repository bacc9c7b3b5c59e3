"""Things that make the sandbox refuse or delay requests on purpose.

* ``RateLimiter``: Telegram's flood limits (30 messages a second overall, 20 a minute per group),
  enforced only with ``strict_limits=True`` so tests can prove the bot's sender keeps them.
* ``FaultPlan``: ``fail_next`` — scripted failures (429, 5xx, dropped connections).
* ``HoldGate``: ``hold``/``release`` — park matching requests unprocessed, so a test can kill the
  bot mid-request and check that nothing was delivered.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ApiError, default_description, too_many_requests

GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20


class RateLimiter:
    """Sliding-window counters of messages sent, answering 429 like Telegram when exceeded."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}

    def reset(self) -> None:
        """Forget past sends, as if the windows had passed."""
        self._global.clear()
        self._groups.clear()

    def check(self, chat_id: int, is_group: bool, count: int = 1) -> None:
        """Account for ``count`` new messages to ``chat_id`` or raise ``429``."""
        if not self.enabled:
            return
        now = time.monotonic()
        waits = [_wait(self._global, now, 1.0, GLOBAL_PER_SECOND, count)]
        if is_group:
            group = self._groups.setdefault(chat_id, deque())
            waits.append(_wait(group, now, 60.0, GROUP_PER_MINUTE, count))
        wait = max(waits)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for _ in range(count):
            self._global.append(now)
            if is_group:
                self._groups[chat_id].append(now)


def _wait(window: deque[float], now: float, span: float, limit: int, count: int) -> float:
    while window and window[0] <= now - span:
        window.popleft()
    if len(window) + count <= limit:
        return 0.0
    # The request fits once enough of the oldest sends have left the window.
    index = min(len(window) - 1, len(window) + count - limit - 1)
    return window[index] + span - now


@dataclass
class Fault:
    """One scripted failure: the error to answer, and whether the request is still processed."""

    method: str
    status: int
    description: str
    retry_after: int | None
    processed: bool
    remaining: int
    chat_id: int | None = None  # only calls to this chat fail (None: any)

    def error(self) -> ApiError:
        """The ``ApiError`` to answer with."""
        return ApiError(self.status, self.description, retry_after=self.retry_after)


class FaultPlan:
    """``fail_next`` bookkeeping: faults by method name, used up one request at a time."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(
        self,
        method: str,
        *,
        status: int,
        description: str | None,
        retry_after: int | None,
        count: int,
        processed: bool,
        chat_id: int | None = None,
    ) -> None:
        """Fail the next ``count`` calls of ``method`` (``"*"`` for any method), to ``chat_id``
        only when one is given."""
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or default_description(status, retry_after)
        self._faults.append(
            Fault(method.lower(), status, text, retry_after, processed, max(1, count), chat_id)
        )

    def take(self, method: str, chat_id: object = None) -> Fault | None:
        """The fault for this call, if one is scripted (and use it up)."""
        for fault in self._faults:
            if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
                continue
            if fault.method in ("*", method.lower()):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Forget all scripted faults."""
        self._faults.clear()


class HoldGate:
    """Requests of held methods wait here until released."""

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        self._on_change = on_change or (lambda: None)
        self._held: set[str] = set()
        self._waiting: dict[str, int] = {}
        self._released = asyncio.Event()
        self._aborted = False

    def hold(self, method: str) -> None:
        """Park every following request to ``method`` (``"*"`` for all)."""
        self._held.add(method.lower())

    def release(self, method: str | None = None) -> None:
        """Let parked requests of ``method`` (all when ``None``) proceed; stop holding it."""
        if method is None:
            self._held.clear()
        else:
            self._held.discard(method.lower())
        self._released.set()
        self._released = asyncio.Event()

    def is_held(self, method: str) -> bool:
        """Whether a request to ``method`` would be parked now."""
        return bool(self._held) and ("*" in self._held or method.lower() in self._held)

    def waiting(self, method: str | None = None) -> int:
        """How many requests (to ``method``, or in all) are parked right now."""
        if method is None:
            return sum(self._waiting.values())
        return self._waiting.get(method.lower(), 0)

    async def wait(self, method: str) -> None:
        """Park while ``method`` is held; raises ``ApiError(502)`` if the sandbox stops."""
        key = method.lower()
        if not self.is_held(key):
            return
        self._waiting[key] = self._waiting.get(key, 0) + 1
        self._on_change()
        try:
            while self.is_held(key):
                if self._aborted:
                    raise ApiError(502, "Bad Gateway")
                await self._released.wait()
        finally:
            self._waiting[key] -= 1
            self._on_change()

    def abort_all(self) -> None:
        """On shutdown: fail every parked request."""
        self._aborted = True
        self._released.set()
        self._released = asyncio.Event()
