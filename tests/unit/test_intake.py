"""The intake hands each recorded update to the engine once, and one whose handling failed again
shortly: not at the next idle look, and not over and over once it was handled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.core.intake import Intake
from bot.runtime import system_clock
from storage.database import Database
from storage.migrate import upgrade

REST = 3600.0  # the idle look never comes during a test: only a retry reads the rows again


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[tuple[Database, int]]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/intake.sqlite3", system_clock)
    await upgrade(database.engine)
    estate_id = await database.ensure_estate("default", "Test")
    yield database, estate_id
    await database.close()


def handled_on_attempt(
    db: Database, estate_id: int, attempt: int, fail: Callable[[Intake], Awaitable[None]]
) -> tuple[Callable[[dict[str, Any]], Awaitable[None]], list[int], list[Intake]]:
    """A feed that fails the first `attempt - 1` times (as `fail` says) and then marks the
    update handled, as the desk does; returns it, the update ids it saw, and a slot for the
    intake (made after the feed)."""
    seen: list[int] = []
    slot: list[Intake] = []

    async def feed(payload: dict[str, Any]) -> None:
        seen.append(payload["update_id"])
        if len(seen) < attempt:
            await fail(slot[0])
            return
        async with db.uow(estate_id) as uow:
            assert await uow.inbox.claim(payload["update_id"])
            await uow.commit()

    return feed, seen, slot


async def run_until(intake: Intake, done: Callable[[], bool], extra: float = 0.3) -> None:
    """Run the intake until `done` holds (at most 5 s), then `extra` seconds more."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(intake.process(stop, rest=REST))
    try:
        async with asyncio.timeout(5):
            while not done():  # noqa: ASYNC110 (the feed is the test's; polling it is simplest)
                await asyncio.sleep(0.01)
        await asyncio.sleep(extra)
    finally:
        stop.set()
        await task


async def engine_error(_intake: Intake) -> None:
    raise RuntimeError("the engine fell over")


async def desk_recorded_a_failed_attempt(intake: Intake) -> None:
    intake.retry_soon()  # what `Desk.fail` does through `on_retry`


@pytest.mark.parametrize("fail", [engine_error, desk_recorded_a_failed_attempt])
async def test_a_failed_update_is_handed_again_shortly_then_never(
    db: tuple[Database, int], fail: Callable[[Intake], Awaitable[None]]
) -> None:
    database, estate_id = db
    feed, seen, slot = handled_on_attempt(database, estate_id, 2, fail)
    intake = Intake(database, estate_id, feed, retry_after=0.05)
    slot.append(intake)
    await intake.record([{"update_id": 7, "message": {"text": "hi"}}])
    await run_until(intake, lambda: len(seen) >= 2)
    assert seen == [7, 7]  # the retry came although the idle look is an hour away


async def test_a_handled_update_is_handed_once(db: tuple[Database, int]) -> None:
    database, estate_id = db
    feed, seen, slot = handled_on_attempt(database, estate_id, 1, engine_error)
    intake = Intake(database, estate_id, feed, retry_after=0.05)
    slot.append(intake)
    await intake.record([{"update_id": 8}, {"update_id": 9}])
    await intake.record([{"update_id": 8}])  # Telegram sent it again: not recorded twice
    await run_until(intake, lambda: len(seen) >= 2)
    assert seen == [8, 9]
