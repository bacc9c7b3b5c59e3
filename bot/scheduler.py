"""The timer runner: fires due timers (rows in `timers`) once each, across restarts and workers.

Why rows and a runner of our own instead of APScheduler's jobs: SLA escalations ("not accepted
within 15 minutes"), confirmation timeouts and next-working-day callback surveys must survive
restarts, fire exactly once, catch up after downtime, and never fire twice when several worker
processes run. APScheduler's job stores give none of that here: its SQLAlchemy store is
synchronous (it would block the event loop), its misfire grace silently drops jobs that are too
late (downtime), and several schedulers sharing one store fire a job in each. So the timers are
rows (see `storage.repositories.timers`) and APScheduler only ticks: one interval job that calls
`TimerRunner.tick`.

A tick claims a batch of due rows in one short transaction, then fires each in a unit of work of
its own, marking the timer done in the same transaction as whatever its handler changed: a crash
before the commit means the timer runs again (its claim goes stale and another tick takes it
over); after the commit it never runs again. A handler that raises is rolled back, and the
failure is recorded in a new transaction: retried later with a growing delay, given up after
`max_attempts`.

Handlers get the unit of work and the timer, stage their changes (outbox messages, ticket state,
follow-up timers) and must not commit. On SQLite the handler's transaction holds the database's
write lock while it runs, so handlers should only touch the database, never wait on the network.
A timer already claimed cannot be cancelled, so handlers check the subject's current state
(the request may have been accepted a second before the SLA fired).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from storage.database import Database
from storage.models import Timer
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
)


def retry_delay(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 30 s, 2 min, 10 min, 30 min, 1 h."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def worker_name() -> str:
    """A name for this process's claims: host and pid, so a stale claim can be traced."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class TimerRunner:
    """Fires one estate's due timers through the handler registered for their kind.

    `tick()` does one batch and can be called directly (tests, benchmarks); `start()` and
    `shutdown()` drive it from an APScheduler interval job, and `run(stop)` does both around a
    stop event like the other workers.
    """

    def __init__(
        self,
        db: Database,
        estate_id: int,
        handlers: Mapping[str, TimerHandler],
        *,
        worker: str,
        batch: int = 100,
        stale_after: timedelta = timedelta(minutes=5),
        max_attempts: int = 5,
    ) -> None:
        if not 0 < len(worker) <= 64:
            raise ValueError("a worker name has 1 to 64 characters (timers.claimed_by)")
        self.db = db
        self.estate_id = estate_id
        self.handlers = dict(handlers)
        self.worker = worker
        self.batch = batch
        self.stale_after = stale_after
        self.max_attempts = max_attempts
        self._scheduler: AsyncIOScheduler | None = None
        self._ticking = asyncio.Lock()

    async def tick(self) -> int:
        """Claim the due timers (one batch) and fire each; returns how many were claimed."""
        async with self._ticking:
            timers = await self._claim()
            for timer in timers:
                try:
                    await self._fire(timer)
                except Exception:
                    # Recording the outcome failed (database gone?): the claim goes stale and a
                    # later tick takes the timer over.
                    log.exception("timer %s (%s): could not settle", timer.id, timer.kind)
            return len(timers)

    async def _claim(self) -> list[Timer]:
        async with self.db.uow(self.estate_id) as uow:
            timers = await uow.timers.claim_due(self.batch, self.worker, self.stale_after)
            await uow.commit()  # loaded rows stay usable: the sessions do not expire on commit
        return timers

    async def _fire(self, timer: Timer) -> None:
        handler = self.handlers.get(timer.kind)
        if handler is None:
            known = ", ".join(sorted(self.handlers)) or "none"
            await self._give_up(timer, f"no handler for timer kind {timer.kind!r} (known: {known})")
            return
        if timer.attempts > self.max_attempts:
            await self._give_up(
                timer, f"claimed {timer.attempts} times without finishing: its worker kept dying"
            )
            return
        try:
            async with self.db.uow(self.estate_id) as uow:
                await handler(uow, timer)
                if not await uow.timers.complete(
                    timer.id, worker=self.worker, attempt=timer.attempts
                ):
                    log.warning("timer %s: claim lost to another worker; rolled back", timer.id)
                    return  # leaving the unit of work uncommitted rolls the handler back
                await uow.commit()
        except Exception as exc:
            await self._failed(timer, exc)

    async def _failed(self, timer: Timer, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        if timer.attempts >= self.max_attempts:
            log.error(
                "timer %s (%s) failed %s times, giving up: %s",
                timer.id,
                timer.kind,
                timer.attempts,
                error,
                exc_info=exc,
            )
            await self._give_up(timer, error, logged=True)
            return
        delay = retry_delay(timer.attempts)
        log.warning(
            "timer %s (%s) failed (attempt %s), retrying in %s: %s",
            timer.id,
            timer.kind,
            timer.attempts,
            delay,
            error,
            exc_info=exc,
        )
        async with self.db.uow(self.estate_id) as uow:
            await uow.timers.retry(
                timer.id, error, uow.now + delay, worker=self.worker, attempt=timer.attempts
            )
            await uow.commit()

    async def _give_up(self, timer: Timer, error: str, *, logged: bool = False) -> None:
        if not logged:
            log.error("timer %s (%s) given up: %s", timer.id, timer.kind, error)
        async with self.db.uow(self.estate_id) as uow:
            await uow.timers.give_up(timer.id, error, worker=self.worker, attempt=timer.attempts)
            await uow.commit()

    # Driving the ticks.

    def start(self, interval: float = 1.0) -> None:
        """Tick every `interval` seconds from an APScheduler job, starting now.

        One instance at a time (`max_instances=1`), missed runs collapse into one (`coalesce`),
        and a late run is never dropped (`misfire_grace_time=None`): a late tick just catches up.
        Must be called with the event loop running.
        """
        if self._scheduler is not None:
            raise RuntimeError("the timer runner is already started")
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self._scheduled_tick,
            IntervalTrigger(seconds=interval, timezone=UTC),
            id=f"timers:{self.estate_id}",
            name="fire due timers",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        scheduler.start()
        self._scheduler = scheduler

    async def shutdown(self) -> None:
        """Stop ticking, letting a tick in progress finish (APScheduler would cancel it)."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        scheduler.pause()
        async with self._ticking:
            scheduler.shutdown(wait=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until `stop` is set, then shut down cleanly."""
        self.start()
        try:
            await stop.wait()
        finally:
            await self.shutdown()

    async def _scheduled_tick(self) -> None:
        try:
            await self.tick()
        except Exception:
            log.exception("timer tick failed; the next one retries")
