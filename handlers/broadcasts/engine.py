"""The broadcast engine: a campaign row, a delivery row per recipient, and a timer that feeds
the one outbox a batch at a time.

Why batches from a timer, not ten thousand outbox rows at once: the sender delivers within
Telegram's limits (about 30 messages a second), so rows written far ahead of it only wait, and a
progress report needs to know what is really out. Each feed, in one transaction, learns what
became of the deliveries already queued (their outbox rows settled as sent, failed or blocked),
writes the next batch's outbox rows and marks those deliveries queued, edits the sender's
progress message when it is due, and schedules the next feed. A process killed at any point
leaves either the whole feed or none of it: nobody is queued twice and nobody is skipped.

Broadcast rows go to the outbox below the priority of conversation replies, so a resident in a
form is answered while a campaign runs. A recipient known to have blocked the bot is not written
to (counted as blocked); one who never opened a private chat with it cannot be (counted as
failed). The sender's own 403 marks a person blocked, so the next campaign skips them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from handlers.broadcasts.progress import progress_body
from handlers.messages import MessageBody
from handlers.reach import can_message
from storage.models import Broadcast, Timer
from storage.repositories.broadcasts import DONE, NEW, QUEUED, SENDING
from storage.repositories.outbox import BLOCKED, FAILED
from storage.uow import UnitOfWork

FEED = "broadcast.feed"
"""The timer kind that feeds a campaign's next batch to the outbox."""
SUBJECT = "broadcast"


@dataclass(frozen=True)
class BroadcastPolicy:
    """How fast a campaign is fed and how often its sender hears of it.

    `window` is how many of its messages may wait in the outbox at once: enough to keep the
    sender busy between two feeds at `per_second`, few enough that a pass of the sender over
    them is short and a reply to a person is never behind many of them. The timer runner ticks
    once a second, so a `tick` under a second makes each of its ticks feed.
    `progress_every` spaces the edits of the progress message: an edit is a call to Telegram
    too, and the sender's chat has a limit of its own.
    """

    window: int = 45
    tick: timedelta = timedelta(milliseconds=500)
    progress_every: timedelta = timedelta(seconds=5)
    per_second: float = 30.0


@dataclass(frozen=True)
class Recipient:
    """Someone to write to, and, if not the campaign's, their own message (a reminder with
    their unit's amounts)."""

    user_id: int
    body: MessageBody | None = None


async def start(
    uow: UnitOfWork,
    policy: BroadcastPolicy,
    body: MessageBody,
    recipients: Sequence[int | Recipient],
    *,
    kind: str = "notice",
    audience: dict[str, Any] | None = None,
    created_by: int | None = None,
    report_to: int | None = None,
) -> Broadcast:
    """Start a campaign: `body` (translation keys, rendered in each recipient's language when
    sent) to every recipient once, however often they are listed. With `report_to`, that
    private chat gets a progress message, edited as the campaign goes. Nothing is sent before
    the caller commits; the first feed runs at the next tick."""
    listed = [r if isinstance(r, Recipient) else Recipient(r) for r in recipients]
    broadcast = await uow.broadcasts.create(
        kind,
        dict(body),
        [(r.user_id, dict(r.body) if r.body is not None else None) for r in listed],
        audience=dict(audience or {}),
        created_by=created_by,
    )
    if report_to is not None:
        counts = {NEW: broadcast.total}
        shown = progress_body(broadcast, counts, None)
        broadcast.progress_outbox_id = await uow.outbox.send(report_to, shown)
        broadcast.progress_shown = counts
        broadcast.progress_at = uow.now
    uow.events.record(
        "broadcast.started",
        SUBJECT,
        broadcast.id,
        actor=created_by,
        kind=kind,
        total=broadcast.total,
        audience=broadcast.audience,
    )
    await uow.timers.schedule(FEED, uow.now, subject_type=SUBJECT, subject_id=broadcast.id)
    return broadcast


async def feed(uow: UnitOfWork, policy: BroadcastPolicy, broadcast_id: int) -> bool:
    """One feed of a campaign (see the module's docstring); True while it is still sending."""
    broadcast = await uow.broadcasts.locked(broadcast_id)
    if broadcast is None or broadcast.status != SENDING:
        return False
    await uow.broadcasts.learn_outcomes(broadcast.id)
    counts = await uow.broadcasts.counts(broadcast.id)
    room = policy.window - counts.get(QUEUED, 0)
    if room > 0 and counts.get(NEW, 0):
        await _queue(uow, broadcast, room)
        counts = await uow.broadcasts.counts(broadcast.id)
    finished = not counts.get(NEW, 0) and not counts.get(QUEUED, 0)
    if finished:
        broadcast.status = DONE
        broadcast.finished_at = uow.now
        uow.events.record(
            "broadcast.finished",
            SUBJECT,
            broadcast.id,
            actor=None,
            **{status: count for status, count in counts.items()},
        )
    await _report(uow, policy, broadcast, counts, final=finished)
    return not finished


async def _queue(uow: UnitOfWork, broadcast: Broadcast, room: int) -> None:
    """The next `room` new deliveries: an outbox row each, or settled at once when the person
    cannot be written to."""
    batch = await uow.broadcasts.next_new(broadcast.id, room)
    accounts = await uow.people.telegram_users([d.user_id for d in batch])
    uow.outbox.hand_off = False  # a campaign's rows queue behind replies (lower_priority below)
    queued: list[int] = []
    for delivery in batch:
        account = accounts.get(delivery.user_id)
        if account is not None and account.blocked_at is not None:
            await uow.broadcasts.mark(delivery.id, BLOCKED, error="blocked the bot earlier")
        elif not can_message(account):
            await uow.broadcasts.mark(delivery.id, FAILED, error="no private chat with the bot")
        else:
            body = delivery.body if delivery.body is not None else broadcast.body
            outbox_id = await uow.outbox.send(delivery.user_id, body)  # type: ignore[arg-type]
            await uow.broadcasts.mark(delivery.id, QUEUED, outbox_id=outbox_id, error=None)
            queued.append(outbox_id)
    await uow.broadcasts.lower_priority(queued)


async def _report(
    uow: UnitOfWork,
    policy: BroadcastPolicy,
    broadcast: Broadcast,
    counts: dict[str, int],
    *,
    final: bool,
) -> None:
    """Edit the progress message if its figures changed and the last edit is old enough (the
    final one always goes)."""
    if broadcast.progress_outbox_id is None or counts == broadcast.progress_shown:
        return
    last = broadcast.progress_at
    if not final and last is not None and uow.now - last < policy.progress_every:
        return
    left = None if final else time_left(policy, broadcast, counts, uow.now - broadcast.created_at)
    await uow.outbox.edit(broadcast.progress_outbox_id, progress_body(broadcast, counts, left))
    broadcast.progress_shown = dict(counts)
    broadcast.progress_at = uow.now


def time_left(
    policy: BroadcastPolicy, broadcast: Broadcast, counts: dict[str, int], elapsed: timedelta
) -> timedelta:
    """What is left at the pace so far (at Telegram's pace until a few seconds have passed)."""
    remaining = counts.get(NEW, 0) + counts.get(QUEUED, 0)
    done = broadcast.total - remaining
    seconds = elapsed.total_seconds()
    pace = done / seconds if seconds >= 5 and done > 0 else policy.per_second
    return timedelta(seconds=round(remaining / max(pace, 0.1)))


def feed_timer(policy: BroadcastPolicy) -> Callable[[UnitOfWork, Timer], Awaitable[None]]:
    """The FEED timer: one feed, and the next one a tick later while the campaign sends."""

    async def fire(uow: UnitOfWork, timer: Timer) -> None:
        assert timer.subject_id is not None
        if await feed(uow, policy, int(timer.subject_id)):
            await schedule_next(uow, policy, int(timer.subject_id))

    return fire


async def schedule_next(uow: UnitOfWork, policy: BroadcastPolicy, broadcast_id: int) -> None:
    """The campaign's next feed, unless one is pending already (a feed's timer taken over
    after its worker died must not start a second chain)."""
    if not await uow.timers.pending_for(SUBJECT, broadcast_id):
        await uow.timers.schedule(
            FEED, uow.now + policy.tick, subject_type=SUBJECT, subject_id=broadcast_id
        )


def resume(policy: BroadcastPolicy) -> Callable[[UnitOfWork], Awaitable[None]]:
    """At start-up: every campaign still sending has a feed coming (its last feed's timer may
    be held by a process that died, until its claim goes stale)."""

    async def hook(uow: UnitOfWork) -> None:
        for broadcast in await uow.broadcasts.sending():
            await schedule_next(uow, policy, broadcast.id)

    return hook
