"""Outgoing messages as rows: staged by handlers, delivered by the sender."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Update, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, TelegramUser

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
BLOCKED = "blocked"
SUPERSEDED = "superseded"  # an edit a newer state of the same card replaced before it went out
DIGESTED = "digested"  # a card listed in a digest instead: sent when someone taps it there

UNEDITABLE = ("photos", "qr", "document", "reply_keyboard")
"""Body keys an edit cannot change: Telegram edits a message's text (or caption) and its inline
buttons only. A card not sent yet that takes an edit's state keeps its own of these."""


def folded(sent: dict[str, Any], edit: dict[str, Any]) -> dict[str, Any]:
    """A message not sent yet that takes an edit's state: the edit's text and buttons, its own
    `UNEDITABLE` parts (an edit could not have changed them)."""
    kept = {key: sent[key] for key in UNEDITABLE if key in sent}
    return {key: value for key, value in edit.items() if key not in UNEDITABLE} | kept


@dataclass(frozen=True)
class Claimed:
    """A row as claimed for sending: its body read in the claiming statement itself, so a state
    folded into it by a handler a moment earlier is the one that goes out."""

    row: OutboxMessage
    body: dict[str, Any]
    parts_sent: int


HAND_OFF_CHATS = 4
"""Private chats one unit of work hands to its process's sender at most: a reply and the few
people an action tells; bulk work (a campaign, a reminder run) goes through the queue."""


@dataclass
class HandOff:
    """Rows a unit of work claimed in its own transaction for its process's sender, which
    sends them right after the commit: no pass has to find and claim them first.

    A unit hands over only when all it sends are private messages to chats with nothing older
    waiting (a reply, and the few people an action tells); one row for the passes (a group's
    card, a chat with older rows, bulk) puts the unit's rows back in the queue, so messages go
    out in the order they were decided. If the process dies before sending them, their claim
    goes stale and a sender takes them over like any row whose sender died."""

    now: datetime
    rows: list[Claimed] = field(default_factory=list)
    users: dict[int, TelegramUser] = field(default_factory=dict)  # whose language renders them
    targets: dict[int, OutboxMessage] = field(default_factory=dict)  # the messages edits change


# Built once: the reply to every update runs these, and building a statement costs more than
# running it on SQLite.
_OUTBOX = OutboxMessage.__table__
_STAGE = insert(_OUTBOX).returning(_OUTBOX.c.id)
_DUE = (
    select(OutboxMessage)
    .where(OutboxMessage.status.in_([PENDING, SENDING]))
    .order_by(OutboxMessage.priority.desc(), OutboxMessage.id)
    .limit(bindparam("limit"))
)
_WAITING_IN_CHAT = (
    select(_OUTBOX.c.id)
    .where(_OUTBOX.c.chat_id == bindparam("chat"), _OUTBOX.c.status.in_([PENDING, SENDING]))
    .limit(1)
)
_TAKE_BACK = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("rows", expanding=True)))
    .values(status=PENDING, claimed_at=None, attempts=0)
)
_REBODY = update(_OUTBOX).where(_OUTBOX.c.id == bindparam("row")).values(body=bindparam("new_body"))
_CLAIM = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("row"),
        _OUTBOX.c.status == bindparam("was"),
        _OUTBOX.c.attempts == bindparam("tried"),
    )
    .values(status=SENDING, claimed_at=bindparam("at"), attempts=bindparam("tries"))
    .returning(_OUTBOX.c.body, _OUTBOX.c.parts_sent)
)


@cache
def _settle(columns: tuple[str, ...]) -> Update:
    """The statement that records an outcome setting `columns` (one per combination)."""
    return (
        update(_OUTBOX)
        .where(_OUTBOX.c.id == bindparam("row"))
        .values({column: bindparam(f"new_{column}") for column in columns})
    )


class Outbox:
    """Stages messages in the caller's transaction, and lets the sender claim and settle them."""

    def __init__(self, session: AsyncSession, now: datetime, hand_off: bool = False) -> None:
        self._session = session
        self._now = now
        self.staged = 0  # rows left for the sender's passes to find
        self.hand_off = hand_off  # whether this process's sender takes `handed` after commit
        self.handed = HandOff(now)

    async def _hands(self, chat_id: int) -> bool:
        """Whether this unit claims its message to `chat_id` for the sender itself: a private
        chat of someone who has not blocked the bot, with nothing older still waiting (that
        goes first), among the first `HAND_OFF_CHATS` chats of the unit."""
        if not self.hand_off or chat_id <= 0:
            return False
        if chat_id in self.handed.users:
            return True
        if len(self.handed.users) >= HAND_OFF_CHATS:
            return False
        with self._session.no_autoflush:
            user = await self._session.get(TelegramUser, chat_id)
            if user is None or user.blocked_at is not None:
                return False
            if await self._session.scalar(_WAITING_IN_CHAT, {"chat": chat_id}) is not None:
                return False
        self.handed.users[chat_id] = user
        return True

    async def _fold_into_handed(self, original_id: int, body: dict[str, Any]) -> int | None:
        """A new state of a message this unit handed over (or of one it handed an edit of)
        replaces that row's body, as for a row still waiting: one call, the latest state."""
        for index, item in enumerate(self.handed.rows):
            row = item.row
            if row.id == original_id and row.kind == "send":
                new_body = folded(row.body, body)
            elif row.edit_of == original_id:
                new_body = body
            else:
                continue
            if row.kind == "send":  # inserted on its own, outside the session
                await self._session.execute(_REBODY, {"row": row.id, "new_body": new_body})
            row.body = new_body  # an edit row is the session's: written at commit
            self.handed.rows[index] = Claimed(row, new_body, 0)
            return row.id
        return None

    async def _queued(self) -> None:
        """A row for the passes (a group's card, a chat with older rows waiting, bulk): the
        whole unit goes through them, so its messages keep the order they were decided in,
        and what it handed over so far is put back."""
        self.staged += 1
        self.hand_off = False
        if self.handed.rows:
            rows = [item.row for item in self.handed.rows]
            await self._session.execute(_TAKE_BACK, {"rows": [row.id for row in rows]})
            for row in rows:  # an edit row is the session's: kept in step with the update
                row.status, row.claimed_at, row.attempts = PENDING, None, 0
            self.staged += len(rows)
            self.handed = HandOff(self._now)

    async def send(
        self, chat_id: int, body: dict[str, Any], *, group: bool = False, urgent: bool = False
    ) -> int:
        """Stage a new message to a chat; returns its outbox id, for later edits of it.

        An urgent message goes out before the chat's ordinary ones still waiting (an urgent
        repair card in a busy group is not stuck behind the per-group rate limit).
        """
        handed = not group and await self._hands(chat_id)
        values = {
            "chat_id": chat_id,
            "is_group": group,
            "kind": "send",
            "body": body,
            "not_before": self._now,
            "created_at": self._now,
            "priority": 1 if urgent else 0,
            "status": SENDING if handed else PENDING,
            "claimed_at": self._now if handed else None,
            "attempts": 1 if handed else 0,
            "parts_sent": 0,
        }
        # Inserted on its own, without flushing the rest of the session first: the change that
        # caused the message (a form's step, say) is written once at commit, not twice.
        with self._session.no_autoflush:
            outbox_id = await self._session.scalar(_STAGE, values)
        assert outbox_id is not None
        if handed:
            row = OutboxMessage(id=outbox_id, edit_of=None, **values)  # not in the session
            self.handed.rows.append(Claimed(row, body, 0))
        else:
            await self._queued()
        return outbox_id

    async def edit(self, original_id: int, body: dict[str, Any]) -> int:
        """Stage a new state of an earlier message; only the latest state of it is ever sent.

        An edit still waiting for the same message is superseded by this one. A message not sent
        yet (nor being sent) takes the new state itself and no edit is staged: the group gets
        one message instead of a message and its edits. Returns the row that carries the state.
        """
        folded_into = await self._fold_into_handed(original_id, body)
        if folded_into is not None:
            return folded_into
        original = await self._session.get(OutboxMessage, original_id)
        if original is None:
            raise LookupError(f"outbox message {original_id} does not exist")
        await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.edit_of == original_id,
                OutboxMessage.status == PENDING,
            )
            .values(status=SUPERSEDED, error=f"superseded at {self._now.isoformat()}")
            .execution_options(synchronize_session=False)
        )
        if original.kind == "send" and original.status in (PENDING, DIGESTED):
            result = await self._session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == original_id,
                    OutboxMessage.status.in_([PENDING, DIGESTED]),
                )
                .values(body=folded(original.body, body))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # the sender had not claimed it: it goes out as it is now
                await self._session.refresh(original, ["body"])
                await self._queued()
                return original_id
        handed = (
            not original.is_group
            and original.status == SENT
            and await self._hands(original.chat_id)
        )
        row = OutboxMessage(
            chat_id=original.chat_id,
            is_group=original.is_group,
            kind="edit",
            body=body,
            edit_of=original_id,
            not_before=self._now,
            created_at=self._now,
            priority=original.priority,
            status=SENDING if handed else PENDING,
            claimed_at=self._now if handed else None,
            attempts=1 if handed else 0,
        )
        self._session.add(row)
        await self._session.flush()
        if handed:
            self.handed.rows.append(Claimed(row, body, 0))
            self.handed.targets[original_id] = original
        else:
            await self._queued()
        return row.id

    # The sender's side.

    async def next_batch(self, limit: int) -> list[OutboxMessage]:
        """Unsent rows, highest priority first, then in id order: pending ones and those
        claimed for sending.

        Claimed rows are returned too, so the sender can keep a chat's later messages waiting
        behind one still in flight, and take over a claim whose sender died.
        """
        rows = await self._session.scalars(_DUE, {"limit": limit})
        return list(rows)

    async def claim(self, rows: Iterable[OutboxMessage]) -> list[Claimed]:
        """Take rows for sending, in the caller's one transaction; a row another sender took
        first, or a handler superseded, is left out."""
        claimed: list[Claimed] = []
        for row in rows:
            result = await self._session.execute(
                _CLAIM,
                {
                    "row": row.id,
                    "was": row.status,
                    "tried": row.attempts,
                    "at": self._now,
                    "tries": row.attempts + 1,
                },
            )
            fresh = result.first()
            if fresh is not None:
                claimed.append(Claimed(row, fresh.body, fresh.parts_sent))
        return claimed

    async def get(self, outbox_id: int) -> OutboxMessage | None:
        return await self._session.get(OutboxMessage, outbox_id)

    async def get_many(self, outbox_ids: Sequence[int]) -> dict[int, OutboxMessage]:
        if not outbox_ids:
            return {}
        rows = await self._session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(list(outbox_ids)))
        )
        return {row.id: row for row in rows}

    async def settle(self, outbox_id: int, status: str, **values: Any) -> None:
        values["status"] = status
        columns = tuple(sorted(values))
        params = {f"new_{column}": values[column] for column in columns}
        await self._session.execute(_settle(columns), {"row": outbox_id, **params})

    async def settle_many(self, outcomes: Sequence[dict[str, Any]]) -> None:
        """Record what a sender's pass did, one dict per row (`id`, `status`, other columns),
        in the caller's one transaction."""
        for values in outcomes:
            values = dict(values)
            outbox_id = values.pop("id")
            await self.settle(outbox_id, values.pop("status"), **values)

    async def record_parts(self, outbox_id: int, parts_sent: int) -> None:
        """Remember that the first `parts_sent` calls of a message went out."""
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(parts_sent=parts_sent)
            .execution_options(synchronize_session=False)
        )

    async def digest(
        self, chat_id: int, cards: Sequence[OutboxMessage], body: dict[str, Any]
    ) -> list[int]:
        """Stage one digest `body` for a group in place of `cards`, which wait in it until
        someone taps theirs (`show`); returns the ids of the cards it took."""
        ids = [card.id for card in cards]
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == PENDING)
            .values(status=DIGESTED)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        taken = set(result.scalars())
        if taken:
            await self.send(chat_id, body, group=True, urgent=True)
        return [card_id for card_id in ids if card_id in taken]

    async def show(self, outbox_id: int, chat_id: int) -> bool:
        """Send a card waiting in a digest now, ahead of the group's other messages; False when
        it is not one waiting in this chat (already shown, or a forged button)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == outbox_id,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.status == DIGESTED,
            )
            .values(status=PENDING, priority=1, not_before=self._now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        await self._queued()
        return True

    async def settle_chat(self, chat_id: int, status: str, error: str) -> int:
        """Settle every unsent row of a chat at once (the user blocked the bot)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status.in_([PENDING, SENDING]))
            .values(status=status, error=error)
        )
        return result.rowcount
