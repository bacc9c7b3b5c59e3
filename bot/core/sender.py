"""The one sender: delivers outbox rows within Telegram's limits and records what happened.

Why a sender of our own rather than sending from handlers: a message decided in a transaction must
go out even if the process dies right after the commit, and must not go out if the transaction
rolled back. Rows are delivered in priority, then id order per chat; chats proceed in parallel.

A reply needs no pass: the unit of work that decides it claims its rows in its own transaction
when all it sends are private messages to chats with nothing older waiting (`Outbox.handed`),
and `committed` (a commit listener) sends them at once and records them together. Everything
else waits for a pass, which claims every chat's due rows in one transaction (and reads their
recipients' languages and blocks there); each row is recorded as soon as Telegram answered it,
so a crash resends only a row whose answer it cut off. A message of several calls (an album,
then the card with its buttons) also records each call Telegram took before making the next, so
a retry sends only the rest and a group never gets an album twice. Between passes the sender
sleeps until the next row it saw falls due, or a commit wakes it (`idle_poll` at most: what
another process wrote).

Limits kept: at most 30 messages in any sliding second overall (pyrate-limiter); with aiolimiter
leaky buckets, 20 a minute per group, and in one private chat bursts of 20, then one a second. A
pass claims only what the buckets can take now, so it lasts about a second at most and a reply
committed meanwhile waits no longer. A 429 pauses all sending for its `retry_after` and the row
is tried again; a 403 marks the user as having blocked the bot and settles their queue; a 5xx or
a network error is retried with growing delays; any other 400 fails the row for good.

The one window left: a request that reached Telegram but whose answer was lost with the process
(or whose pass died before settling; for a handed reply, before its last message was answered).
Telegram offers no idempotency key, so such a row is sent again once its claim goes stale
(at-least-once). Everything before the HTTP call and after its answer is exactly-once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from pyrate_limiter import Duration, Limiter, Rate

from bot.core import digest
from bot.render import ApiCall, Renderer
from storage.database import Database
from storage.models import OutboxMessage, TelegramUser
from storage.repositories.outbox import (
    BLOCKED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    Claimed,
    HandOff,
)
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


SLACK_MS = 100
"""The overall limit's window is a little longer than Telegram's second: several chats send at
once, and their requests reach Telegram in a slightly different order and spacing than they
left the limiter; each 429 would pause all sending for a whole second."""


FULL_AFTER = 0.005
FULL_FOR = 1.0
"""A call that waited more than `FULL_AFTER` seconds for the overall limit marks the sender full
for `FULL_FOR` seconds: replies then stop jumping the queue (`takes_hand_off`)."""


class OverallLimit:
    """At most `per_second` messages in every sliding second, as Telegram counts them.

    A sliding-window log (pyrate-limiter's exact algorithm): a reply of a few messages goes at
    once when the last second was quiet, and a campaign still never puts more than the limit
    into any second. The leaky bucket this replaced either let a sliding second carry twice the
    limit (a full bucket plus what leaked in) or, kept small, spaced a single resident's
    messages 40 ms apart whenever the bot was busy.
    """

    def __init__(self, per_second: float) -> None:
        self._limiter = Limiter(Rate(max(1, int(per_second)), Duration.SECOND + SLACK_MS))
        self.full_until = 0.0  # loop time: a call had to wait for room until about then

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        asked = loop.time()
        await self._limiter.try_acquire_async("overall")
        if loop.time() - asked > FULL_AFTER:
            self.full_until = loop.time() + FULL_FOR


class SendError(Exception):
    """Base of what a transport reports when Telegram did not take a call."""


class RetryLater(SendError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Blocked(SendError):
    """403: the user blocked the bot, or never started it."""


class Rejected(SendError):
    """400: the request itself is wrong; sending it again will not help."""


class Unavailable(SendError):
    """5xx or the network: try again later."""


class Transport(Protocol):
    """How the sender reaches the Bot API; each engine provides one."""

    async def call(self, method: str, params: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class SenderLimits:
    per_second: float = 30
    per_group_minute: float = 20
    private_burst: float = 20
    claim_timeout: timedelta = timedelta(seconds=30)
    max_attempts: int = 8
    batch: int = 200
    parallel_chats: int = 8
    idle_poll: float = 2.0
    """Seconds between looks when nothing woke the sender and nothing falls due sooner: only
    rows another process wrote wait for it (this process's commits wake the sender)."""


def backoff(attempts: int) -> timedelta:
    """Delay before retrying after a server or network error: 2, 4, 8 ... seconds, at most 5 min."""
    return timedelta(seconds=min(300, 2 ** max(1, attempts)))


@dataclass
class _Pass:
    """A pass: what it read at its claim, and what became of a chat's rows, until recorded."""

    now: datetime
    languages: dict[int, str]
    targets: dict[int, OutboxMessage]  # the sent messages this pass's edits change
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    sent: dict[int, int | None] = field(default_factory=dict)  # outbox id -> message id
    blocked: list[tuple[OutboxMessage, str]] = field(default_factory=list)

    def settle(
        self,
        row: OutboxMessage,
        status: str,
        *,
        error: str | None = None,
        message_id: int | None = None,
        not_before_in: timedelta | None = None,
    ) -> None:
        values: dict[str, Any] = {"id": row.id, "status": status, "error": error}
        if status == SENT:
            values["sent_at"] = self.now
            values["telegram_message_id"] = message_id
            self.sent[row.id] = message_id
        if not_before_in is not None:
            values["not_before"] = self.now + not_before_in
        self.outcomes.append(values)

    def release(self, row: OutboxMessage) -> None:
        """A claimed row this pass did not get to: back in the queue, the claim not counted."""
        self.outcomes.append(
            {"id": row.id, "status": PENDING, "attempts": row.attempts, "claimed_at": None}
        )


class OutboxSender:
    """Drains the outbox; `wake()` after a commit makes it look at once."""

    def __init__(
        self,
        db: Database,
        estate_id: int,
        transport: Transport,
        renderer: Renderer,
        language_of: Callable[[TelegramUser | None], str],
        limits: SenderLimits | None = None,
        on_blocked: Callable[[UnitOfWork, int], Awaitable[None]] | None = None,
    ) -> None:
        self.db = db
        self.estate_id = estate_id
        self.transport = transport
        self.renderer = renderer
        self.language_of = language_of  # a group (no user) reads the estate's default
        self.on_blocked = on_blocked  # tells staff whose work needs that person
        self.limits = limits or SenderLimits()
        self._overall = OverallLimit(self.limits.per_second)
        self._chat_limiters: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._wake = asyncio.Event()
        self._paused_until = 0.0
        self._more = False  # the last pass left due rows for the next one (a full pass)
        self._next_due: float | None = None  # seconds from the last pass to the next row due
        self._handing: set[asyncio.Future[None]] = set()  # handed-over rows being sent
        self._in_hand: set[int] = set()  # their ids: in flight however old their claim
        self._queued_commits = 0  # commits that left rows for the passes

    def wake(self) -> None:
        self._wake.set()

    def takes_hand_off(self) -> bool:
        """Whether a unit of work may hand its reply over now (`Database.hand_off`): not while
        Telegram's limit keeps calls waiting or a 429 pauses sending. Handed replies would then
        take the whole second's room and starve what waits for a pass (a resident's reply
        decided together with a group's card); everything takes its turn instead."""
        now = asyncio.get_running_loop().time()
        return now >= self._overall.full_until and now >= self._paused_until

    def committed(self, uow: UnitOfWork) -> None:
        """A unit of work committed (`Database.commit_listeners`): send what it handed over
        at once, and look for what it left for the passes."""
        if uow.outbox.staged:
            self._queued_commits += 1
            self.wake()
        if uow.outbox.handed.rows:
            self.take(uow.outbox.handed)

    def take(self, handed: HandOff) -> None:
        """Send rows a unit of work claimed for this sender (`Outbox.handed`) right now, in a
        task of their own: a reply neither waits for a pass in progress nor costs a claim."""
        chats = {item.row.chat_id for item in handed.rows}
        languages = {chat: self.language_of(handed.users.get(chat)) for chat in chats}
        work = _Pass(handed.now, languages, dict(handed.targets))
        task = asyncio.ensure_future(self._send_handed(list(handed.rows), work))
        self._handing.add(task)
        task.add_done_callback(self._handing.discard)

    async def _send_handed(self, rows: list[Claimed], work: _Pass) -> None:
        queued_before = self._queued_commits
        by_chat: dict[int, list[Claimed]] = {}
        for item in rows:
            by_chat.setdefault(item.row.chat_id, []).append(item)
        ids = {item.row.id for item in rows}
        self._in_hand |= ids
        try:
            await asyncio.gather(
                *(self._drain(queue, work, together=True) for queue in by_chat.values())
            )
        except Exception:
            log.exception("sending handed-over rows failed; their claim goes stale")
        finally:
            self._in_hand -= ids
        if self._queued_commits != queued_before:
            # Rows committed meanwhile may have waited behind these (same chat): look now.
            self.wake()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; sleeps when there is nothing due. Rows handed over
        still being sent are finished (and recorded) before it returns."""
        try:
            await self._run(stop)
        finally:
            if self._handing:
                await asyncio.gather(*self._handing, return_exceptions=True)

    async def _run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            # Cleared before the pass, not after it: a commit during the pass wakes the next
            # one at once instead of being lost until the idle poll.
            self._wake.clear()
            try:
                delivered = await self.deliver_due()
            except Exception:
                log.exception("outbox pass failed; retrying")
                delivered = 0
            if self._more or (delivered and self._wake.is_set()):
                continue  # no empty pass after each reply: it would only delay the next update
            wait = asyncio.ensure_future(self._wake.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {wait, stopped}, timeout=self._idle_wait(), return_when=asyncio.FIRST_COMPLETED
            )
            wait.cancel()
            stopped.cancel()

    def _due_in(self, seconds: float) -> None:
        """A row the last pass saw or put back may go in `seconds`."""
        if self._next_due is None or seconds < self._next_due:
            self._next_due = seconds

    def _idle_wait(self) -> float:
        """How long to sleep unless woken: until the next row the last pass saw falls due (a
        retry, a 429's pause, a chat's bucket refilling, a claim going stale), at most
        `idle_poll`."""
        if self._next_due is None:
            return self.limits.idle_poll
        return max(0.0, min(self.limits.idle_poll, self._next_due))

    async def deliver_due(self) -> int:
        """One pass over what is due; returns how many rows were settled."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._paused_until:
            await asyncio.sleep(self._paused_until - loop.time())
        claimed, work, settled = await self._claim()
        if not claimed:
            return settled
        by_chat: dict[int, list[Claimed]] = {}
        for item in claimed:
            by_chat.setdefault(item.row.chat_id, []).append(item)
        gate = asyncio.Semaphore(self.limits.parallel_chats)
        return settled + sum(
            await asyncio.gather(*(self._drain(queue, work, gate) for queue in by_chat.values()))
        )

    async def _drain(
        self,
        queue: list[Claimed],
        work: _Pass,
        gate: asyncio.Semaphore | None = None,
        together: bool = False,
    ) -> int:
        """A chat's rows in order, each recorded as soon as Telegram answered it: a crash then
        resends nothing that was answered, only a row whose answer it cut off. `together`
        records them all once the last is answered instead: a handed-over reply (a question
        and the keyboard's removal, say) costs one transaction rather than one per message,
        and a crash between its messages sends the earlier ones again."""
        async with gate or contextlib.nullcontext():
            mine = replace(work, outcomes=[], blocked=[])
            done = 0
            try:
                for index, item in enumerate(queue):
                    go_on = await self._deliver(item, mine)
                    if not go_on:
                        for rest in queue[index + 1 :]:
                            mine.release(rest.row)
                    if not together:
                        done += await self._settle(mine)
                    if not go_on:
                        break
            finally:  # recorded even when the pass is cancelled (the bot stops)
                done += await self._settle(mine)
            return done

    async def _claim(self) -> tuple[list[Claimed], _Pass, int]:
        """Claim each chat's due rows that its bucket can take now, in one transaction; a burst
        of cards for a group becomes a digest, and rows to people known to have blocked the bot
        are settled there and then (these two are counted last)."""
        async with self.db.uow(self.estate_id) as uow:
            rows = await uow.outbox.next_batch(self.limits.batch)
            now = uow.now
            parked: set[int] = set()
            per_minute = int(self.limits.per_group_minute)
            for chat_id, cards in self._digests(rows, now).items():
                body = digest.digest_body(cards, per_minute)
                parked.update(await uow.outbox.digest(chat_id, cards, body))
            chosen = self._due([row for row in rows if row.id not in parked], now)
            if parked:  # the digest is a new row: the next pass, right after this one, sends it
                self._more = True
            if not chosen:
                await uow.commit()
                return [], _Pass(now, {}, {}), len(parked)
            chats = {row.chat_id for row in chosen}
            users = await uow.people.telegram_users(sorted(c for c in chats if c > 0))
            languages = {c: self.language_of(users.get(c) if c > 0 else None) for c in chats}
            targets = await uow.outbox.get_many(
                sorted({row.edit_of for row in chosen if row.edit_of is not None})
            )
            claimed = await uow.outbox.claim(chosen)
            blocked = {chat for chat, user in users.items() if user.blocked_at is not None}
            for item in claimed:
                if item.row.chat_id in blocked:
                    # Known to have blocked us: settled without asking Telegram (and without
                    # telling staff again); writing to the bot again lifts this.
                    await uow.outbox.settle(item.row.id, BLOCKED, error="blocked the bot earlier")
            await uow.commit()
        sendable = [item for item in claimed if item.row.chat_id not in blocked]
        blocked_now = len(claimed) - len(sendable)
        return sendable, _Pass(now, languages, targets), len(parked) + blocked_now

    def _digests(self, rows: list[OutboxMessage], now: datetime) -> dict[int, list[OutboxMessage]]:
        """Per group, the cards to send as one digest: when more wait than the group can take
        in the next minute (its per-minute limit, less what it received in the last minute)."""
        groups: dict[int, list[OutboxMessage]] = {}
        for row in rows:
            if row.is_group:
                groups.setdefault(row.chat_id, []).append(row)
        found: dict[int, list[OutboxMessage]] = {}
        for chat_id, queue in groups.items():
            if digest.has_digest_waiting(queue):
                continue  # the one already waiting goes first; what piles up meanwhile is next
            cards = [row for row in digest.waiting_cards(queue) if row.not_before <= now]
            room = _room(self._chat_limiter(queue[0]))
            if len(cards) >= 2 and len(cards) > room:
                found[chat_id] = cards[: digest.MAX_CARDS]
        return found

    def _due(self, rows: list[OutboxMessage], now: datetime) -> list[OutboxMessage]:
        """Each chat's rows that may go now: in order, behind none in flight or not yet due, as
        many as the chat's bucket can take, and about a second's worth of the overall one."""
        room = max(1, int(self.limits.per_second))
        self._more = False
        soonest: list[float] = []  # seconds until each held-back chat may go on
        by_chat: dict[int, list[OutboxMessage]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        chosen: list[OutboxMessage] = []
        for queue in by_chat.values():
            limiter = self._chat_limiter(queue[0])
            taken = 0
            for row in queue:
                # Later rows of a chat wait behind an earlier one, to keep the order.
                if row.id in self._in_hand:
                    break  # this process is sending it (a slow call outlasting its claim)
                if row.status == SENDING and row.claimed_at is not None:
                    stale_at = row.claimed_at + self.limits.claim_timeout
                    if stale_at > now:
                        soonest.append((stale_at - now).total_seconds())
                        break  # in flight (here or in another worker)
                elif row.not_before > now:
                    soonest.append((row.not_before - now).total_seconds())
                    break
                if len(chosen) >= room:
                    self._more = True
                    break
                if not limiter.has_capacity(taken + 1):
                    soonest.append(limiter.time_period / limiter.max_rate)
                    break  # this chat's quota is spent: a later pass sends the rest
                chosen.append(row)
                taken += 1
        self._next_due = None
        for seconds in soonest:
            self._due_in(seconds)
        return chosen

    async def _deliver(self, item: Claimed, work: _Pass) -> bool:
        """Send one claimed row; False when the rest of its chat's queue must wait."""
        row = item.row
        message_id: int | None = None
        target_message: int | None = None
        if row.edit_of is not None:
            target = work.targets.get(row.edit_of)
            if row.edit_of in work.sent:  # sent earlier in this very pass
                target_message = work.sent[row.edit_of]
            elif target is not None and target.status == SENT:
                target_message = target.telegram_message_id
            elif target is not None and target.status in {FAILED, BLOCKED}:
                work.settle(row, target.status, error=f"original {target.id} {target.status}")
                return True
            else:  # the original is still on its way: this edit follows it shortly
                work.settle(row, PENDING, not_before_in=timedelta(seconds=1))
                return False
        try:
            if item.body.get("chart"):  # drawing a chart takes a while: not on the event loop
                calls = await asyncio.to_thread(self._calls, row, item.body, work, target_message)
            else:
                calls = self._calls(row, item.body, work, target_message)
        except ValueError as exc:
            work.settle(row, FAILED, error=f"render: {exc}")
            return True
        parts = item.parts_sent
        try:
            for index, call in enumerate(calls):
                if index < parts:
                    continue  # Telegram took this part on an earlier attempt
                await self._limit(row)
                result = await self.transport.call(call.method, call.params)
                message_id = _message_id(result) or message_id
                if index + 1 < len(calls):
                    parts = index + 1
                    await self._record_parts(row, parts)
        except RetryLater as exc:
            loop = asyncio.get_running_loop()
            self._paused_until = max(self._paused_until, loop.time() + exc.seconds)
            work.settle(row, PENDING, not_before_in=timedelta(seconds=exc.seconds), error=str(exc))
            log.warning("429 from Telegram: pausing %.0fs", exc.seconds)
            return False
        except Blocked as exc:
            work.blocked.append((row, str(exc)))
            return False
        except Rejected as exc:
            if row.kind == "edit" and "message is not modified" in str(exc):
                work.settle(row, SENT, message_id=target_message)
                return True
            log.warning("Telegram refused outbox row %s: %s", row.id, exc)
            work.settle(row, FAILED, error=str(exc))
            return True
        except Exception as exc:  # a 5xx, the network, or a bug: retried, then given up
            if not isinstance(exc, Unavailable | OSError | TimeoutError):
                log.exception("sending outbox row %s failed", row.id)
            if row.attempts + 1 >= self.limits.max_attempts:
                work.settle(row, FAILED, error=str(exc))
                return True
            work.settle(row, PENDING, not_before_in=backoff(row.attempts + 1), error=str(exc))
            return False
        if row.kind == "edit":
            message_id = target_message
        work.settle(row, SENT, message_id=message_id)
        return True

    def _calls(
        self, row: OutboxMessage, body: dict[str, Any], work: _Pass, target_message: int | None
    ) -> list[ApiCall]:
        language = work.languages[row.chat_id]
        if row.kind == "edit":
            target = work.targets.get(row.edit_of or 0)
            assert target is not None and target_message is not None
            caption = self.renderer.captioned(target.body)
            return [self.renderer.edit(language, row.chat_id, target_message, body, caption)]
        return self.renderer.send(language, row.chat_id, body)

    async def _settle(self, work: _Pass) -> int:
        """Record the outcomes `work` holds, in one transaction, and tell who needs to know of a
        block; returns how many rows were settled for good."""
        outcomes, blocked = work.outcomes[:], work.blocked[:]
        work.outcomes.clear()
        work.blocked.clear()
        for outcome in outcomes:  # a row put back for later: look again when it falls due
            if "not_before" in outcome:
                self._due_in((outcome["not_before"] - work.now).total_seconds())
        if outcomes:
            async with self.db.uow(self.estate_id) as uow:
                await uow.outbox.settle_many(outcomes)
                await uow.commit()
        for row, error in blocked:
            await self._blocked(row, error)
        return sum(1 for outcome in outcomes if outcome["status"] != PENDING) + len(blocked)

    async def _record_parts(self, row: OutboxMessage, parts: int) -> None:
        """Commit that the first `parts` calls went out, before the next one is made: a retry
        (after a 429, a 5xx, a restart) starts after them."""
        async with self.db.uow(self.estate_id) as uow:
            await uow.outbox.record_parts(row.id, parts)
            await uow.commit()

    async def _limit(self, row: OutboxMessage) -> None:
        pause = self._paused_until - asyncio.get_running_loop().time()
        if pause > 0:  # a 429 stops every call until Telegram's retry_after has passed
            await asyncio.sleep(pause)
        await self._overall.acquire()
        await self._chat_limiter(row).acquire()

    def _chat_limiter(self, row: OutboxMessage) -> AsyncLimiter:
        """The chat's own bucket. A spent one is skipped, not awaited, so one busy group
        never holds up the replies everyone else is waiting for."""
        limiter = self._chat_limiters.get(row.chat_id)
        if limiter is None:
            limiter = (
                AsyncLimiter(self.limits.per_group_minute, 60)
                if row.is_group
                else AsyncLimiter(self.limits.private_burst, self.limits.private_burst)
            )
            self._chat_limiters[row.chat_id] = limiter
            while len(self._chat_limiters) > 10_000:
                self._chat_limiters.popitem(last=False)
        self._chat_limiters.move_to_end(row.chat_id)
        return limiter

    async def _blocked(self, row: OutboxMessage, error: str) -> None:
        async with self.db.uow(self.estate_id) as uow:
            await uow.outbox.settle(row.id, BLOCKED, error=error)
            await uow.outbox.settle_chat(row.chat_id, BLOCKED, error)
            user = await uow.people.telegram_user(row.chat_id)
            newly_blocked = user is not None and user.blocked_at is None
            if newly_blocked:
                user.blocked_at = uow.now  # type: ignore[union-attr]
            uow.events.record(
                "user.blocked_bot", "user", row.chat_id, actor=row.chat_id, error=error
            )
            if self.on_blocked is not None and row.chat_id > 0 and newly_blocked:
                await self.on_blocked(uow, row.chat_id)
            await uow.commit()
        log.info("chat %s blocked the bot: its queue is settled", row.chat_id)


def _room(limiter: AsyncLimiter) -> int:
    """How many more messages a bucket takes right now."""
    room = 0
    while room < limiter.max_rate and limiter.has_capacity(room + 1):
        room += 1
    return room


def _message_id(result: Any) -> int | None:
    if isinstance(result, dict):
        value = result.get("message_id")
        return int(value) if value is not None else None
    if isinstance(result, list) and result:
        return _message_id(result[-1])
    return None
