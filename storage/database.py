"""The process's handle on the database: engine, sessions, units of work, migrations."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import Clock
from storage.db import create_engine, session_factory
from storage.models import Estate, TicketCounter
from storage.uow import OneWriter, UnitOfWork

TICKET_KINDS = frozenset({"repair", "complaint", "slip"})


class Database:
    """Owns the engine; hands out units of work bound to one estate."""

    def __init__(self, url: str, clock: Clock) -> None:
        self.url = url
        self.engine: AsyncEngine = create_engine(url)
        self.sessions = session_factory(self.engine, clock)
        self.clock = clock
        self.commit_listeners: list[Callable[[UnitOfWork], None]] = []
        self.hand_off: Callable[[], bool] = _never
        """Whether a unit of work opened now claims its private replies for this process's
        sender (which takes each unit's `outbox.handed` from a commit listener). Set by a
        process that runs a sender; it says no while the sender is congested, so replies then
        wait their turn with everything else."""
        # SQLite has one writer at a time. Its transactions queue here, in this process's event
        # loop, rather than on the file lock: there a waiting writer polls with sleeps of up to
        # 100 ms (the busy handler), which is where a single resident's slow replies came from.
        # Other processes (the CLI) still meet the busy timeout.
        self.writer = OneWriter() if self.engine.dialect.name == "sqlite" else None

    def uow(self, estate_id: int) -> UnitOfWork:
        return UnitOfWork(
            self.sessions, estate_id, self.clock, self._committed, self.writer, self.hand_off()
        )

    def _committed(self, uow: UnitOfWork) -> None:
        for listener in self.commit_listeners:
            listener(uow)

    async def ensure_estate(self, slug: str, name: str) -> int:
        """The estate's row id, created on first start."""
        async with self.sessions() as session, session.begin():
            estate = await session.scalar(select(Estate).where(Estate.slug == slug))
            if estate is None:
                estate = Estate(slug=slug, name=name)
                session.add(estate)
                await session.flush()
            else:
                estate.name = name
            known = set(
                await session.scalars(
                    select(TicketCounter.kind).where(TicketCounter.estate_id == estate.id)
                )
            )
            for kind in TICKET_KINDS - known:  # created here, so numbering never races to insert
                session.add(TicketCounter(estate_id=estate.id, kind=kind, last=0))
            return estate.id

    async def close(self) -> None:
        await self.engine.dispose()


def _never() -> bool:
    """No sender in this process takes handed-over rows (the CLI, tests of handlers)."""
    return False
