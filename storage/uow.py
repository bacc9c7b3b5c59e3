"""The unit of work: one transaction for a state change and the messages it causes.

Handlers receive a `UnitOfWork`, stage changes through its repositories and outbox, and the caller
commits once. Nothing is sent before the commit; the sender picks the outbox rows up after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.clock import Clock
from storage.repositories import (
    ArrearsRepository,
    BroadcastRepository,
    ConversationRepository,
    EventLog,
    Inbox,
    Outbox,
    PeopleRepository,
    RegistrationRepository,
    TicketRepository,
    Timers,
)


class OneWriter:
    """SQLite's single writer, taken for a whole unit of work by one task at a time.

    A unit of work opened inside another in the same task would wait for itself forever; that
    is refused at once instead.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError("a unit of work was opened inside another one in the same task")
        await self._lock.acquire()
        self._owner = task

    def release(self) -> None:
        self._owner = None
        self._lock.release()


class UnitOfWork:
    """A session, the repositories over it, and one `now` shared by the whole transaction."""

    session: AsyncSession
    now: datetime
    arrears: ArrearsRepository
    broadcasts: BroadcastRepository
    conversations: ConversationRepository
    events: EventLog
    inbox: Inbox
    outbox: Outbox
    people: PeopleRepository
    registrations: RegistrationRepository
    timers: Timers
    tickets: TicketRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        estate_id: int,
        clock: Clock,
        on_commit: Callable[[UnitOfWork], None] | None = None,
        writer: OneWriter | None = None,
        hand_off: bool = False,
    ) -> None:
        self._sessions = sessions
        self._hand_off = hand_off  # the outbox hands private replies to this process's sender
        self.estate_id = estate_id
        self._clock = clock
        self._on_commit = on_commit
        self._committed = False
        self._writer = writer  # held for the whole transaction (SQLite: one writer)
        self._holding = False

    async def __aenter__(self) -> UnitOfWork:
        if self._writer is not None:
            await self._writer.acquire()
            self._holding = True
        try:
            await self._open()
        except BaseException:
            self._release()
            raise
        return self

    async def _open(self) -> None:
        self.session = self._sessions()
        await self.session.begin()
        self.now = self._clock()
        self.session.info["now"] = self.now
        self.arrears = ArrearsRepository(self.session, self.now, self.estate_id)
        self.broadcasts = BroadcastRepository(self.session, self.now, self.estate_id)
        self.conversations = ConversationRepository(self.session, self.now)
        self.events = EventLog(self.session, self.now, self.estate_id)
        self.inbox = Inbox(self.session, self.now)
        self.outbox = Outbox(self.session, self.now, self._hand_off)
        self.people = PeopleRepository(self.session, self.now, self.estate_id)
        self.registrations = RegistrationRepository(self.session, self.now, self.estate_id)
        self.timers = Timers(self.session, self.now, self.estate_id)
        self.tickets = TicketRepository(self.session, self.now, self.estate_id)

    def _release(self) -> None:
        if self._writer is not None and self._holding:
            self._holding = False
            self._writer.release()

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True
        if self._on_commit is not None:
            self._on_commit(self)

    async def rollback(self) -> None:
        await self.session.rollback()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                # Detach first: what was read stays readable after the rollback, which would
                # otherwise expire it (a read-only unit of work need not commit).
                self.session.expunge_all()
                await self.session.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                self._release()
