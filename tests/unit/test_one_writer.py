"""SQLite's one writer: units of work queue in the process, and a nested one fails at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.runtime import system_clock
from storage.database import Database
from storage.migrate import upgrade


async def test_units_of_work_take_turns_and_one_inside_another_is_refused(tmp_path: Path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/one.sqlite3", system_clock)
    try:
        await upgrade(db.engine)
        estate_id = await db.ensure_estate("default", "Test")
        order: list[str] = []

        async def stage(name: str) -> None:
            async with db.uow(estate_id) as uow:
                order.append(f"{name} in")
                await uow.outbox.send(1, {"lines": []})
                await asyncio.sleep(0.01)  # another task's unit of work waits meanwhile
                order.append(f"{name} out")
                await uow.commit()

        await asyncio.gather(stage("a"), stage("b"))
        assert order == ["a in", "a out", "b in", "b out"]

        async with db.uow(estate_id):
            with pytest.raises(RuntimeError, match="inside another"):
                async with db.uow(estate_id):
                    pass
        async with db.uow(estate_id) as uow:  # the refusal left the writer free
            assert [row.chat_id for row in await uow.outbox.next_batch(10)] == [1, 1]
    finally:
        await db.close()
