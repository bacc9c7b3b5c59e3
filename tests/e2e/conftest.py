"""End-to-end fixtures: the sandbox Telegram in the test process, the real bot in another.

The bot is started as `python -m bot.cli run` with only its environment pointing it at the sandbox
and a fresh SQLite database, exactly as an operator would run it against Telegram. Tests speak as
people do (send, tap, click) and read what the bot did from the chats, the sandbox's call log
and the database.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, insert, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import SandboxGroup, SandboxMessage, SandboxServer, SandboxUser
from bot.sandbox.errors import PATIENCE
from storage.models import Timer

from ..scratch_db import DATABASES, POSTGRES_SERVER_VARIABLE, create_engine, scratch_database

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Estate:
    """A small estate: a front-desk group with two staff, residents on and off the roster, and an
    engineering group with two technicians and their supervisor."""

    sandbox: SandboxServer
    folder: Path
    front_desk: SandboxGroup
    wang: SandboxUser  # front desk
    li: SandboxUser  # front desk
    zhou: SandboxUser  # technician: staff, but may not decide registrations
    alice: SandboxUser  # on the roster
    bob: SandboxUser  # not on the roster
    mallory: SandboxUser  # not staff, not a resident
    engineering: SandboxGroup  # the engineering department's group: repair cards land here
    qian: SandboxUser  # a second engineering technician
    sun: SandboxUser  # engineering supervisor; has not opened a private chat with the bot yet
    managers: SandboxGroup  # management's group (in the config only with `managers_department`)
    security: SandboxGroup  # the security department's group: the gate works from here
    ma: SandboxUser  # a guard
    he: SandboxUser  # security supervisor; has not opened a private chat with the bot
    finance: SandboxGroup  # the finance department's group: "I have paid" cards, arrears lists
    xu: SandboxUser  # finance
    database_url: str = ""
    engine: str = "ptb"  # which library the bot runs on: every test runs on both
    # Off by default: with a managers group, escalations that find no supervisor to write to go
    # there instead of to the front desk, which the repair tests rely on.
    managers_department: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    # `[release_slips]`: a morning slip booked for today is valid all day (grace 12h), so the
    # gate tests pass at any hour; a test may add keys (auto_approve = true).
    release_slips: list[str] = field(
        default_factory=lambda: ['window_grace = "12h"', "lookup_attempts = 3"]
    )
    # `[fees]`: officers by building and the assistant, as a test needs them.
    fees: list[str] = field(default_factory=list)
    # `[calendar]`: the manual's office hours unless a test needs the office closed now.
    calendar: list[str] = field(default_factory=list)
    # The on-duty group (`[on_duty]`, the control room), in the config only when a test adds it.
    control_room: SandboxGroup | None = None
    _engine: AsyncEngine | None = None

    @property
    def config_path(self) -> Path:
        return self.folder / "estate.toml"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATE_")}
        env.update(
            ESTATE_BOT_TOKEN=self.sandbox.token,
            ESTATE_TELEGRAM_API=self.sandbox.base_url,
            ESTATE_DATA_DIR=str(self.folder / "data"),
            ESTATE_CONFIG=str(self.config_path),
            ESTATE_DATABASE_URL=self.database_url,
            ESTATE_OUTBOX_CLAIM_TIMEOUT="2",
            # Test people answer the instant a question arrives, faster than anyone reads: their
            # replies are not held to one a second once 20 went out (the sandbox does not enforce
            # per-chat limits unless a test asks it to; tests/sandbox check the pacing itself).
            ESTATE_OUTBOX_PRIVATE_BURST="500",
            ESTATE_LOG_LEVEL="INFO",
            ESTATE_ENGINE=self.engine,
            PYTHONPATH=str(ROOT),
        )
        env.update(self.extra_env)
        return env

    async def query(self, sql: str, **params: object) -> list[tuple]:
        """Read the bot's database as an auditor would (the bot may be running)."""
        if self._engine is None:
            self._engine = create_engine(self.database_url)
        async with self._engine.connect() as connection:
            result = await connection.execute(text(sql), params)
            return [tuple(row) for row in result]

    async def query_write(self, sql: str, **params: object) -> None:
        """Change the bot's database from outside, as a test moving a timer's due time does
        instead of sleeping through it (the running bot's scheduler then fires it)."""
        if self._engine is None:
            self._engine = create_engine(self.database_url)
        async with self._engine.begin() as connection:
            await connection.execute(text(sql), params)

    async def insert(self, table: Table, rows: list[dict[str, object]]) -> None:
        """Add rows to the bot's database as if the bot had written them (a crowd of residents
        who registered, without each one going through the form)."""
        if self._engine is None:
            self._engine = create_engine(self.database_url)
        async with self._engine.begin() as connection:
            await connection.execute(insert(table), rows)

    async def fast_forward(self, kind: str, timeout: float = PATIENCE) -> int:  # noqa: ASYNC109
        """Make the pending timers of `kind` due now, as if their time had come: the bot's
        scheduler (running, or when it next starts) fires them on its next tick. Waits until
        there is one to move (the decision that schedules it may still be in flight); returns
        how many were moved. When a deadline falls is for the domain tests to say."""
        if self._engine is None:
            self._engine = create_engine(self.database_url)
        engine = self._engine
        moved = (
            update(Timer)
            .where(Timer.kind == kind, Timer.status == "pending")
            .values(due_at=datetime.now(UTC))
        )

        async def move() -> int:
            async with engine.begin() as connection:
                return (await connection.execute(moved)).rowcount

        count = await eventually(move, timeout)
        assert isinstance(count, int)
        return count

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()


def write_config(estate: Estate) -> None:
    """The estate's config. Its timings are the manual's (there is no [timings] table): no
    deadline passes by itself during a test, and a test that needs one fast-forwards it
    (`Estate.fast_forward`)."""
    staff = [
        (estate.wang, "Wang Fang", "front_desk", "front_desk"),
        (estate.li, "Li Na", "front_desk", "front_desk"),
        (estate.zhou, "Zhou Qiang", "technician", "engineering"),
        (estate.qian, "Qian Wei", "technician", "engineering"),
        (estate.sun, "Sun Li", "supervisor", "engineering"),
        (estate.ma, "Ma Jun", "guard", "security"),
        (estate.he, "He Ping", "supervisor", "security"),
        (estate.xu, "Xu Lan", "finance", "finance"),
    ]
    lines = [
        "[estate]",
        'name = "Sunrise Gardens"',
        'timezone = "Asia/Shanghai"',
        'default_language = "en"',
        "",
        *(["[calendar]", *estate.calendar, ""] if estate.calendar else []),
        "[[departments]]",
        'key = "front_desk"',
        'name = "Front desk"',
        f"chat_id = {estate.front_desk.id}",
        "",
        "[[departments]]",
        'key = "engineering"',
        'name = "Engineering"',
        f"chat_id = {estate.engineering.id}",
        "",
        "[[departments]]",
        'key = "security"',
        'name = "Security"',
        f"chat_id = {estate.security.id}",
        "",
        "[[departments]]",
        'key = "finance"',
        'name = "Finance"',
        f"chat_id = {estate.finance.id}",
        "",
    ]
    if estate.managers_department:
        lines += [
            "[[departments]]",
            'key = "managers"',
            'name = "Management"',
            f"chat_id = {estate.managers.id}",
            "",
        ]
    if estate.control_room is not None:
        lines += ["[[departments]]", 'key = "control_room"', 'name = "Control room"']
        lines += [f"chat_id = {estate.control_room.id}", ""]
        lines += ["[on_duty]", 'department = "control_room"', ""]
    lines += [
        "[release_slips]",
        *estate.release_slips,
        "",
    ]
    if estate.fees:
        lines += ["[fees]", *estate.fees, ""]
    for user, name, role, department in staff:
        lines += [
            "[[staff]]",
            f"telegram_id = {user.id}",
            f'name = "{name}"',
            f'role = "{role}"',
            f'department = "{department}"',
            "",
        ]
    estate.config_path.write_text("\n".join(lines), encoding="utf-8")
    (estate.folder / "roster.csv").write_text(
        "building,entrance,room,name,phone\n3,2,301,Alice Chen,138 0000 0001\n",
        encoding="utf-8",
    )


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer() as server:
        yield server


def _stacks() -> list[tuple[str, str]]:
    """Which engine runs on which database. Every end-to-end test runs on python-telegram-bot
    and on aiogram, and on SQLite and PostgreSQL: by default as two pairs, PTB on SQLite (the
    embedded default) and aiogram on PostgreSQL, so that each engine and each database sees the
    whole suite (without a PostgreSQL server, aiogram runs on SQLite as well). The engines never
    touch storage and the database never sees a Telegram type (the import contracts keep it
    so), so the other two pairs would repeat what these prove at twice the time.
    `ESTATE_TEST_FULL_MATRIX=1` runs all four."""
    if os.environ.get("ESTATE_TEST_FULL_MATRIX") == "1":
        return [(engine, database) for database in DATABASES for engine in ENGINES]
    if not os.environ.get(POSTGRES_SERVER_VARIABLE):  # no server: aiogram runs on SQLite too
        return [(engine, "sqlite") for engine in ENGINES]
    return list(zip(ENGINES, DATABASES, strict=True))


ENGINES = ("ptb", "aiogram")
STACKS = _stacks()


@pytest.fixture(params=STACKS, ids=[f"{database}-{engine}" for engine, database in STACKS])
def stack(request: pytest.FixtureRequest) -> tuple[str, str]:
    """The engine and the database of one run of an end-to-end test (see `_stacks`)."""
    return request.param


@pytest.fixture
async def database_url(stack: tuple[str, str], tmp_path: Path) -> AsyncIterator[str]:
    """A database of the test's own (see `tests/scratch_db.py`): a difference between SQLite and
    PostgreSQL is a bug."""
    async with scratch_database(stack[1], tmp_path / "data" / "estate-bot.sqlite3") as url:
        yield url


@pytest.fixture
def engine(stack: tuple[str, str]) -> str:
    """The library the bot runs on: the desk must behave the same on both (a difference is a
    bug in one engine)."""
    return stack[0]


@pytest.fixture
async def estate(
    sandbox: SandboxServer, tmp_path: Path, database_url: str, engine: str
) -> AsyncIterator[Estate]:
    estate = Estate(
        sandbox=sandbox,
        folder=tmp_path,
        front_desk=sandbox.add_group("Front desk"),
        wang=sandbox.add_user("Wang", last_name="Fang", language_code="zh-hans"),
        li=sandbox.add_user("Li", last_name="Na", language_code="en"),
        zhou=sandbox.add_user("Zhou", last_name="Qiang", language_code="en"),
        alice=sandbox.add_user(
            "Alice", last_name="Chen", language_code="en", phone="+8613800000001"
        ),
        bob=sandbox.add_user("Bob", last_name="Li", language_code="en", phone="+8613900000002"),
        mallory=sandbox.add_user("Mallory", language_code="en", phone="+8613700000003"),
        engineering=sandbox.add_group("Engineering"),
        qian=sandbox.add_user("Qian", last_name="Wei", language_code="en"),
        # Like a real account that never pressed Start: private messages to him fail with 403
        # until he writes to the bot (see `start_staff`).
        sun=sandbox.add_user("Sun", last_name="Li", language_code="en", started=False),
        managers=sandbox.add_group("Management"),
        security=sandbox.add_group("Security"),
        ma=sandbox.add_user("Ma", last_name="Jun", language_code="en"),
        he=sandbox.add_user("He", last_name="Ping", language_code="en", started=False),
        finance=sandbox.add_group("Finance"),
        xu=sandbox.add_user("Xu", last_name="Lan", language_code="en"),
        database_url=database_url,
        engine=engine,
    )
    write_config(estate)
    yield estate
    await estate.close()


class BotProcess:
    """The real bot, as a separate OS process that can be stopped politely or killed -9."""

    def __init__(self, estate: Estate, *args: str) -> None:
        self.estate = estate
        self.args = args or ("run",)
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = estate.folder / "bot.log"
        self.starts = 0

    async def start(self, ready_within: float = 180.0) -> None:
        """Start the process and wait until it is ready: polling (or its webhook set), as an
        operator sees it in the log. Tests then time the bot's replies, not its start-up."""
        self.starts += 1
        log = self.log_path.open("ab")
        log.write(f"\n--- start {self.starts} ---\n".encode())
        sandbox = self.estate.sandbox
        seen = len(sandbox.calls)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *self.args,
            env=self.estate.env(),
            cwd=self.estate.folder,
            stdout=log,
            stderr=log,
        )
        log.close()
        process = self.process

        def ready() -> bool:
            started = any(
                call.method in ("getUpdates", "setWebhook") for call in sandbox.calls[seen:]
            )
            return started or process.returncode is not None

        await sandbox.wait_until(ready, ready_within, poll=0.1)

    async def kill(self) -> None:
        """kill -9: no cleanup, no flush, no goodbye."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


async def eventually(
    check: Callable[[], Awaitable[object]],
    timeout: float = PATIENCE,  # noqa: ASYNC109
) -> object:
    """Poll an async check until it returns something truthy (for database state)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        await asyncio.sleep(0.1)


async def run_cli(estate: Estate, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=estate.env(),
        cwd=estate.folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode()
    assert process.returncode == 0, text
    return text


async def import_roster_file(estate: Estate) -> None:
    """What `estate-bot residents import roster.csv` does, in the test's process: the estate's
    office has loaded its roster before the bot starts. (The command itself is tested in
    test_cli.py; here it would cost every test a second start of Python and the bot's imports.)"""
    from bot.runtime import ESTATE_SLUG, system_clock
    from handlers.roster_files import read_roster
    from handlers.roster_import import import_roster
    from storage.database import Database
    from storage.migrate import upgrade

    read_back = read_roster(estate.folder / "roster.csv")
    assert not read_back.rejected, read_back.rejected
    db = Database(estate.database_url, system_clock)
    try:
        await upgrade(db.engine)
        estate_id = await db.ensure_estate(ESTATE_SLUG, "Sunrise Gardens")
        async with db.uow(estate_id) as uow:
            await import_roster(uow, read_back.rows)
            await uow.commit()
    finally:
        await db.close()


# -- people doing things: shared by the feature tests ------------------------------------------


async def register_on_roster(person: SandboxUser) -> None:
    """A resident whose phone is on the roster registers: /start, then share the phone."""
    await person.send("/start")
    await person.wait_for_message(containing="share your phone")
    await person.tap("Share my phone number")
    await person.wait_for_message(containing="registered as a resident")


async def register_with_approval(
    estate: Estate,
    person: SandboxUser,
    unit: tuple[str, str, str] = ("5", "1", "502"),
    *,
    approver: SandboxUser | None = None,
) -> None:
    """A resident not on the roster names their unit and the front desk approves them."""
    building, entrance, room = unit
    await person.send("/start")
    await person.wait_for_message(containing="share your phone")
    await person.tap("Share my phone number")
    for question, answer in (
        ("Which building", building),
        ("Which entrance", entrance),
        ("Which room", room),
    ):
        await person.wait_for_message(containing=question)
        await person.send(answer)
    summary = await person.wait_for_message(containing="Is this right")
    await person.click("Submit", message=summary)
    await person.wait_for_message(containing="sent to the front desk")
    card = await estate.front_desk.wait_for_message(
        predicate=lambda m: "Registration request" in m.text and person.full_name in m.text
    )
    await (approver or estate.wang).click("Approve", message=card)
    await person.wait_for_message(containing="confirmed your registration")


async def start_staff(person: SandboxUser) -> None:
    """A staff member opens the private chat with the bot (so it can write to them)."""
    await person.send("/start")
    await person.wait_for_message(containing="registered as staff")


@dataclass
class Reported:
    """What a resident got back from `report_repair`."""

    number: str  # "R-0001"
    reply: SandboxMessage  # "Thank you! Your repair request is registered as R-0001 ..."


async def report_repair(
    estate: Estate,
    person: SandboxUser,
    *,
    category: str = "Water and drains",
    where: str = "home",
    place: str | None = None,
    description: str = "The kitchen sink leaks under the cabinet since this morning.",
    photos: int = 0,
    album: bool = True,
    urgent: bool = False,
    slot: str = "Evening",
    days_ahead: int = 1,
    join: bool | None = None,
    command: str | None = "/repair",
    registered: str = "registered as",
) -> Reported | SandboxMessage:
    """Drive the repair form from /repair to Submit, as a resident taps and types it.

    Staff recording on someone's behalf pass `command=None` (the form is already open) and the
    words of their own confirmation as `registered`.

    `where`: "home" (the resident's first home), "common" (then `place` is typed), or a label of
    the Where buttons. `photos`: how many, sent as one album (`album=True`) or one by one. The
    visit is `days_ahead` days from today (estate time) in `slot`. If the place matches a common
    fault already being handled, `join` says whether to join it (True: returns the bot's "You
    joined" message instead of a `Reported`); an offer to join with `join=None` fails the test.
    """
    if command is not None:
        await person.send(command)
    ask = await person.wait_for_message(containing="What needs repairing")
    await person.click(category, message=ask)
    ask = await person.wait_for_message(containing="Where is it")
    if where == "home":
        label = ask.buttons[0][0]
        assert label != "A common area", f"{person.full_name} has no home: {ask.buttons}"
    elif where == "common":
        label = "A common area"
    else:
        label = where
    await person.click(label, message=ask)
    if where == "common":
        assert place is not None, "a common-area report needs place=..."
        await person.wait_for_message(containing="Which common area")
        await person.send(place)
        ask = await person.wait_for_message(
            predicate=lambda m: (
                "describe the problem" in m.text or "already being handled" in m.text
            )
        )
        if "already being handled" in ask.text:
            assert join is not None, f"unexpected offer to join: {ask.text}"
            await person.click("Join" if join else "No, report a new fault", message=ask)
            if join:
                return await person.wait_for_message(containing="You joined")
            await person.wait_for_message(containing="describe the problem")
        else:
            assert not join, f"no offer to join was made: {ask.text}"
    else:
        await person.wait_for_message(containing="describe the problem")
    await person.send(description)
    ask = await person.wait_for_message(containing="up to 3 photos")
    if photos == 0:
        await person.click("Skip", message=ask)
    elif photos < 3:  # three photos end the step by themselves
        if album:
            await person.send_photos(photos)
            note = await person.wait_for_message(containing="Photo received")
        else:
            for _ in range(photos):
                await person.send_photo()
                note = await person.wait_for_message(containing="Photo received")
        await all_updates_handled(estate)  # as a person would: Done once the photos are in
        answer = await person.click("Done", message=note)
        assert not answer.show_alert, f"Done after {photos} photos was refused: {answer.text}"
    elif album:
        await person.send_photos(photos)
    else:
        for _ in range(photos):
            await person.send_photo()
    ask = await person.wait_for_message(containing="How urgent")
    await person.click("Urgent" if urgent else "Normal", message=ask)
    ask = await person.wait_for_message(containing="Which day")
    visit = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=days_ahead)
    await person.send(visit.isoformat())  # a day can be typed as well as tapped
    ask = await person.wait_for_message(containing="time of day")
    await person.click(slot, message=ask)
    summary = await person.wait_for_message(containing="Submit this repair")
    await person.click("Submit", message=summary)
    reply = await person.wait_for_message(containing=registered)
    match = re.search(r"R-\d{4}", reply.text)
    assert match, reply.text
    return Reported(match.group(0), reply)


async def file_complaint(
    estate: Estate,
    person: SandboxUser,
    *,
    topic: str = "Noise and neighbours",
    what: str = "Loud drilling from 502 every night after 22:00 since Monday.",
    wish: str = "Ask them to stop after 22:00.",
    command: str | None = "/complain",
    registered: str = "registered as",
) -> str:
    """Drive the complaint form from /complain to Submit; returns the number ("C-0001").
    `command` and `registered` as for `report_repair`."""
    if command is not None:
        await person.send(command)
    ask = await person.wait_for_message(containing="What is your complaint about")
    await person.click(topic, message=ask)
    await person.wait_for_message(containing="What happened")
    await person.send(what)
    ask = await person.wait_for_message(containing="up to 3 photos")
    await person.click("Skip", message=ask)
    await person.wait_for_message(containing="What would you like us to do")
    await person.send(wish)
    summary = await person.wait_for_message(containing="Submit this complaint")
    await person.click("Submit", message=summary)
    reply = await person.wait_for_message(containing=registered)
    match = re.search(r"C-\d{4}", reply.text)
    assert match, reply.text
    return match.group(0)


async def all_updates_handled(estate: Estate, timeout: float = PATIENCE) -> None:  # noqa: ASYNC109
    """Every update sent so far was fetched and handled by the bot (an album is several)."""
    sandbox = estate.sandbox
    await sandbox.wait_until(lambda: not sandbox.pending_updates(), timeout)

    async def none_pending() -> bool:
        rows = await estate.query("select count(*) from incoming_updates where status = 'pending'")
        return rows == [(0,)]

    await eventually(none_pending, timeout)


@pytest.fixture
async def bot(estate: Estate, request: pytest.FixtureRequest) -> AsyncIterator[BotProcess]:
    await import_roster_file(estate)
    process = BotProcess(estate)
    await process.start()
    yield process
    await process.stop()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        print(process.log()[-20_000:])
        print(estate.sandbox.transcript())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
