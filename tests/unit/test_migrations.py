"""The migrations build exactly the schema the models describe, from an empty database."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.runtime import system_clock
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Base


async def test_migrating_an_empty_database_matches_the_models(tmp_path: Path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/schema.sqlite3", system_clock)
    try:
        await upgrade(db.engine)

        def differences(connection: object) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)

        async with db.engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await db.close()


async def test_upgrading_twice_changes_nothing(tmp_path: Path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/twice.sqlite3", system_clock)
    try:
        await upgrade(db.engine)
        await upgrade(db.engine)
    finally:
        await db.close()
