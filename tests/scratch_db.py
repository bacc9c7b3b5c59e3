"""Scratch databases for tests: a SQLite file always, and PostgreSQL when a server is named.

`ESTATE_TEST_POSTGRES_URL` names a PostgreSQL server (CI starts one with `.ci/postgres`); each test
then gets a database of its own there, created for it and dropped afterwards. Without the variable
the PostgreSQL variant of a test is skipped. A fixture uses it as

    @pytest.fixture(params=DATABASES)
    async def database_url(request, tmp_path):
        async with scratch_database(request.param, tmp_path / "test.sqlite3") as url:
            yield url
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

POSTGRES_SERVER_VARIABLE = "ESTATE_TEST_POSTGRES_URL"
DATABASES = ("sqlite", "postgresql")


def create_engine(url: str, **kwargs: object) -> AsyncEngine:
    """An async engine; a plain `postgresql://` URL is given the asyncpg driver."""
    return create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1), **kwargs)


@asynccontextmanager
async def scratch_database(kind: str, sqlite_file: Path) -> AsyncIterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgresql") for one test.

    SQLite: a file at `sqlite_file` (not created here; whoever opens it does). PostgreSQL: a new
    database on the server `ESTATE_TEST_POSTGRES_URL` names, dropped on leaving; the test is skipped
    when the variable is not set.
    """
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{sqlite_file}"
        return
    if kind != "postgresql":
        raise ValueError(f"no scratch database of kind {kind!r}: {', '.join(DATABASES)}")
    server = os.environ.get(POSTGRES_SERVER_VARIABLE)
    if not server:
        pytest.skip(f"{POSTGRES_SERVER_VARIABLE} is not set: no PostgreSQL server to test against")
    async with postgres_database(server) as url:
        yield url


@asynccontextmanager
async def postgres_database(server: str, prefix: str = "estate_test") -> AsyncIterator[str]:
    """The URL of a new database on the PostgreSQL `server`, dropped on leaving (the benchmark
    uses it too)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            await _drop_database(admin, name)
    finally:
        await admin.dispose()


async def _drop_database(admin: AsyncEngine, name: str) -> None:
    """DROP DATABASE ... WITH (FORCE), retried briefly: it refuses while an autovacuum worker (a
    superuser's process, which the tests' role may not end) happens to be in the database."""
    for attempt in range(40):
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError as exc:
            if attempt == 39 or "must be a member of the role" not in str(exc):
                raise
            await asyncio.sleep(0.25)
