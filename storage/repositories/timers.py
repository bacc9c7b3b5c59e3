"""Durable timers as rows: scheduled by handlers, claimed and settled by the timer runner.

Why rows and not scheduler jobs: a timer must survive a restart, fire once, fire late rather than
never after downtime, and never fire twice when several worker processes run. A row with a status
gives all four: it is written in the transaction that decided it (so a rolled-back decision
schedules nothing), it is claimed by one worker at a time, and it is marked done in the same
transaction as whatever its handler changed.

Claiming: on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED` lets workers take disjoint batches
without waiting for each other. On SQLite every transaction starts with BEGIN IMMEDIATE (see
`storage.db`), so the claiming transaction already holds the database's write lock; the same
statement is used and the SQLite dialect simply renders no locking clause.

A claim records who took the row and the attempt number; settling with that claim only succeeds
while the claim is still the row's, so a worker that stalled past `stale_after` and lost its row
to another cannot also complete it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Timer

PENDING = "pending"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"

_MAX_ERROR = 4000


def due_select(estate_id: int, now: datetime, limit: int) -> Select[tuple[Timer]]:
    """Pending timers of an estate due at `now`, oldest first, locked and skipping locked rows.

    Served by `ix_timers_status_due` (status equality, then a range and the order on due_at), so
    its cost follows the number of due rows, not the number pending. Public for the benchmark's
    query plan.
    """
    return (
        select(Timer)
        .where(Timer.status == PENDING, Timer.due_at <= now, Timer.estate_id == estate_id)
        .order_by(Timer.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def stale_select(estate_id: int, claimed_before: datetime, limit: int) -> Select[tuple[Timer]]:
    """Running timers whose claim is older than `claimed_before`: their worker died or hung."""
    return (
        select(Timer)
        .where(
            Timer.status == RUNNING,
            Timer.claimed_at < claimed_before,
            Timer.estate_id == estate_id,
        )
        .order_by(Timer.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


class Timers:
    """Schedules and cancels an estate's timers in the caller's transaction; claims and settles.

    Like every repository it never commits: `schedule` and `cancel` belong to the handler's unit
    of work, and `claim_due` should be committed on its own, quickly, before handlers run.
    """

    def __init__(self, session: AsyncSession, now: datetime, estate_id: int) -> None:
        self._session = session
        self._now = now
        self._estate_id = estate_id

    async def schedule(
        self,
        kind: str,
        due_at: datetime,
        *,
        subject_type: str,
        subject_id: int | None,
        payload: dict[str, Any] | None = None,
    ) -> Timer:
        """Stage a timer that fires at `due_at` (aware); returns it with its id."""
        if due_at.tzinfo is None:
            raise ValueError("a timer's due_at must be an aware datetime")
        timer = Timer(
            estate_id=self._estate_id,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            due_at=due_at,
            payload=dict(payload or {}),
            status=PENDING,
            attempts=0,
            created_at=self._now,
        )
        self._session.add(timer)
        await self._session.flush()
        return timer

    async def cancel(
        self,
        *,
        subject_type: str,
        subject_id: int | None,
        kind: str | None = None,
        kinds: Iterable[str] | None = None,
    ) -> int:
        """Cancel a subject's pending timers (of one kind, or of `kinds`, if given); returns how
        many.

        A timer already running is not stopped: its handler must check the subject's state
        (the request may have been accepted meanwhile), which it has to do anyway.
        """
        statement = (
            update(Timer)
            .where(
                Timer.estate_id == self._estate_id,
                Timer.subject_type == subject_type,
                _subject_is(subject_id),
                Timer.status == PENDING,
            )
            .values(status=CANCELLED)
        )
        if kind is not None:
            statement = statement.where(Timer.kind == kind)
        if kinds is not None:
            statement = statement.where(Timer.kind.in_(list(kinds)))
        result = await self._session.execute(statement)
        return result.rowcount

    async def pending_for(self, subject_type: str, subject_id: int | None) -> list[Timer]:
        """A subject's pending timers, soonest first."""
        rows = await self._session.scalars(
            select(Timer)
            .where(
                Timer.estate_id == self._estate_id,
                Timer.subject_type == subject_type,
                _subject_is(subject_id),
                Timer.status == PENDING,
            )
            .order_by(Timer.due_at, Timer.id)
        )
        return list(rows)

    async def get(self, timer_id: int) -> Timer | None:
        return await self._session.get(Timer, timer_id)

    # The runner's side.

    async def claim_due(self, limit: int, worker: str, stale_after: timedelta) -> list[Timer]:
        """Take up to `limit` due timers for `worker`, oldest due first.

        Due means pending with due_at <= now, or running under a claim older than `stale_after`
        (a dead worker's). Each taken row becomes running, claimed by `worker` now, with one more
        attempt. Rows another worker is claiming at this moment are skipped, not waited for.
        """
        stale = list(
            await self._session.scalars(
                stale_select(self._estate_id, self._now - stale_after, limit)
            )
        )
        rows = stale
        if len(rows) < limit:
            due = await self._session.scalars(
                due_select(self._estate_id, self._now, limit - len(rows))
            )
            rows = rows + list(due)
        for timer in rows:
            timer.status = RUNNING
            timer.claimed_at = self._now
            timer.claimed_by = worker
            timer.attempts += 1
        await self._session.flush()
        return sorted(rows, key=lambda timer: (timer.due_at, timer.id))

    async def complete(
        self, timer_id: int, *, worker: str | None = None, attempt: int | None = None
    ) -> bool:
        """Mark a timer done (call it in the handler's transaction); False if the claim was lost.

        With `worker` and `attempt` the row is only settled while it is still running under that
        claim; the caller must then roll back what the handler did.
        """
        return await self._settle(
            timer_id, worker, attempt, status=DONE, fired_at=self._now, error=None
        )

    async def retry(
        self,
        timer_id: int,
        error: str,
        at: datetime,
        *,
        worker: str | None = None,
        attempt: int | None = None,
    ) -> bool:
        """Put a failed timer back as pending, due again at `at`; False if the claim was lost."""
        return await self._settle(
            timer_id,
            worker,
            attempt,
            status=PENDING,
            due_at=at,
            error=error[:_MAX_ERROR],
            claimed_at=None,
            claimed_by=None,
        )

    async def give_up(
        self, timer_id: int, error: str, *, worker: str | None = None, attempt: int | None = None
    ) -> bool:
        """Mark a timer failed for good; False if the claim was lost."""
        return await self._settle(
            timer_id, worker, attempt, status=FAILED, error=error[:_MAX_ERROR]
        )

    async def _settle(
        self, timer_id: int, worker: str | None, attempt: int | None, **values: Any
    ) -> bool:
        statement = (
            update(Timer)
            .where(Timer.id == timer_id, Timer.estate_id == self._estate_id)
            .values(**values)
        )
        if worker is not None:
            statement = statement.where(Timer.status == RUNNING, Timer.claimed_by == worker)
        if attempt is not None:
            statement = statement.where(Timer.attempts == attempt)
        result = await self._session.execute(statement)
        return result.rowcount == 1


def _subject_is(subject_id: int | None) -> Any:
    if subject_id is None:
        return Timer.subject_id.is_(None)
    return Timer.subject_id == subject_id
