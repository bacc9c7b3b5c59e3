"""The database schema: every fact the bot relies on is a row here.

Conversation state, incoming updates, outgoing messages and (later) timers are tables, so a crash
or a second worker loses and doubles nothing. Types are chosen to mean the same on SQLite and
PostgreSQL: JSON columns, timezone-aware timestamps stored as UTC, BigInteger for Telegram ids.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and hands them back aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Estate(Base):
    """One estate (one deployment today, keyed so several can share a database later)."""

    __tablename__ = "estates"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Unit(Base):
    """A home in the estate: building - entrance - room."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("estate_id", "building", "entrance", "room"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    building: Mapped[str] = mapped_column(String(32))
    entrance: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(32))


class Resident(Base):
    """A person living in a unit: from the imported roster, or approved by the front desk.

    `telegram_user_id` is set once the person proved the phone is theirs (a shared own contact), or
    once the front desk approved their registration request.
    """

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("unit_id", "phone"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(16))  # roster | approved
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class TelegramUser(Base):
    """A Telegram account that has written to the bot: language, and whether it blocked us."""

    __tablename__ = "telegram_users"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(256))
    last_name: Mapped[str | None] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    language_code: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))  # chosen with /lang
    phone: Mapped[str | None] = mapped_column(String(32))
    blocked_at: Mapped[datetime | None]
    # Last time they wrote to the bot privately: only then can the bot message them first.
    private_chat_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column()


class Department(Base):
    """A team and the group chat it works in, mirrored from the estate config."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("estate_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)


class Staff(Base):
    """A staff member, recognised by Telegram user id, mirrored from the estate config's roster."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("estate_id", "telegram_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    department_key: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RegistrationRequest(Base):
    """A resident whose phone is not on the roster asks the front desk to confirm their unit."""

    __tablename__ = "registration_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    building: Mapped[str] = mapped_column(String(32))
    entrance: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    card_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None]
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    created_at: Mapped[datetime] = mapped_column()


class Ticket(Base):
    """A numbered request (repair R-0001, complaint C-0001, slip S-0001) and its current state.

    The kinds' own details arrive with their features; the lifecycle state is a column, and
    every change of it is an event.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("estate_id", "kind", "number"),
        UniqueConstraint("estate_id", "code", name="uq_tickets_estate_code"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    department_key: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    reporter_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    category: Mapped[str | None] = mapped_column(String(64))
    place_key: Mapped[str | None] = mapped_column(String(200))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee_user_id: Mapped[int | None] = mapped_column(BigInteger)
    card_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    accepted_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    # Complaints: severity sets the two deadlines, computed on the working calendar.
    severity: Mapped[str | None] = mapped_column(String(16))
    reply_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # Release slips: the secret the gate's QR code carries (long, random, used once).
    code: Mapped[str | None] = mapped_column(String(64))
    # How it came in: "chat" when the resident filed it; "phone", "visit" or "patrol" when a
    # staff member (`recorded_by_user_id`) recorded it on someone's behalf.
    channel: Mapped[str] = mapped_column(String(16), default="chat", server_default="chat")
    recorded_by_user_id: Mapped[int | None] = mapped_column(BigInteger)


class TicketCounter(Base):
    """The last number given per estate and kind: R-0001, R-0002, ... with no gaps or repeats."""

    __tablename__ = "ticket_counters"
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class TicketFollower(Base):
    """A resident affected by a ticket: the reporter, and everyone who joined it as a duplicate."""

    __tablename__ = "ticket_followers"
    __table_args__ = (UniqueConstraint("ticket_id", "telegram_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    joined_at: Mapped[datetime] = mapped_column()


SURVEY_QUESTIONS = ("skill", "quality", "process")
"""A repair survey's questions, in the order they are asked; each is a column of `surveys`."""


class Survey(Base):
    """A callback survey: when it was sent, when and how it was answered.

    A repair's survey asks the manual's three questions, each 1-5: the technician's skill and
    manner (`skill`), the quality of the work (`quality`) and the process (`process`: speed,
    keeping the appointment, the front desk). `rating` is the overall answer: for a repair, the
    lowest of the three, since one poor part is a poor repair; for a complaint, 5 (satisfied) or
    1 (not). An answer the front desk took on the phone (`by_phone`) is that overall verdict only.
    """

    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column()
    answered_at: Mapped[datetime | None]
    rating: Mapped[int | None] = mapped_column(Integer)
    skill: Mapped[int | None] = mapped_column(Integer)
    quality: Mapped[int | None] = mapped_column(Integer)
    process: Mapped[int | None] = mapped_column(Integer)
    by_phone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    comment: Mapped[str | None] = mapped_column(Text)


class Event(Base):
    """Append-only log: who did what, when, to which record. Never updated, never deleted."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"))
    at: Mapped[datetime] = mapped_column(index=True)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Conversation(Base):
    """Where a user is in a flow and what they answered so far; written at every step.

    One row per (chat, user), kept when a form ends (`ended_at` set, answers dropped) so that
    `revision` never goes back: it grows when a form starts, at every step and when the form
    ends, and buttons carry it. A revision therefore names one question of one form instance in
    that chat, and a tap on any older prompt, of this form or of a finished one, is recognised as
    stale instead of being applied to whatever form is open now.
    """

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    flow: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None]


class IncomingUpdate(Base):
    """Every update Telegram delivered, stored before the polling offset moves past it.

    The update_id is the key, so a redelivered update is recognised and ignored; `handled_at` is set
    in the same transaction as the state change the update caused.
    """

    __tablename__ = "incoming_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    handled_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A message (or edit) the bot decided to send, written with the decision that caused it.

    `body` is a rendered-at-send-time description (translation keys and parameters, buttons as
    actions), so handlers never build Telegram payloads. The sender delivers rows in id order per
    chat, within Telegram's limits, and records the result here.
    """

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column()
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(16))  # send | edit
    body: Mapped[dict[str, Any]] = mapped_column()
    edit_of: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    priority: Mapped[int] = mapped_column(Integer, default=0)  # urgent cards jump the queue
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column()
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    # Calls of a multi-call message (an album, then the card with its buttons) Telegram already
    # took: a retry sends only the rest, so a group never gets the same album twice.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# Appended with the timers; kept here rather than in the import block at the top.
from sqlalchemy import Index  # noqa: E402


class Timer(Base):
    """Something that must happen at a moment: an SLA escalation, a timeout, a callback survey.

    Timers are rows, not scheduler jobs, so they survive restarts, fire after downtime (late but
    once), and are claimed by one worker at a time however many run. `status` goes pending ->
    running (claimed by `claimed_by` at `claimed_at`) -> done, or back to pending for a retry, or
    failed; a pending timer can be cancelled. `attempts` counts claims, so a timer whose worker
    keeps dying is given up too.
    """

    __tablename__ = "timers"
    __table_args__ = (
        # Finding due rows walks only the due (and running) ones, however many are pending.
        Index("ix_timers_status_due", "status", "due_at"),
        Index("ix_timers_subject", "subject_type", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    kind: Mapped[str] = mapped_column(String(64))  # e.g. "repair.accept_sla"
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    fired_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


class Arrear(Base):
    """An open balance finance reported: one unit, one fee type, one billing period.

    The arrears list finance exports is the truth: an import replaces the amount of each
    (unit, fee type, period) it names, and one it no longer names is settled (`settled_at`).
    Amounts are exact decimals in yuan, never floats.
    """

    __tablename__ = "arrears"
    __table_args__ = (UniqueConstraint("unit_id", "fee_type", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    fee_type: Mapped[str] = mapped_column(String(32))  # management | water | power | gas | ...
    period: Mapped[str] = mapped_column(String(7))  # "2026-11"
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    due_date: Mapped[date] = mapped_column(Date)
    settled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class FeeOfficer(Base):
    """A unit handed to an officer other than its building's (the supervisor reassigned it).

    The estate config assigns officers by building; this row, when there is one, wins for its
    unit, for this case and every later one, until the unit is reassigned again.
    """

    __tablename__ = "fee_officers"
    __table_args__ = (UniqueConstraint("unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    officer_user_id: Mapped[int] = mapped_column(BigInteger)
    assigned_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class Broadcast(Base):
    """A message sent to many people at once (a notice, later the fee reminders): one row, and
    one `BroadcastDelivery` per recipient.

    The campaign does not send: a timer feeds its deliveries to the one outbox a batch at a
    time, so the sender's limits and order apply, and the progress the sender watches is read
    from these rows. `body` is what every recipient gets unless their delivery carries its own.
    """

    __tablename__ = "broadcasts"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # notice | ...
    body: Mapped[dict[str, Any]] = mapped_column()
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)  # how it was chosen
    status: Mapped[str] = mapped_column(String(16), default="sending")  # sending | done
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    progress_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    progress_shown: Mapped[dict[str, Any]] = mapped_column(default=dict)
    progress_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None]


class BroadcastDelivery(Base):
    """One recipient of a broadcast: new -> queued (its outbox row written in the same
    transaction) -> sent | failed | blocked, learnt from that outbox row. A recipient known to
    have blocked the bot, or who never opened a private chat with it, is settled without one."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "user_id"),
        Index("ix_broadcast_deliveries_state", "broadcast_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="new")
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    error: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
