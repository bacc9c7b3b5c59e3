"""Opening the database: one async engine per process, the same code for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

from storage.clock import Clock, ClockedSession


def create_engine(url: str) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, foreign keys and a busy timeout (two processes)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30, "isolation_level": None})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock when a transaction starts, not halfway through it.

    A deferred SQLite transaction that reads and then writes fails at once with "database is
    locked" when another connection wrote in between; busy_timeout cannot help it. Starting every
    transaction with BEGIN IMMEDIATE makes writers queue on the busy timeout instead.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine, clock: Clock) -> async_sessionmaker[AsyncSession]:
    """Sessions that stamp what they write with `clock` (see `storage.clock`)."""
    return async_sessionmaker(
        engine, expire_on_commit=False, sync_session_class=ClockedSession, info={"clock": clock}
    )
