"""Outgoing messages as rows: staged by handlers, delivered by the sender."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
BLOCKED = "blocked"


class Outbox:
    """Stages messages in the caller's transaction, and lets the sender claim and settle them."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._session = session
        self._now = now
        self.staged = 0

    async def send(
        self, chat_id: int, body: dict[str, Any], *, group: bool = False, urgent: bool = False
    ) -> int:
        """Stage a new message to a chat; returns its outbox id, for later edits of it.

        An urgent message goes out before the chat's ordinary ones still waiting (an urgent
        repair card in a busy group is not stuck behind the per-group rate limit).
        """
        row = OutboxMessage(
            chat_id=chat_id,
            is_group=group,
            kind="send",
            body=body,
            not_before=self._now,
            created_at=self._now,
            priority=1 if urgent else 0,
        )
        self._session.add(row)
        await self._session.flush()
        self.staged += 1
        return row.id

    async def edit(self, original_id: int, body: dict[str, Any]) -> int:
        """Stage an edit of an earlier message (sent or not yet: the sender keeps the order)."""
        original = await self._session.get(OutboxMessage, original_id)
        if original is None:
            raise LookupError(f"outbox message {original_id} does not exist")
        row = OutboxMessage(
            chat_id=original.chat_id,
            is_group=original.is_group,
            kind="edit",
            body=body,
            edit_of=original_id,
            not_before=self._now,
            created_at=self._now,
        )
        self._session.add(row)
        await self._session.flush()
        self.staged += 1
        return row.id

    # The sender's side.

    async def next_batch(self, limit: int) -> list[OutboxMessage]:
        """Unsent rows in id order: pending ones and those claimed for sending.

        Claimed rows are returned too, so the sender can keep a chat's later messages waiting
        behind one still in flight, and take over a claim whose sender died.
        """
        rows = await self._session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status.in_([PENDING, SENDING]))
            .order_by(OutboxMessage.priority.desc(), OutboxMessage.id)
            .limit(limit)
        )
        return list(rows)

    async def claim(self, row: OutboxMessage) -> bool:
        """Take a row for sending; False if another sender took it first."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.status == row.status,
                OutboxMessage.attempts == row.attempts,
            )
            .values(status=SENDING, claimed_at=self._now, attempts=row.attempts + 1)
        )
        return result.rowcount == 1

    async def get(self, outbox_id: int) -> OutboxMessage | None:
        return await self._session.get(OutboxMessage, outbox_id)

    async def settle(self, outbox_id: int, status: str, **values: Any) -> None:
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(status=status, **values)
        )

    async def settle_chat(self, chat_id: int, status: str, error: str) -> int:
        """Settle every unsent row of a chat at once (the user blocked the bot)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status.in_([PENDING, SENDING]))
            .values(status=status, error=error)
        )
        return result.rowcount
