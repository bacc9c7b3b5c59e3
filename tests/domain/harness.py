"""The desk in-process, without Telegram: a small estate on an SQLite database of its own (in
memory, or a copy of a saved one) and a clock the test moves by hand.

It is assembled the way `bot.runtime` assembles a process (config, database, roster, features,
flow runner, desk, timer runner), minus the engine, intake and sender: an update goes straight to
`Desk.handle`, and what the bot says is read back from the outbox rows and rendered with
`Renderer`, as the sender would render it for Telegram. Timers fire when the test calls `tick()`
or lets time pass with `wait(...)`, which stops at every timer due on the way, as the running
scheduler would. Nothing sleeps.

Only the desk's public surface is used (features, desk, flow runner, timer runner, outbox rows,
renderer, the tables), never a handler's function: the tests read as people act and see.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from bot.core.desk import Desk, DeskSettings
from bot.core.flows import FlowRunner
from bot.core.incoming import Incoming
from bot.features import build_features
from bot.render import Renderer
from bot.roster import sync_roster
from bot.scheduler import TimerRunner
from handlers.config import EstateConfig, load_estate_config_text
from storage.database import Database
from storage.models import Base, OutboxMessage, Ticket, Timer
from storage.uow import UnitOfWork

ZONE = ZoneInfo("Asia/Shanghai")
FRONT_DESK = -1001
ENGINEERING = -1002
MANAGERS = -1003
CONTROL_ROOM = -1004
_TAG = re.compile(r"<[^>]+>")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment on the estate's wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


class Clock:
    """The time every unit of work reads; only the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **amount: float) -> None:
        self.now += timedelta(**amount)

    @property
    def today(self) -> date:
        return self.now.astimezone(ZONE).date()


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    last_name: str | None = None
    language_code: str = "en"
    phone: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    @property
    def language(self) -> str:
        return "zh_Hans" if self.language_code.startswith("zh") else "en"


WANG = Person(101, "Wang", "Fang", "zh-hans")  # front desk, reads Chinese
LI = Person(102, "Li", "Na")  # front desk
ZHOU = Person(201, "Zhou", "Qiang")  # engineering technician
QIAN = Person(202, "Qian", "Wei")  # engineering technician
SUN = Person(203, "Sun", "Li")  # engineering supervisor
ALICE = Person(301, "Alice", "Chen", phone="+8613800000001")
BOB = Person(302, "Bob", "Li", phone="+8613900000002")
GUO = Person(401, "Guo", "Min")  # on duty in the control room (only with `on_duty`)

STAFF = (
    (WANG, "Wang Fang", "front_desk", "front_desk"),
    (LI, "Li Na", "front_desk", "front_desk"),
    (ZHOU, "Zhou Qiang", "technician", "engineering"),
    (QIAN, "Qian Wei", "technician", "engineering"),
    (SUN, "Sun Li", "supervisor", "engineering"),
)


def estate_config(
    timings: dict[str, str] | None = None,
    *,
    managers: bool = True,
    fees: str = "",
    repairs: str = "",
    on_duty: bool = False,
) -> EstateConfig:
    """The test estate: mainland public holidays, Monday to Friday 09:00-18:00, and the
    manual's timings unless `timings` overrides some ("repair_accept_urgent": "30m"). With
    `on_duty`, a control room (Guo on duty) takes what comes in outside office hours."""
    lines = [
        "[estate]",
        'name = "Sunrise Gardens"',
        'timezone = "Asia/Shanghai"',
        'default_language = "en"',
        'front_desk_phone = "+86 21 5555 0100"',
        "",
        "[calendar]",
        'holidays = "chinese-calendar"',
        'weekdays = ["mon", "tue", "wed", "thu", "fri"]',
        'hours = "09:00-18:00"',
        "",
        "[[departments]]",
        'key = "front_desk"',
        'name = "Front desk"',
        f"chat_id = {FRONT_DESK}",
        "",
        "[[departments]]",
        'key = "engineering"',
        'name = "Engineering"',
        f"chat_id = {ENGINEERING}",
        "",
    ]
    if managers:
        lines += ["[[departments]]", 'key = "managers"', 'name = "Management"']
        lines += [f"chat_id = {MANAGERS}", ""]
    if on_duty:
        lines += ["[[departments]]", 'key = "control_room"', 'name = "Control room"']
        lines += [f"chat_id = {CONTROL_ROOM}", "", "[on_duty]", 'department = "control_room"', ""]
    if timings:
        lines += ["[timings]", *(f'{key} = "{value}"' for key, value in timings.items()), ""]
    if fees:
        lines += ["[fees]", fees, ""]
    if repairs:
        lines += ["[repairs]", repairs, ""]
    staff = [*STAFF, (GUO, "Guo Min", "guard", "control_room")] if on_duty else STAFF
    for person, name, role, department in staff:
        lines += ["[[staff]]", f"telegram_id = {person.id}", f'name = "{name}"']
        lines += [f'role = "{role}"', f'department = "{department}"', ""]
    return load_estate_config_text("\n".join(lines), source="test estate")


@dataclass(frozen=True)
class Shown:
    """A message as its reader sees it now (after any edits): text, button labels, photos."""

    id: int
    text: str
    buttons: list[list[str]]
    callback_data: list[list[str]]
    photos: list[str]

    def __contains__(self, part: str) -> bool:
        return part in self.text


@dataclass(frozen=True)
class Toast:
    """What a tap got back at once: a toast, or an alert to dismiss."""

    text: str
    alert: bool


@dataclass
class Estate:
    config: EstateConfig
    clock: Clock
    db: Database
    estate_id: int
    desk: Desk
    timers: TimerRunner
    renderer: Renderer
    _updates: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _recorded: int = 0
    telegram_takes_everything: bool = False
    """Without a sender, outbox rows stay pending; campaigns (the broadcast engine) wait for
    their outcome. A test of a feature that broadcasts says Telegram took every message."""

    @property
    def next_update(self) -> int:
        """The id the next update will get (to reopen a copy of this estate's database)."""
        return self._recorded + 1

    @classmethod
    async def open(
        cls,
        config: EstateConfig,
        clock: Clock,
        url: str = "sqlite+aiosqlite://",
        *,
        first_update: int = 1,
        create_schema: bool = True,
    ) -> Estate:
        """Start the desk on `url` (by default a new in-memory database: one connection, shared)
        as a process starts: schema, estate, roster, standing timers. The schema comes from the
        models; that the migrations build the same schema is tested on its own."""
        db = Database(url, clock=clock)
        if create_schema:
            async with db.engine.begin() as connection:
                await connection.run_sync(Base.metadata.create_all)
        estate_id = await db.ensure_estate("default", config.estate.name)
        await sync_roster(db, estate_id, config)
        zone = config.estate.zone

        def today(uow: UnitOfWork) -> date:
            return uow.now.astimezone(zone).date()

        features = build_features(config)
        async with db.uow(estate_id) as uow:
            await features.on_start(uow)
            await uow.commit()
        runner = FlowRunner(features.flows.values(), today)
        settings = DeskSettings(
            config.estate.name, str(config.estate.default_language), config.estate.front_desk_phone
        )
        desk = Desk(db, estate_id, settings, runner, features)
        timers = TimerRunner(db, estate_id, features.timers, worker="domain-test")
        updates = itertools.count(first_update)
        return cls(config, clock, db, estate_id, desk, timers, Renderer(zone), updates)

    async def close(self) -> None:
        await self.db.close()

    # -- people act --------------------------------------------------------------------------

    async def send(self, person: Person, said: str, *, chat: int | None = None) -> None:
        """A message (or a /command) in the person's private chat, or in a group `chat`."""
        await self._handle(person, chat, text=said)

    async def edit(self, person: Person, said: str, *, chat: int | None = None) -> None:
        """The person edits a message they sent earlier so that it now reads `said`."""
        await self._handle(person, chat, text=said, edited=True)

    async def share_contact(self, person: Person) -> None:
        await self._handle(person, None, contact_phone=person.phone, contact_user_id=person.id)

    async def send_photo(self, person: Person, file_id: str) -> None:
        await self._handle(person, None, photo_file_id=file_id)

    async def send_document(self, person: Person, file_id: str) -> None:
        await self._handle(person, None, document_file_id=file_id)

    async def tap(
        self, person: Person, label: str, *, chat: int | None = None, message: Shown | None = None
    ) -> Toast:
        """Tap the button whose label contains `label`: on `message`, else on the newest
        message in the chat (the person's private chat by default) that has such a button."""
        where = person.id if chat is None else chat
        language = person.language if chat is None else self.language
        if message is not None:
            rows = list(zip(message.buttons, message.callback_data, strict=True))
        else:
            rows = []
            for _, body in reversed(await self._bodies(where, newest=30)):
                markup = self.renderer.reply_markup(language, body) or {}
                for row in markup.get("inline_keyboard", []):
                    rows.append(([b["text"] for b in row], [b["callback_data"] for b in row]))
        for labels, datas in rows:
            for text, data in zip(labels, datas, strict=True):
                if label in text:
                    return await self.tap_data(person, data, chat=chat)
        raise AssertionError(f"no button {label!r} in chat {where}")

    async def tap_data(self, person: Person, data: str, *, chat: int | None = None) -> Toast:
        """Tap a button by its callback data (a button seen earlier, replayed)."""
        reply = await self._handle(
            person, chat, callback_id=f"cb{self.clock.now.timestamp()}", callback_data=data
        )
        assert reply is not None, f"the tap on {data!r} was not answered"
        if reply.answer is None:
            return Toast("", False)
        return Toast(self.renderer.plain(reply.language, reply.answer.text), reply.answer.alert)

    async def _handle(self, person: Person, chat: int | None, **content: Any) -> Any:
        update_id = next(self._updates)
        if update_id > self._recorded:  # intake stores updates before the desk handles them
            batch = range(update_id, update_id + 100)
            async with self.db.uow(self.estate_id) as uow:
                await uow.inbox.record([{"update_id": n} for n in batch])
                await uow.commit()
            self._recorded = batch[-1]
        return await self.desk.handle(
            Incoming(
                update_id=update_id,
                user_id=person.id,
                first_name=person.first_name,
                last_name=person.last_name,
                language_code=person.language_code,
                chat_id=person.id if chat is None else chat,
                chat_type="private" if chat is None else "supergroup",
                **content,
            )
        )

    # -- what people see ---------------------------------------------------------------------

    @property
    def language(self) -> str:
        """The estate's language: what groups read."""
        return str(self.config.estate.default_language)

    async def messages(
        self,
        chat: int | Person,
        *,
        language: str | None = None,
        after: int = 0,
        reports: bool = False,
    ) -> list[Shown]:
        """The chat's messages in order, each as it reads after its latest edit, rendered as the
        sender would: a private chat in its owner's language, a group in the estate's (or in
        `language`). `after`: only messages sent after that `mark()`. The weekly and monthly
        reports and the front desk's morning digest, which come on their own schedule whatever a
        test is about, only with `reports`."""
        if isinstance(chat, Person):
            language, chat = language or chat.language, chat.id
        language = language or self.language
        return [
            self._shown(row_id, language, body)
            for row_id, body in await self._bodies(chat)
            if row_id > after and (reports or not is_scheduled(body))
        ]

    async def _bodies(
        self, chat: int, *, newest: int | None = None
    ) -> list[tuple[int, dict[str, Any]]]:
        """(outbox id, body after the latest edit) of each message sent to the chat, oldest
        first; only among its `newest` outbox rows if given (a tap looks at the latest)."""
        query = select(OutboxMessage).where(OutboxMessage.chat_id == chat)
        async with self.db.uow(self.estate_id) as uow:
            if newest is None:
                rows = list(await uow.session.scalars(query.order_by(OutboxMessage.id)))
            else:
                recent = query.order_by(OutboxMessage.id.desc()).limit(newest)
                rows = list(reversed(list(await uow.session.scalars(recent))))
        latest: dict[int, dict[str, Any]] = {}
        for row in rows:  # an edit always comes after the message it edits
            latest[row.edit_of if row.kind == "edit" else row.id] = row.body
        return [(row.id, latest[row.id]) for row in rows if row.kind == "send"]

    def _shown(self, row_id: int, language: str, body: dict[str, Any]) -> Shown:
        markup = self.renderer.reply_markup(language, body) or {}
        keyboard = markup.get("inline_keyboard", [])
        return Shown(
            row_id,
            _plain(self.renderer.text(language, body)),
            [[b["text"] for b in row] for row in keyboard],
            [[b["callback_data"] for b in row] for row in keyboard],
            list(body.get("photos") or []),
        )

    async def last(self, chat: int | Person, *, language: str | None = None) -> Shown:
        shown = await self.messages(chat, language=language)
        assert shown, f"nothing was sent to {chat}"
        return shown[-1]

    async def reports(self, chat: int | Person, *, after: int = 0) -> list[str]:
        """The texts of the reports the chat received (a chart's caption, then its sections)."""
        chat_id = chat.id if isinstance(chat, Person) else chat
        ids = {row for row, body in await self._bodies(chat_id) if is_report(body)}
        shown = await self.messages(chat, after=after, reports=True)
        return [m.text for m in shown if m.id in ids]

    async def texts(
        self, chat: int | Person, *, after: int = 0, reports: bool = False
    ) -> list[str]:
        return [m.text for m in await self.messages(chat, after=after, reports=reports)]

    async def mark(self) -> int:
        """A point in the outbox: `messages(..., after=mark)` shows only what came later."""
        async with self.db.uow(self.estate_id) as uow:
            return await uow.session.scalar(select(func.max(OutboxMessage.id))) or 0

    # -- time --------------------------------------------------------------------------------

    async def _deliver(self) -> None:
        if not self.telegram_takes_everything:
            return
        async with self.db.uow(self.estate_id) as uow:
            await uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "pending")
                .values(status="sent", sent_at=self.clock.now)
            )
            await uow.commit()

    async def tick(self) -> int:
        """One tick of the scheduler at the clock's time: fires what is due; how many fired."""
        await self._deliver()
        fired = await self.timers.tick()
        await self._no_timer_failed()
        return fired

    async def wait_until(self, moment: datetime) -> None:
        """Let time pass up to `moment`, ticking at each timer's due time on the way (and again
        while the timers fired leave others due)."""
        assert moment >= self.clock.now, (moment, self.clock.now)
        while True:
            async with self.db.uow(self.estate_id) as uow:
                due = await uow.session.scalar(
                    select(func.min(Timer.due_at)).where(
                        Timer.status == "pending", Timer.due_at <= moment
                    )
                )
            if due is None:
                break
            self.clock.set(max(due, self.clock.now))
            await self._deliver()
            await self.timers.tick()
        self.clock.set(moment)
        await self._no_timer_failed()

    async def _no_timer_failed(self) -> None:
        """A timer whose handler raised is retried later by the runner; here it fails the test."""
        async with self.db.uow(self.estate_id) as uow:
            broken = list(await uow.session.scalars(select(Timer).where(Timer.error.is_not(None))))
        assert not broken, [(t.kind, t.error) for t in broken]

    async def wait(self, **amount: float) -> None:
        await self.wait_until(self.clock.now + timedelta(**amount))

    # -- the records -------------------------------------------------------------------------

    async def ticket(self, kind: str, number: int = 1) -> Ticket:
        async with self.db.uow(self.estate_id) as uow:
            found = await uow.session.scalar(
                select(Ticket).where(Ticket.kind == kind, Ticket.number == number)
            )
        assert found is not None, (kind, number)
        return found

    async def timer_rows(self, prefix: str = "") -> list[tuple[str, datetime, str]]:
        """(kind, due_at on the estate's clock, status) of the timers whose kind starts so."""
        async with self.db.uow(self.estate_id) as uow:
            rows = await uow.session.scalars(
                select(Timer).where(Timer.kind.startswith(prefix)).order_by(Timer.id)
            )
            return [(t.kind, t.due_at.astimezone(ZONE), t.status) for t in rows]

    async def pending(self, prefix: str = "") -> dict[str, datetime]:
        """The pending timers whose kind starts with `prefix`, by kind (one each expected)."""
        rows = [(k, due) for k, due, status in await self.timer_rows(prefix) if status == "pending"]
        assert len({k for k, _ in rows}) == len(rows), rows
        return dict(rows)


def is_report(body: dict[str, Any]) -> bool:
    """A message of a report: each one starts with its title or its section's."""
    lines = body.get("lines") or [{}]
    return str(lines[0].get("key", "")).startswith(("report.title.", "report.section."))


def is_scheduled(body: dict[str, Any]) -> bool:
    """A message that comes on its own schedule whatever a test is about: a report's, the
    front desk's morning digest of open repairs, or the monthly summary of paid services."""
    lines = body.get("lines") or [{}]
    key = str(lines[0].get("key", ""))
    return is_report(body) or key.startswith(("repair.digest.", "repair.paid_summary."))


def _plain(rendered: str) -> str:
    # Babel puts a narrow no-break space before AM/PM; tests write a plain space.
    return html.unescape(_TAG.sub("", rendered)).replace("\u202f", " ")


# -- people doing things, as in the end-to-end tests ------------------------------------------


async def start_staff(estate: Estate, person: Person) -> None:
    """A staff member opens the private chat, so the bot may write to them."""
    await estate.send(person, "/start")
    assert "registered as staff" in (await estate.last(person, language="en")).text


async def request_registration(
    estate: Estate, person: Person, unit: tuple[str, str, str] = ("3", "2", "301")
) -> None:
    """Someone not on the roster names their unit; the request waits for the front desk."""
    await estate.send(person, "/start")
    await estate.share_contact(person)
    for part in unit:
        await estate.send(person, part)
    await estate.tap(person, "Submit" if person.language == "en" else "提交")
    assert "sent to the front desk" in (await estate.last(person, language="en")).text


async def register(
    estate: Estate, person: Person, unit: tuple[str, str, str] = ("3", "2", "301")
) -> None:
    """A resident names their unit and the front desk (Wang) approves."""
    await request_registration(estate, person, unit)
    toast = await estate.tap(WANG, "Approve", chat=FRONT_DESK)
    assert not toast.alert, toast


async def report_repair(
    estate: Estate,
    person: Person,
    *,
    urgent: bool = False,
    day: date | None = None,
    slot: str = "Evening",
    description: str = "The kitchen sink leaks under the cabinet.",
    photos: int = 0,
) -> str:
    """The repair form from /repair to Submit; returns the job's number ("R-0001")."""
    await estate.send(person, "/repair")
    await estate.tap(person, "Water and drains")
    await estate.tap(person, "Building 3")
    await estate.send(person, description)
    for n in range(photos):
        await estate.send_photo(person, f"photo-{n + 1}")
    await estate.tap(person, "Done" if photos else "Skip")
    await estate.tap(person, "Urgent" if urgent else "Normal")
    await estate.send(person, (day or estate.clock.today).isoformat())
    await estate.tap(person, slot)
    await estate.tap(person, "Submit")
    said = (await estate.last(person)).text
    found = re.search(r"R-\d{4}", said)
    assert found and "registered as" in said, said
    return found.group(0)


async def finish_job(
    estate: Estate, technician: Person, result: str = "Replaced the seal."
) -> None:
    """Done on the card in engineering's group, then the private form."""
    toast = await estate.tap(technician, "Done", chat=ENGINEERING)
    assert not toast.alert, toast
    await estate.send(technician, result)
    await estate.tap(technician, "Skip")
    await estate.send(technician, "50")
    await estate.send(technician, "35")
    await estate.tap(technician, "Submit")
    assert "is marked done" in (await estate.last(technician)).text


async def file_complaint(
    estate: Estate,
    person: Person,
    *,
    topic: str = "Noise and neighbours",
    what: str = "Loud drilling from 502 every night after 22:00.",
) -> str:
    """The complaint form from /complain to Submit; returns its number ("C-0001")."""
    await estate.send(person, "/complain")
    await estate.tap(person, topic)
    await estate.send(person, what)
    await estate.tap(person, "Skip")
    await estate.send(person, "Ask them to stop after 22:00.")
    await estate.tap(person, "Submit")
    said = (await estate.last(person)).text
    found = re.search(r"C-\d{4}", said)
    assert found and "registered as" in said, said
    return found.group(0)


RESOLVED_ACTIONS = ("Told 502 the quiet hours again.", "Quiet hours are now on every landing.")
"""What an owner records when resolving: the corrective and the preventive action."""


async def owner_form(estate: Estate, owner: Person, button: str, said: str, *more: str) -> None:
    """Reply, Resolved or Invalid on the front desk's card, then the private form (Resolved asks
    for the corrective and preventive action too: `more`, or the usual ones)."""
    toast = await estate.tap(owner, button, chat=FRONT_DESK)
    assert not toast.alert, toast
    if button == "Invalid":
        await estate.tap(owner, "✍️ In writing")
    await estate.send(owner, said)
    for answer in more or (RESOLVED_ACTIONS if button == "Resolved" else ()):
        await estate.send(owner, answer)
    await estate.tap(owner, "Submit")
