"""Incoming updates, recorded before Telegram is told we have them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import IncomingUpdate


class Inbox:
    """Stores raw updates keyed by update_id; a second copy of the same update is ignored."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._session = session
        self._now = now

    async def record(self, updates: Sequence[dict[str, Any]]) -> list[int]:
        """Store the updates not seen before and return their ids (redeliveries are dropped)."""
        if not updates:
            return []
        ids = [int(u["update_id"]) for u in updates]
        known = set(
            await self._session.scalars(
                select(IncomingUpdate.update_id).where(IncomingUpdate.update_id.in_(ids))
            )
        )
        new: list[int] = []
        for payload in updates:
            update_id = int(payload["update_id"])
            if update_id in known or update_id in new:
                continue
            self._session.add(
                IncomingUpdate(update_id=update_id, payload=payload, received_at=self._now)
            )
            new.append(update_id)
        return new

    async def pending(self, limit: int = 100) -> list[IncomingUpdate]:
        rows = await self._session.scalars(
            select(IncomingUpdate)
            .where(IncomingUpdate.status == "pending")
            .order_by(IncomingUpdate.update_id)
            .limit(limit)
        )
        return list(rows)

    async def claim(self, update_id: int) -> bool:
        """Mark the update handled inside the handling transaction; False if another worker did."""
        result = await self._session.execute(
            update(IncomingUpdate)
            .where(IncomingUpdate.update_id == update_id, IncomingUpdate.status == "pending")
            .values(status="handled", handled_at=self._now)
        )
        return result.rowcount == 1

    async def fail(self, update_id: int, error: str, *, max_attempts: int) -> bool:
        """Count a failed attempt; True when that was the last one and the update is given up."""
        row = await self._session.get(IncomingUpdate, update_id)
        if row is None or row.status != "pending":
            return False
        row.attempts += 1
        row.error = error[:4000]
        if row.attempts >= max_attempts:
            row.status = "failed"
            row.handled_at = self._now
            return True
        return False

    async def max_update_id(self) -> int | None:
        rows = await self._session.scalars(
            select(IncomingUpdate.update_id).order_by(IncomingUpdate.update_id.desc()).limit(1)
        )
        return rows.first()
