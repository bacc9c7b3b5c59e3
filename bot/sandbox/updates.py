"""The bot's update queue: ids, ``offset`` confirmation, long polling and redelivery.

Telegram keeps each update until the bot confirms it by asking for a higher ``offset`` (or a
webhook call succeeds), answers a waiting ``getUpdates`` as soon as an update arrives, and ends an
older long poll with ``409 Conflict`` when a second one starts. This module models exactly that,
plus ``redeliver`` to simulate Telegram's at-least-once delivery.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from .errors import ApiError, SandboxError
from .notifier import Notifier

UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
)  # fmt: skip
#: Update types a bot gets only when it asks for them in ``allowed_updates``.
OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

OTHER_POLL = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


class UpdateQueue:
    """Pending updates in id order, and the long polls waiting for them."""

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier
        self._next_id = 1
        self._pending: list[dict[str, Any]] = []
        self._history: dict[int, dict[str, Any]] = {}
        self._redelivered: set[int] = set()
        self.allowed_updates: list[str] = []
        self._poll_owner: object | None = None
        self._terminated: dict[object, str] = {}
        self.closing = False

    # -- producing --------------------------------------------------------------------------

    def is_allowed(self, kind: str) -> bool:
        """Whether the bot's ``allowed_updates`` lets updates of this type through."""
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in OPT_IN_TYPES

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Enqueue an update; ``None`` if ``allowed_updates`` filters this type out."""
        if not self.is_allowed(kind):
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._history[update["update_id"]] = update
        self._pending.append(update)
        self._notifier.changed()
        return copy.deepcopy(update)

    def redeliver(self, update_id: int) -> dict[str, Any]:
        """Put an already confirmed update back in the queue, with its original id."""
        update = self._history.get(update_id)
        if update is None:
            raise SandboxError(f"no update {update_id} was ever sent")
        if any(u["update_id"] == update_id for u in self._pending):
            return copy.deepcopy(update)
        self._pending.append(update)
        self._pending.sort(key=lambda u: u["update_id"])
        self._redelivered.add(update_id)
        self._notifier.changed()
        return copy.deepcopy(update)

    # -- consuming --------------------------------------------------------------------------

    @property
    def pending_count(self) -> int:
        """Updates not yet confirmed."""
        return len(self._pending)

    def pending(self) -> list[dict[str, Any]]:
        """Copies of the pending updates."""
        return copy.deepcopy(self._pending)

    def history(self) -> list[dict[str, Any]]:
        """Copies of every update ever enqueued, in order."""
        return [copy.deepcopy(self._history[k]) for k in sorted(self._history)]

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (a redelivered one only after it was sent again)."""
        before = len(self._pending)
        self._pending = [
            u
            for u in self._pending
            if u["update_id"] >= offset or u["update_id"] in self._redelivered
        ]
        if len(self._pending) != before:
            self._notifier.changed()

    def take(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Apply ``offset`` as ``getUpdates`` does and return up to ``limit`` updates."""
        if offset < 0:
            kept = self._pending[offset:] if -offset < len(self._pending) else self._pending
            if len(kept) != len(self._pending):
                self._pending = list(kept)
                self._notifier.changed()
        elif offset > 0:
            self.confirm(offset)
        batch = self._pending[:limit]
        for update in batch:
            self._redelivered.discard(update["update_id"])
        return copy.deepcopy(batch)

    def first(self) -> dict[str, Any] | None:
        """The oldest pending update, for webhook delivery."""
        return copy.deepcopy(self._pending[0]) if self._pending else None

    def ack(self, update_id: int) -> None:
        """Drop one update after a successful webhook delivery."""
        self._redelivered.discard(update_id)
        self._pending = [u for u in self._pending if u["update_id"] != update_id]
        self._notifier.changed()

    def drop_pending(self) -> None:
        """``drop_pending_updates``: forget everything not yet delivered."""
        self._pending.clear()
        self._redelivered.clear()
        self._notifier.changed()

    # -- long polling -----------------------------------------------------------------------

    def terminate_polls(self, reason: str) -> None:
        """End the current long poll with ``409 Conflict: <reason>``."""
        if self._poll_owner is not None:
            self._terminated[self._poll_owner] = reason
            self._notifier.changed()

    async def long_poll(self, offset: int, limit: int, seconds: float) -> list[dict[str, Any]]:
        """``getUpdates``: answer at once if updates are pending, else wait ``seconds``."""
        token = object()
        self.terminate_polls(OTHER_POLL)
        self._poll_owner = token
        deadline = time.monotonic() + max(0.0, seconds)
        try:
            batch = self.take(offset, limit)
            while True:
                reason = self._terminated.get(token)
                if reason is not None:
                    raise ApiError(409, f"Conflict: {reason}")
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0 or self.closing:
                    return batch
                await self._notifier.wait(remaining)
                batch = self.take(0, limit)
        finally:
            if self._poll_owner is token:
                self._poll_owner = None
            self._terminated.pop(token, None)
