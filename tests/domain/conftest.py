"""Fixtures for the domain tests: an estate where people have already started, or a fresh one.

Registering a resident and having the staff open their private chats takes a dozen updates, and
the forms of a repair or a complaint a few more; each is done once per run into a template
database, and each test that starts from there gets a copy of it (`estate`, `job`,
`complaint`). Tests that need an empty estate, another config or another starting moment open
one of their own (`open_estate`), in memory.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from handlers.config import EstateConfig

from .harness import (
    ALICE,
    LI,
    QIAN,
    SUN,
    ZHOU,
    Clock,
    Estate,
    estate_config,
    file_complaint,
    local,
    register,
    report_repair,
)
from .harness import start_staff as start

OpenEstate = Callable[..., Awaitable[Estate]]

# Monday 21 September 2026, 10:00 in Shanghai: an ordinary working morning, the week before the
# Mid-Autumn Festival (Friday 25th) and National Day (1-7 October, make-up workday Saturday 10th).
MONDAY_MORNING = local(2026, 9, 21, 10, 0)


@dataclass(frozen=True)
class Template:
    """A saved estate: its database file, and the id its next update takes."""

    path: Path
    next_update: int

    async def copy(self, folder: Path) -> Estate:
        """The estate as saved, its clock at Monday 10:00, in a database of its own."""
        copy = folder / "estate.sqlite3"
        shutil.copyfile(self.path, copy)
        return await Estate.open(
            estate_config(),
            Clock(MONDAY_MORNING),
            f"sqlite+aiosqlite:///{copy}",
            first_update=self.next_update,
            create_schema=False,
        )

    def then(self, folder: Path, step: Callable[[Estate], Awaitable[object]]) -> Template:
        """A new template: this one after `step`, still on Monday at 10:00."""

        async def build() -> Template:
            estate = await self.copy(folder)
            try:
                await step(estate)
                return Template(folder / "estate.sqlite3", estate.next_update)
            finally:
                await estate.close()

        return _checked(asyncio.run(build()))


def _empty(folder: Path) -> Template:
    async def build() -> Template:
        path = folder / "estate.sqlite3"
        estate = await Estate.open(
            estate_config(), Clock(MONDAY_MORNING), f"sqlite+aiosqlite:///{path}"
        )
        await estate.close()
        return Template(path, estate.next_update)

    return _checked(asyncio.run(build()))


def _checked(template: Template) -> Template:
    wal = template.path.with_name(template.path.name + "-wal")
    assert not wal.exists()  # closed cleanly: everything is in the one file
    return template


async def _people(estate: Estate) -> None:
    """Alice registered at 3-2-301 (approved by Wang); Li, Zhou, Qian and Sun have opened their
    private chats with the bot. Wang has not."""
    await register(estate, ALICE)
    for person in (LI, ZHOU, QIAN, SUN):
        await start(estate, person)


async def _repair(estate: Estate) -> None:
    """R-0001: Alice's leak, normal urgency, visit today 17:00-20:00, waiting to be accepted."""
    assert await report_repair(estate, ALICE) == "R-0001"


async def _complaint(estate: Estate) -> None:
    """C-0001: Alice's complaint about noise, waiting for triage."""
    assert await file_complaint(estate, ALICE) == "C-0001"


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Template]:
    """Built once per run: each test that starts from one gets a copy of its database."""
    people = _empty(tmp_path_factory.mktemp("empty")).then(
        tmp_path_factory.mktemp("people"), _people
    )
    return {
        "people": people,
        "repair": people.then(tmp_path_factory.mktemp("repair"), _repair),
        "complaint": people.then(tmp_path_factory.mktemp("complaint"), _complaint),
    }


@pytest.fixture
async def estate(templates: dict[str, Template], tmp_path: Path) -> AsyncIterator[Estate]:
    """Monday 10:00: Alice is a resident; Li, Zhou, Qian and Sun have started (Wang has not)."""
    opened = await templates["people"].copy(tmp_path)
    yield opened
    await opened.close()


@pytest.fixture
async def job(templates: dict[str, Template], tmp_path: Path) -> AsyncIterator[Estate]:
    """The same, and Alice reported R-0001 at 10:00: a leak at home, normal urgency, visit
    today 17:00-20:00, waiting in engineering's group."""
    opened = await templates["repair"].copy(tmp_path)
    yield opened
    await opened.close()


@pytest.fixture
async def complaint(templates: dict[str, Template], tmp_path: Path) -> AsyncIterator[Estate]:
    """The same, and Alice filed C-0001 at 10:00 about noise, waiting for triage."""
    opened = await templates["complaint"].copy(tmp_path)
    yield opened
    await opened.close()


@pytest.fixture
async def open_estate() -> AsyncIterator[OpenEstate]:
    """Open an empty estate at `at` (Monday morning by default), with the manual's timings
    unless `config` says otherwise."""
    opened: list[Estate] = []

    async def opener(at: datetime = MONDAY_MORNING, config: EstateConfig | None = None) -> Estate:
        estate = await Estate.open(config or estate_config(), Clock(at))
        opened.append(estate)
        return estate

    yield opener
    for estate in opened:
        await estate.close()
