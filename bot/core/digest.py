"""A group's burst of cards as one digest: a list with a button per card.

Why: a group takes 20 messages a minute, edits included. When more cards wait for a group than it
can take in the next minute, sending them one by one keeps the group minutes behind; one digest
lists them all at once and says why, and a tap on a card's button sends that card (with its own
buttons) ahead of the rest. Cards stay in the outbox meanwhile, so their edits still fold into
them and the card that goes out is the latest state.
"""

from __future__ import annotations

from typing import Any

from handlers.messages import button, text, verbatim
from storage.models import OutboxMessage

ACTION = "digest"
"""The callback action of a digest's buttons: `digest|<outbox id>`."""
MAX_CARDS = 30
"""Cards one digest lists: its text stays well within Telegram's 4,096 characters."""
BUTTONS_PER_ROW = 5
DIGEST_KEY = "digest"
"""Marks a body as a digest, which is never itself folded into the next one."""


def waiting_cards(queue: list[OutboxMessage]) -> list[OutboxMessage]:
    """A group's ordinary cards that wait to be sent: not urgent, not edits, not a digest, not
    partly sent already."""
    return [
        row
        for row in queue
        if row.kind == "send"
        and row.status == "pending"
        and row.priority == 0
        and row.parts_sent == 0
        and not row.body.get(DIGEST_KEY)
    ]


def has_digest_waiting(queue: list[OutboxMessage]) -> bool:
    return any(row.body.get(DIGEST_KEY) for row in queue)


def digest_body(cards: list[OutboxMessage], per_minute: int) -> dict[str, Any]:
    """The digest: why it is sent, each card's first line, and a button per card."""
    lines: list[Any] = [text("digest.waiting", count=len(cards), per_minute=per_minute)]
    buttons: list[list[Any]] = []
    for number, card in enumerate(cards, 1):
        first = (card.body.get("lines") or [verbatim(str(card.id))])[0]
        lines.append(text("digest.line", number=number, card=first))
        label = button(text("digest.show", number=number), ACTION, card.id)
        if not buttons or len(buttons[-1]) >= BUTTONS_PER_ROW:
            buttons.append([])
        buttons[-1].append(label)
    return {"lines": lines, "buttons": buttons, DIGEST_KEY: True}
