"""The append-only event log: who did what, when, to which record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event


class EventLog:
    """Appends events; there is deliberately no update or delete."""

    def __init__(self, session: AsyncSession, now: datetime, estate_id: int | None) -> None:
        self._session = session
        self._now = now
        self._estate_id = estate_id

    def record(
        self,
        action: str,
        subject_type: str,
        subject_id: int | None,
        *,
        actor: int | None,
        **data: Any,
    ) -> Event:
        event = Event(
            estate_id=self._estate_id,
            at=self._now,
            actor_user_id=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            data=data,
        )
        self._session.add(event)
        return event

    async def for_subject(self, subject_type: str, subject_id: int) -> list[Event]:
        rows = await self._session.scalars(
            select(Event)
            .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
            .order_by(Event.id)
        )
        return list(rows)

    async def of_action(self, action: str, subject_type: str, subject_id: int) -> list[Event]:
        """One record's events of one kind (a day's sign-off), oldest first."""
        rows = await self._session.scalars(
            select(Event)
            .where(
                Event.action == action,
                Event.subject_type == subject_type,
                Event.subject_id == subject_id,
            )
            .order_by(Event.id)
        )
        return list(rows)

    async def count(self, action: str, subject_type: str, subject_ids: list[int]) -> int:
        """How many times `action` happened to these records (breaches in a month, say)."""
        if not subject_ids:
            return 0
        total = await self._session.scalar(
            select(func.count())
            .select_from(Event)
            .where(
                Event.action == action,
                Event.subject_type == subject_type,
                Event.subject_id.in_(subject_ids),
            )
        )
        return int(total or 0)

    async def between(self, actions: Iterable[str], start: datetime, end: datetime) -> list[Event]:
        """This estate's events of these kinds in [start, end), oldest first."""
        rows = await self._session.scalars(
            select(Event)
            .where(
                Event.estate_id == self._estate_id,
                Event.action.in_(list(actions)),
                Event.at >= start,
                Event.at < end,
            )
            .order_by(Event.id)
        )
        return list(rows)

    async def count_by(self, action: str, actor: int, since: datetime) -> int:
        """How often this person did `action` since then (failed code lookups, say)."""
        total = await self._session.scalar(
            select(func.count())
            .select_from(Event)
            .where(
                Event.estate_id == self._estate_id,
                Event.action == action,
                Event.actor_user_id == actor,
                Event.at >= since,
            )
        )
        return int(total or 0)
