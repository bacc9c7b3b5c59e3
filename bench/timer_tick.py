"""Benchmark: does a timer tick cost the same with 1k, 100k or 1M timers pending?

Why: every open repair and complaint carries timers (SLA escalations, confirmation timeouts,
callback surveys), most of them days or weeks away, and the runner asks "what is due?" every
second. That question must walk only the due rows (`ix_timers_status_due`: status, then due_at),
so a tick's cost follows the number due, not the number pending.

For each size the table is filled (in bulk, in chunks) with that many pending timers due in the
future, then a few ticks are timed, each after adding 100 due timers: the tick claims them in one
transaction and fires each through a no-op handler in a transaction of its own, as in production.
Printed per size: the pending rows, tick time p50/max (ms), the claim transaction alone p50 (ms),
the seconds spent filling the table (and measuring), and the query plan of the claim query.

    python bench/timer_tick.py [--sizes 1000,100000,1000000] [--database URL] [--repeats 5]

Without --database a SQLite file in a temporary directory is used. With --database the URL must
name a scratch database: the benchmark migrates it, uses an estate of its own ("bench-timers")
and deletes that estate's timers before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, insert, select

from bot.runtime import system_clock
from bot.scheduler import TimerRunner
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Timer
from storage.repositories.timers import PENDING, due_select
from storage.uow import UnitOfWork

DUE = 100
CHUNK = 20_000
FUTURE_KIND = "bench.future"
DUE_KIND = "bench.due"


@dataclass
class Result:
    size: int
    pending: int
    tick_ms: list[float]
    claim_ms: list[float]
    plan: str
    fill_s: float = 0.0


async def noop(uow: UnitOfWork, timer: Timer) -> None:
    """Does nothing: the benchmark measures the runner, not a handler."""


def future_rows(estate_id: int, start: int, stop: int, now: datetime) -> Iterator[dict[str, Any]]:
    base = now + timedelta(days=1)
    for n in range(start, stop):
        yield {
            "estate_id": estate_id,
            "kind": FUTURE_KIND,
            "subject_type": "bench",
            "subject_id": n,
            "due_at": base + timedelta(seconds=n),
            "payload": {},
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
        }


async def fill_future(db: Database, estate_id: int, have: int, want: int) -> None:
    """Bring the future pending timers from `have` to `want`, CHUNK rows per transaction."""
    now = datetime.now(UTC)
    for start in range(have, want, CHUNK):
        rows = list(future_rows(estate_id, start, min(start + CHUNK, want), now))
        async with db.engine.begin() as connection:
            await connection.execute(insert(Timer.__table__), rows)


async def add_due(db: Database, estate_id: int) -> None:
    now = datetime.now(UTC)
    async with db.uow(estate_id) as uow:
        for n in range(DUE):
            await uow.timers.schedule(
                DUE_KIND, now - timedelta(seconds=DUE - n), subject_type="bench", subject_id=n
            )
        await uow.commit()


async def analyze(db: Database) -> None:
    """Fresh planner statistics, as autovacuum / a periodic ANALYZE would keep them."""
    async with db.engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE timers" if is_postgres(db) else "ANALYZE")


async def time_claim(db: Database, estate_id: int) -> float:
    """The claim transaction alone (query + update of 100 rows), rolled back afterwards."""
    await add_due(db, estate_id)
    started = time.perf_counter()
    async with db.uow(estate_id) as uow:
        claimed = await uow.timers.claim_due(DUE, "bench-claim", timedelta(minutes=5))
        await uow.session.flush()
    elapsed = (time.perf_counter() - started) * 1000
    assert len(claimed) == DUE, f"claimed {len(claimed)}, expected {DUE}"
    return elapsed


async def time_tick(runner: TimerRunner, db: Database, estate_id: int) -> float:
    await add_due(db, estate_id)
    started = time.perf_counter()
    fired = await runner.tick()
    elapsed = (time.perf_counter() - started) * 1000
    assert fired == DUE, f"tick fired {fired}, expected {DUE}"
    return elapsed


async def query_plan(db: Database, estate_id: int) -> str:
    """The plan of the claim query, with the index it uses."""
    statement = due_select(estate_id, datetime.now(UTC), DUE)
    sql = str(statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN " if is_postgres(db) else "EXPLAIN QUERY PLAN "
    async with db.engine.connect() as connection:
        rows = (await connection.exec_driver_sql(prefix + sql)).all()
    lines = [re.sub(r"\s+\(cost=[^)]*\)", "", str(row[-1])).strip(" ->") for row in rows]
    return " > ".join(line for line in lines if not line.startswith("Index Cond"))


async def count_pending(db: Database, estate_id: int) -> int:
    async with db.engine.connect() as connection:
        return int(
            await connection.scalar(
                select(func.count())
                .select_from(Timer)
                .where(Timer.estate_id == estate_id, Timer.status == PENDING)
            )
            or 0
        )


async def clear(db: Database, estate_id: int) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(delete(Timer).where(Timer.estate_id == estate_id))


def is_postgres(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


async def measure(db: Database, estate_id: int, size: int, repeats: int) -> Result:
    runner = TimerRunner(db, estate_id, {DUE_KIND: noop}, worker="bench", batch=DUE)
    await time_tick(runner, db, estate_id)  # warm-up: caches, connections
    ticks = [await time_tick(runner, db, estate_id) for _ in range(repeats)]
    claims = [await time_claim(db, estate_id) for _ in range(repeats)]
    while await runner.tick():  # fire what the rolled-back claims left due
        pass
    pending = await count_pending(db, estate_id)
    await add_due(db, estate_id)
    plan = await query_plan(db, estate_id)
    await runner.tick()
    return Result(size, pending, ticks, claims, plan)


def report(result: Result) -> str:
    return (
        f"{result.size:>9,} {result.pending:>9,} "
        f"{statistics.median(result.tick_ms):>8.1f} {max(result.tick_ms):>8.1f} "
        f"{statistics.median(result.claim_ms):>9.1f} {result.fill_s:>6.1f}   {result.plan}"
    )


async def run(url: str, sizes: list[int], repeats: int) -> None:
    db = Database(url, system_clock)
    try:
        await upgrade(db.engine)
        estate_id = await db.ensure_estate("bench-timers", "Timer benchmark")
        await clear(db, estate_id)
        print(f"database: {db.engine.dialect.name}; {DUE} due timers per tick, {repeats} ticks")
        print(
            f"{'size':>9} {'pending':>9} {'tick p50':>8} {'tick max':>8} {'claim p50':>9} "
            f"{'fill s':>6}   plan (claim query)"
        )
        have = 0
        for size in sizes:
            started = time.perf_counter()
            await fill_future(db, estate_id, have, size)
            have = max(have, size)
            await analyze(db)
            result = await measure(db, estate_id, size, repeats)
            result.fill_s = time.perf_counter() - started
            print(report(result), flush=True)
        await clear(db, estate_id)
    finally:
        await db.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,100000,1000000", help="pending timers per run")
    parser.add_argument("--database", help="a scratch database URL (default: a temp SQLite file)")
    parser.add_argument("--repeats", type=int, default=5, help="timed ticks per size")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sizes = sorted(int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip())
    if args.database:
        asyncio.run(run(args.database, sizes, args.repeats))
        return
    with tempfile.TemporaryDirectory(prefix="timer-bench-") as folder:
        asyncio.run(run(f"sqlite+aiosqlite:///{folder}/bench.sqlite3", sizes, args.repeats))


if __name__ == "__main__":
    main()
