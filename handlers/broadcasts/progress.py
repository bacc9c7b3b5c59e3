"""The one message the sender of a broadcast watches: sent, failed, blocked, remaining, time
left; edited as the campaign goes, and a last time when it is over."""

from __future__ import annotations

from datetime import timedelta

from handlers.messages import MessageBody, message, text
from storage.models import Broadcast
from storage.repositories.broadcasts import NEW, QUEUED
from storage.repositories.outbox import BLOCKED, FAILED, SENT


def progress_body(
    broadcast: Broadcast, counts: dict[str, int], left: timedelta | None
) -> MessageBody:
    """The progress message for these counts; `left` None once the campaign is over."""
    remaining = counts.get(NEW, 0) + counts.get(QUEUED, 0)
    lines = [
        text("broadcast.progress.title", number=broadcast.id, total=broadcast.total),
        text(
            "broadcast.progress.counts",
            sent=counts.get(SENT, 0),
            failed=counts.get(FAILED, 0),
            blocked=counts.get(BLOCKED, 0),
            remaining=remaining,
        ),
    ]
    if remaining == 0:
        lines.append(text("broadcast.progress.done"))
    elif left is not None:
        minutes, seconds = divmod(int(left.total_seconds()), 60)
        lines.append(text("broadcast.progress.left", minutes=minutes, seconds=seconds))
    return message(*lines)
