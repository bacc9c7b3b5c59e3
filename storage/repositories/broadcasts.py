"""Broadcasts and their deliveries: staged by handlers, fed to the outbox a batch at a time.

A delivery moves new -> queued in the transaction that writes its outbox row, and learns its end
(sent, failed, blocked) from that row afterwards; both moves are conditional on the status they
leave, so a feed that runs twice (a stale timer taken over) cannot queue anyone twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Broadcast,
    BroadcastDelivery,
    OutboxMessage,
    Resident,
    Staff,
    Unit,
)
from storage.repositories.outbox import BLOCKED, FAILED, SENT

SENDING = "sending"
DONE = "done"

NEW = "new"
QUEUED = "queued"
SETTLED = (SENT, FAILED, BLOCKED)
"""A delivery's end states, the same words as its outbox row's."""

BROADCAST_PRIORITY = -1
"""Outbox priority of a broadcast's messages: below every conversation reply (0) and urgent
card (1), so a person in a form is answered before the next notice goes out."""


class BroadcastRepository:
    """Reads and stages an estate's broadcasts; never commits."""

    def __init__(self, session: AsyncSession, now: datetime, estate_id: int) -> None:
        self._session = session
        self._now = now
        self._estate_id = estate_id

    async def create(
        self,
        kind: str,
        body: dict[str, Any],
        recipients: Sequence[tuple[int, dict[str, Any] | None]],
        *,
        audience: dict[str, Any],
        created_by: int | None,
    ) -> Broadcast:
        """A broadcast and a new delivery per distinct recipient (the first body given wins)."""
        seen: dict[int, dict[str, Any] | None] = {}
        for user_id, own in recipients:
            seen.setdefault(user_id, own)
        broadcast = Broadcast(
            estate_id=self._estate_id,
            kind=kind,
            body=body,
            audience=audience,
            status=SENDING,
            total=len(seen),
            created_by=created_by,
            progress_shown={},
            created_at=self._now,
        )
        self._session.add(broadcast)
        await self._session.flush()
        if seen:
            await self._session.execute(
                insert(BroadcastDelivery),
                [
                    {"broadcast_id": broadcast.id, "user_id": uid, "body": own, "status": NEW}
                    for uid, own in seen.items()
                ],
            )
        return broadcast

    async def locked(self, broadcast_id: int) -> Broadcast | None:
        """The broadcast, its row locked (PostgreSQL) until the transaction ends: one feed at a
        time. SQLite's transactions already hold the write lock."""
        return await self._session.scalar(
            select(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.estate_id == self._estate_id)
            .with_for_update()
        )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self._session.scalar(
            select(Broadcast).where(
                Broadcast.id == broadcast_id, Broadcast.estate_id == self._estate_id
            )
        )

    async def sending(self) -> list[Broadcast]:
        rows = await self._session.scalars(
            select(Broadcast)
            .where(Broadcast.estate_id == self._estate_id, Broadcast.status == SENDING)
            .order_by(Broadcast.id)
        )
        return list(rows)

    async def next_new(self, broadcast_id: int, limit: int) -> list[BroadcastDelivery]:
        """The next deliveries not queued yet, in the order they were listed."""
        rows = await self._session.scalars(
            select(BroadcastDelivery)
            .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == NEW)
            .order_by(BroadcastDelivery.id)
            .limit(limit)
        )
        return list(rows)

    async def mark(
        self, delivery_id: int, status: str, *, outbox_id: int | None = None, error: str | None
    ) -> bool:
        """Move a new delivery to `status`; False if it was not new any more."""
        values: dict[str, Any] = {"status": status, "error": error, "outbox_id": outbox_id}
        values["queued_at" if status == QUEUED else "settled_at"] = self._now
        result = await self._session.execute(
            update(BroadcastDelivery)
            .where(BroadcastDelivery.id == delivery_id, BroadcastDelivery.status == NEW)
            .values(**values)
        )
        return result.rowcount == 1

    async def learn_outcomes(self, broadcast_id: int) -> int:
        """Queued deliveries whose outbox row is settled take its status; returns how many."""
        rows = (
            await self._session.execute(
                select(BroadcastDelivery.id, OutboxMessage.status, OutboxMessage.error)
                .join(OutboxMessage, OutboxMessage.id == BroadcastDelivery.outbox_id)
                .where(
                    BroadcastDelivery.broadcast_id == broadcast_id,
                    BroadcastDelivery.status == QUEUED,
                    OutboxMessage.status.in_(SETTLED),
                )
            )
        ).all()
        for delivery_id, status, error in rows:
            await self._session.execute(
                update(BroadcastDelivery)
                .where(BroadcastDelivery.id == delivery_id, BroadcastDelivery.status == QUEUED)
                .values(status=status, error=error, settled_at=self._now)
            )
        return len(rows)

    async def counts(self, broadcast_id: int) -> dict[str, int]:
        """Deliveries per status."""
        rows = await self._session.execute(
            select(BroadcastDelivery.status, func.count())
            .where(BroadcastDelivery.broadcast_id == broadcast_id)
            .group_by(BroadcastDelivery.status)
        )
        return {status: count for status, count in rows.all()}

    async def lower_priority(self, outbox_ids: Iterable[int]) -> None:
        """Put a batch's outbox rows behind conversation replies (`BROADCAST_PRIORITY`)."""
        ids = list(outbox_ids)
        if ids:
            await self._session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(priority=BROADCAST_PRIORITY)
            )

    # Audiences.

    async def residents(
        self, *, building: str | None = None, unit_ids: Sequence[int] | None = None
    ) -> list[int]:
        """Telegram ids of the registered residents (of one building, or of these units)."""
        query = (
            select(Resident.telegram_user_id)
            .join(Unit, Unit.id == Resident.unit_id)
            .where(Resident.estate_id == self._estate_id, Resident.telegram_user_id.is_not(None))
            .group_by(Resident.telegram_user_id)
            .order_by(func.min(Resident.id))
        )
        if building is not None:
            query = query.where(Unit.building == building)
        if unit_ids is not None:
            query = query.where(Resident.unit_id.in_(list(unit_ids)))
        return [int(uid) for uid in await self._session.scalars(query)]

    async def buildings(self) -> list[str]:
        """The buildings where someone registered, in order."""
        rows = await self._session.scalars(
            select(Unit.building)
            .join(Resident, Resident.unit_id == Unit.id)
            .where(Unit.estate_id == self._estate_id, Resident.telegram_user_id.is_not(None))
            .distinct()
        )
        return sorted(rows, key=lambda b: (len(b), b))

    async def staff_of(self, department_key: str) -> list[int]:
        rows = await self._session.scalars(
            select(Staff.telegram_user_id)
            .where(
                Staff.estate_id == self._estate_id,
                Staff.department_key == department_key,
                Staff.active.is_(True),
            )
            .order_by(Staff.id)
        )
        return [int(uid) for uid in rows]
