"""Change notification for waiting code: long polls, test waits and the webhook sender.

All sandbox state lives on one event loop, so a change is announced by a synchronous
``changed()`` call from wherever it happens, and anyone can ``await wait()`` for the next one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Notifier:
    """A version counter plus an event that fires on every change."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def changed(self) -> None:
        """Announce a change; wakes every current waiter."""
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None = None) -> bool:
        """Wait for the next change; ``False`` if ``seconds`` passed first."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def wait_for(
        self, predicate: Callable[[], object], within: float, *, poll: float | None = None
    ) -> object:
        """Wait until ``predicate()`` is truthy and return its value, or raise ``TimeoutError``
        after ``within`` seconds.

        The predicate is checked after every change, and every ``poll`` seconds if given (for
        conditions on things outside the sandbox).
        """
        deadline = time.monotonic() + within
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            await self.wait(remaining if poll is None else min(remaining, poll))
