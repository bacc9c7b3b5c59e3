"""Opening the database: one async engine per process, the same code for SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite
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
        database = parsed.database or ":memory:"

        async def connect() -> InlineSQLite:
            def connector() -> sqlite3.Connection:
                return sqlite3.connect(
                    database, timeout=30, isolation_level=None, check_same_thread=False
                )

            return await InlineSQLite(connector, 64)

        engine = create_async_engine(url, async_creator=connect)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


class InlineSQLite(aiosqlite.Connection):
    """aiosqlite's connection, its calls made on the event loop's own thread.

    Why: aiosqlite hands every call (execute, fetch, commit) to a thread of its own and waits for
    the answer; with some 80 such hand-offs per update they were the largest share of the bot's
    CPU per update (the main thread waiting to get the interpreter back). The bot's SQLite work
    is small statements on a WAL database that does not sync at each commit
    (`synchronous=NORMAL`), one unit of work at a time (`storage.uow.OneWriter`), so a call
    made in place takes microseconds. The price: while another process (the CLI) holds the
    database's write lock, the bot's loop waits for it, up to the busy timeout.
    """

    def __await__(self) -> Generator[Any, None, InlineSQLite]:
        return self._open().__await__()

    async def _open(self) -> InlineSQLite:
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def stop(self) -> None:  # type: ignore[override]
        """Nothing to stop: there is no thread."""
        self._running = False


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

    Said straight to the sqlite3 connection: `InlineSQLite` makes its calls in place anyway, and
    SQLAlchemy's statement machinery around this one line cost a tenth of an update's CPU.
    """
    driver = connection.connection.driver_connection
    if isinstance(driver, InlineSQLite) and driver._connection is not None:
        driver._connection.execute("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine, clock: Clock) -> async_sessionmaker[AsyncSession]:
    """Sessions that stamp what they write with `clock` (see `storage.clock`)."""
    return async_sessionmaker(
        engine, expire_on_commit=False, sync_session_class=ClockedSession, info={"clock": clock}
    )
