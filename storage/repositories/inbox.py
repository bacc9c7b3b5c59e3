"""Incoming updates, recorded before Telegram is told we have them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import IncomingUpdate

_UPDATES = IncomingUpdate.__table__
_CLAIM = (
    update(_UPDATES)
    .where(_UPDATES.c.update_id == bindparam("claimed"), _UPDATES.c.status == "pending")
    .values(status="handled", handled_at=bindparam("at"))
)
"""Built once: every update runs it, and building a statement costs more than running it."""
_RECORD = {
    dialect: insert(_UPDATES)
    .on_conflict_do_nothing(index_elements=[_UPDATES.c.update_id])
    .returning(_UPDATES.c.update_id)
    for dialect, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}


class Inbox:
    """Stores raw updates keyed by update_id; a second copy of the same update is ignored."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._session = session
        self._now = now

    async def record(self, updates: Sequence[dict[str, Any]]) -> list[int]:
        """Store the updates not seen before and return their ids (redeliveries are dropped).

        One statement: an insert that skips the ids already stored (SQLite and PostgreSQL both
        say `ON CONFLICT DO NOTHING`) and returns those it stored.
        """
        rows: dict[int, dict[str, Any]] = {}
        for payload in updates:
            rows.setdefault(int(payload["update_id"]), payload)
        if not rows:
            return []
        dialect = self._session.get_bind().dialect.name
        stored = await self._session.scalars(
            _RECORD["postgresql" if dialect == "postgresql" else "sqlite"],
            [
                {
                    "update_id": update_id,
                    "payload": payload,
                    "received_at": self._now,
                    "status": "pending",
                    "attempts": 0,
                }
                for update_id, payload in rows.items()
            ],
        )
        new = set(stored)
        return [update_id for update_id in rows if update_id in new]

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
        result = await self._session.execute(_CLAIM, {"claimed": update_id, "at": self._now})
        return result.rowcount == 1  # type: ignore[attr-defined]

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
