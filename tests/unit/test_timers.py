"""Durable timers: rows in a real database, fired by `TimerRunner` once each.

Why these tests: SLA escalations and callback surveys must fire once, not early, after downtime,
never twice with several workers, and a handler's changes must commit with the timer's done mark
or not at all. Each test drives a real SQLite file with an injected clock; the concurrency test
also runs on PostgreSQL when `ESTATE_TEST_POSTGRES_URL` names a server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.scheduler import TimerHandler, TimerRunner, retry_delay
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Event, Timer
from storage.repositories.timers import due_select
from storage.uow import UnitOfWork

from ..scratch_db import DATABASES, scratch_database

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class SettableClock:
    """The time every unit of work sees; tests move it by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **amount: float) -> None:
        self.now += timedelta(**amount)


@dataclass
class Estate:
    db: Database
    estate_id: int
    clock: SettableClock
    url: str
    fired: list[int] = field(default_factory=list)

    def runner(
        self, handlers: dict[str, TimerHandler] | None = None, **options: object
    ) -> TimerRunner:
        options.setdefault("worker", "worker-1")
        return TimerRunner(
            self.db,
            self.estate_id,
            handlers if handlers is not None else {"repair.accept_sla": self.escalate},
            **options,  # type: ignore[arg-type]
        )

    async def escalate(self, uow: UnitOfWork, timer: Timer) -> None:
        """A handler that writes something, so its commit (or rollback) can be seen."""
        uow.events.record(
            "repair.escalated", timer.subject_type, timer.subject_id, actor=None, timer=timer.id
        )
        self.fired.append(timer.id)

    async def schedule(
        self, due_at: datetime, *, kind: str = "repair.accept_sla", subject_id: int = 1
    ) -> int:
        async with self.db.uow(self.estate_id) as uow:
            timer = await uow.timers.schedule(
                kind, due_at, subject_type="ticket", subject_id=subject_id, payload={"n": 1}
            )
            await uow.commit()
        return timer.id

    async def timer(self, timer_id: int) -> Timer:
        async with self.db.uow(self.estate_id) as uow:
            timer = await uow.timers.get(timer_id)
            await uow.commit()  # a rollback would expire the loaded row
        assert timer is not None
        return timer

    async def escalations(self) -> list[int | None]:
        async with self.db.uow(self.estate_id) as uow:
            rows = await uow.session.scalars(
                select(Event.subject_id).where(Event.action == "repair.escalated")
            )
            return list(rows)


async def open_estate(url: str, clock: SettableClock) -> Estate:
    db = Database(url, clock=clock)
    await upgrade(db.engine)
    estate_id = await db.ensure_estate("default", "Test")
    return Estate(db, estate_id, clock, url)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
async def estate(tmp_path: Path, clock: SettableClock) -> AsyncIterator[Estate]:
    estate = await open_estate(f"sqlite+aiosqlite:///{tmp_path}/estate.sqlite3", clock)
    yield estate
    await estate.db.close()


async def test_timer_fires_once_when_due_and_not_before(estate: Estate) -> None:
    timer_id = await estate.schedule(T0 + timedelta(minutes=15))
    runner = estate.runner()

    estate.clock.advance(minutes=14, seconds=59)
    assert await runner.tick() == 0
    assert (await estate.timer(timer_id)).status == "pending"

    estate.clock.advance(seconds=1)
    assert await runner.tick() == 1
    estate.clock.advance(hours=1)
    assert await runner.tick() == 0

    assert estate.fired == [timer_id]
    assert await estate.escalations() == [1]
    timer = await estate.timer(timer_id)
    assert (timer.status, timer.attempts, timer.fired_at) == ("done", 1, T0 + timedelta(minutes=15))


async def test_timer_due_during_downtime_fires_once_after_restart(
    tmp_path: Path, clock: SettableClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/estate.sqlite3"
    before = await open_estate(url, clock)
    timer_id = await before.schedule(T0 + timedelta(minutes=15))
    assert await before.runner().tick() == 0
    await before.db.close()  # the process stops; the timer falls due while nothing runs

    clock.advance(hours=3)
    after = await open_estate(url, clock)
    try:
        runner = after.runner(worker="worker-2")
        assert await runner.tick() == 1
        assert await runner.tick() == 0
        assert after.fired == [timer_id]
        assert await after.escalations() == [1]
        assert (await after.timer(timer_id)).fired_at == T0 + timedelta(hours=3)
    finally:
        await after.db.close()


async def test_cancel_stops_only_the_subjects_pending_timers_of_that_kind(estate: Estate) -> None:
    due = T0 + timedelta(minutes=15)
    sla = await estate.schedule(due, subject_id=1)
    survey = await estate.schedule(due, subject_id=1, kind="repair.survey")
    other = await estate.schedule(due, subject_id=2)

    async with estate.db.uow(estate.estate_id) as uow:
        assert [t.id for t in await uow.timers.pending_for("ticket", 1)] == [sla, survey]
        cancelled = await uow.timers.cancel(
            subject_type="ticket", subject_id=1, kind="repair.accept_sla"
        )
        await uow.commit()
    assert cancelled == 1

    async with estate.db.uow(estate.estate_id) as uow:
        assert [t.id for t in await uow.timers.pending_for("ticket", 1)] == [survey]
        assert await uow.timers.cancel(subject_type="ticket", subject_id=1) == 1
        await uow.commit()

    estate.clock.advance(hours=1)
    runner = estate.runner({"repair.accept_sla": estate.escalate, "repair.survey": estate.escalate})
    assert await runner.tick() == 1
    assert estate.fired == [other]
    assert (await estate.timer(sla)).status == "cancelled"
    assert (await estate.timer(survey)).status == "cancelled"


async def test_cancel_leaves_done_timers_alone(estate: Estate) -> None:
    timer_id = await estate.schedule(T0)
    assert await estate.runner().tick() == 1
    async with estate.db.uow(estate.estate_id) as uow:
        assert await uow.timers.cancel(subject_type="ticket", subject_id=1) == 0
        await uow.commit()
    assert (await estate.timer(timer_id)).status == "done"


async def test_failing_handler_is_retried_with_backoff_then_given_up(estate: Estate) -> None:
    calls: list[datetime] = []

    async def broken(uow: UnitOfWork, timer: Timer) -> None:
        calls.append(uow.now)
        raise RuntimeError("the department chat is not configured")

    timer_id = await estate.schedule(T0)
    runner = estate.runner({"repair.accept_sla": broken}, max_attempts=3)

    assert await runner.tick() == 1
    timer = await estate.timer(timer_id)
    assert (timer.status, timer.attempts) == ("pending", 1)
    assert timer.due_at == T0 + timedelta(seconds=30)
    assert timer.error == "RuntimeError: the department chat is not configured"

    estate.clock.advance(seconds=29)
    assert await runner.tick() == 0
    estate.clock.advance(seconds=1)
    assert await runner.tick() == 1
    assert (await estate.timer(timer_id)).due_at == estate.clock.now + timedelta(minutes=2)

    estate.clock.advance(minutes=2)
    assert await runner.tick() == 1
    timer = await estate.timer(timer_id)
    assert (timer.status, timer.attempts) == ("failed", 3)
    assert "not configured" in (timer.error or "")

    estate.clock.advance(days=1)
    assert await runner.tick() == 0
    assert calls == [T0, T0 + timedelta(seconds=30), T0 + timedelta(seconds=30, minutes=2)]


def test_retry_delays_grow_from_30_seconds_to_an_hour() -> None:
    delays = [retry_delay(n) for n in range(1, 8)]
    assert delays[:3] == [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10)]
    assert delays[-1] == timedelta(hours=1)
    assert delays == sorted(delays)


async def test_handler_writes_and_done_mark_commit_together(estate: Estate) -> None:
    async def writes_then_crashes(uow: UnitOfWork, timer: Timer) -> None:
        await estate.escalate(uow, timer)
        await uow.session.flush()  # the write really reached the database, uncommitted
        raise RuntimeError("crashed after writing")

    timer_id = await estate.schedule(T0)
    assert await estate.runner({"repair.accept_sla": writes_then_crashes}).tick() == 1

    assert await estate.escalations() == []  # nothing of the handler stays
    timer = await estate.timer(timer_id)
    assert (timer.status, timer.fired_at) == ("pending", None)
    assert timer.error == "RuntimeError: crashed after writing"

    estate.clock.advance(seconds=30)
    assert await estate.runner().tick() == 1  # a working handler now: runs, and commits with done
    assert await estate.escalations() == [1]
    assert (await estate.timer(timer_id)).status == "done"


async def test_handler_can_schedule_a_follow_up_timer_in_the_same_transaction(
    estate: Estate,
) -> None:
    async def remind_again(uow: UnitOfWork, timer: Timer) -> None:
        await uow.timers.schedule(
            "repair.accept_sla_again",
            uow.now + timedelta(minutes=15),
            subject_type=timer.subject_type,
            subject_id=timer.subject_id,
        )

    await estate.schedule(T0)
    assert await estate.runner({"repair.accept_sla": remind_again}).tick() == 1
    async with estate.db.uow(estate.estate_id) as uow:
        follow_ups = await uow.timers.pending_for("ticket", 1)
        await uow.commit()
    assert [(t.kind, t.due_at) for t in follow_ups] == [
        ("repair.accept_sla_again", T0 + timedelta(minutes=15))
    ]


async def test_unknown_kind_is_given_up_at_once_with_a_clear_error(estate: Estate) -> None:
    timer_id = await estate.schedule(T0, kind="complaint.reply_sla")
    assert await estate.runner().tick() == 1
    timer = await estate.timer(timer_id)
    assert timer.status == "failed"
    assert timer.error == (
        "no handler for timer kind 'complaint.reply_sla' (known: repair.accept_sla)"
    )


async def test_claim_older_than_stale_after_is_taken_over(estate: Estate) -> None:
    timer_id = await estate.schedule(T0)
    async with estate.db.uow(estate.estate_id) as uow:  # a worker claims it, then dies
        claimed = await uow.timers.claim_due(10, "dead-worker", timedelta(minutes=5))
        await uow.commit()
    assert [t.id for t in claimed] == [timer_id]

    runner = estate.runner(worker="worker-2", stale_after=timedelta(minutes=5))
    estate.clock.advance(minutes=4, seconds=59)
    assert await runner.tick() == 0  # still within the dead worker's claim

    estate.clock.advance(seconds=2)
    assert await runner.tick() == 1
    timer = await estate.timer(timer_id)
    assert (timer.status, timer.attempts, timer.claimed_by) == ("done", 2, "worker-2")
    assert estate.fired == [timer_id]


async def test_worker_that_lost_its_claim_cannot_complete_the_timer(estate: Estate) -> None:
    timer_id = await estate.schedule(T0)
    async with estate.db.uow(estate.estate_id) as uow:
        await uow.timers.claim_due(10, "slow-worker", timedelta(minutes=5))
        await uow.commit()
    estate.clock.advance(minutes=6)
    async with estate.db.uow(estate.estate_id) as uow:
        await uow.timers.claim_due(10, "worker-2", timedelta(minutes=5))
        await uow.commit()

    async with estate.db.uow(estate.estate_id) as uow:  # the slow worker wakes up
        assert not await uow.timers.complete(timer_id, worker="slow-worker", attempt=1)
        assert not await uow.timers.retry(
            timer_id, "late", uow.now, worker="slow-worker", attempt=1
        )
        assert await uow.timers.complete(timer_id, worker="worker-2", attempt=2)
        await uow.commit()
    assert (await estate.timer(timer_id)).status == "done"


async def test_timer_whose_worker_keeps_dying_is_given_up(estate: Estate) -> None:
    timer_id = await estate.schedule(T0)
    for _ in range(2):
        async with estate.db.uow(estate.estate_id) as uow:
            await uow.timers.claim_due(10, "crashing-worker", timedelta(minutes=5))
            await uow.commit()
        estate.clock.advance(minutes=6)
    assert await estate.runner(max_attempts=2).tick() == 1
    timer = await estate.timer(timer_id)
    assert (timer.status, timer.attempts) == ("failed", 3)
    assert "worker kept dying" in (timer.error or "")
    assert estate.fired == []


async def test_claim_takes_the_oldest_due_first_and_at_most_a_batch(estate: Estate) -> None:
    late = await estate.schedule(T0 - timedelta(minutes=1), subject_id=1)
    early = await estate.schedule(T0 - timedelta(minutes=3), subject_id=2)
    middle = await estate.schedule(T0 - timedelta(minutes=2), subject_id=3)
    await estate.schedule(T0 + timedelta(minutes=1), subject_id=4)

    runner = estate.runner(batch=2)
    assert await runner.tick() == 2
    assert estate.fired == [early, middle]
    assert await runner.tick() == 1
    assert estate.fired == [early, middle, late]


async def test_timers_of_another_estate_are_left_to_its_own_runner(estate: Estate) -> None:
    other_estate = await estate.db.ensure_estate("other", "Other")
    async with estate.db.uow(other_estate) as uow:
        other = await uow.timers.schedule(
            "repair.accept_sla", T0, subject_type="ticket", subject_id=9
        )
        await uow.commit()
    assert await estate.runner().tick() == 0

    handlers: dict[str, TimerHandler] = {"repair.accept_sla": estate.escalate}
    assert await TimerRunner(estate.db, other_estate, handlers, worker="other-1").tick() == 1
    assert estate.fired == [other.id]


async def test_naive_due_time_is_refused(estate: Estate) -> None:
    with pytest.raises(ValueError, match="aware"):
        await estate.schedule(datetime(2026, 3, 2, 9, 0))


def test_skip_locked_is_rendered_on_postgresql_and_ignored_on_sqlite() -> None:
    statement = due_select(1, T0, 100)
    on_postgresql = str(statement.compile(dialect=postgresql.dialect()))
    on_sqlite = str(statement.compile(dialect=sqlite.dialect()))
    assert on_postgresql.rstrip().endswith("FOR UPDATE SKIP LOCKED")
    assert "FOR UPDATE" not in on_sqlite and "SKIP" not in on_sqlite


async def test_apscheduler_drives_ticks_until_shutdown(estate: Estate) -> None:
    timer_id = await estate.schedule(T0)
    runner = estate.runner()
    runner.start(interval=0.05)
    try:
        for _ in range(100):
            if estate.fired:
                break
            await asyncio.sleep(0.02)
    finally:
        await runner.shutdown()
    assert estate.fired == [timer_id]

    await estate.schedule(T0, subject_id=2)  # due, but nothing ticks any more
    await asyncio.sleep(0.2)
    assert estate.fired == [timer_id]


async def test_run_ticks_until_stop_is_set(estate: Estate) -> None:
    timer_id = await estate.schedule(T0)
    runner = estate.runner()
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    for _ in range(200):
        if estate.fired:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert estate.fired == [timer_id]


# Several workers.


@pytest.fixture(params=DATABASES)
async def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database two processes' worth of runners share: a SQLite file, or a scratch PostgreSQL
    database (see `tests/scratch_db.py`)."""
    async with scratch_database(request.param, tmp_path / "shared.sqlite3") as url:
        yield url


async def test_two_runners_ticking_concurrently_handle_each_timer_exactly_once(
    shared_url: str, clock: SettableClock
) -> None:
    first = await open_estate(shared_url, clock)
    second = Estate(Database(shared_url, clock=clock), first.estate_id, clock, shared_url)
    try:
        async with first.db.uow(first.estate_id) as uow:
            for subject in range(200):
                await uow.timers.schedule(
                    "repair.accept_sla", T0, subject_type="ticket", subject_id=subject
                )
            await uow.commit()

        async def drain(runner: TimerRunner) -> None:
            while await runner.tick():
                pass

        await asyncio.gather(
            drain(first.runner(worker="worker-1", batch=7)),
            drain(second.runner(worker="worker-2", batch=7)),
        )

        assert len(first.fired) + len(second.fired) == 200
        assert set(first.fired).isdisjoint(second.fired)
        escalated = await first.escalations()
        assert sorted(escalated) == list(range(200))  # type: ignore[type-var]
        async with first.db.uow(first.estate_id) as uow:
            statuses = await uow.session.execute(
                select(Timer.status, func.count()).group_by(Timer.status)
            )
            assert dict(statuses.all()) == {"done": 200}
    finally:
        await second.db.close()
        await first.db.close()
