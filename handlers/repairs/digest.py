"""The front desk's morning digest of open repair jobs: how many in each state, how old, and
the oldest ones by name.

The manual has the front desk follow every request to the end, whichever department holds it;
the digest is its daily look at what is still open, oldest first, so nothing is dropped between
departments. It is summarised rather than paged: the counts cover every job, the list names the
oldest `LISTED` (one message, within Telegram's 4,096 characters), and `/queue` in the group lists
them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime

from handlers.config import FRONT_DESK
from handlers.messages import MessageBody, TextBody, day, message, text, verbatim
from handlers.reach import to_group
from handlers.repairs.common import DESK_DIGEST, REPAIRS
from handlers.repairs.policy import RepairPolicy
from handlers.repairs.views import QUEUED, age_hours, queue_line
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

SUBJECT = "estate"
LISTED = 25
"""Oldest jobs named in the digest; with the counts it stays far within 4,096 characters."""
AGES = (
    (24, text("repair.digest.age.day")),
    (72, text("repair.digest.age.days")),
    (None, text("repair.digest.age.older")),
)
"""Age bands, youngest first: under so many hours (the last, any older)."""
STATE_ORDER = tuple(dict.fromkeys(source for source, _action in REPAIRS.lifecycle.moves))
"""The states in the order a job meets them, as the lifecycle table lists them."""


async def plan_once(uow: UnitOfWork, kind: str, due: datetime) -> None:
    """The estate's next timer of `kind` at `due`, unless one is already planned (every
    start-up asks, and each one plans the next as it fires)."""
    pending = await uow.timers.pending_for(SUBJECT, uow.estate_id)
    if not any(timer.kind == kind for timer in pending):
        await uow.timers.schedule(kind, due, subject_type=SUBJECT, subject_id=uow.estate_id)


async def schedule_next(uow: UnitOfWork, policy: RepairPolicy) -> None:
    """The next digest, unless one is already planned."""
    await plan_once(uow, DESK_DIGEST, policy.next_digest(uow.now))


def daily(policy: RepairPolicy) -> Callable[[UnitOfWork, Timer], Awaitable[None]]:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """This morning's digest to the front desk's group; then the next one is planned."""
        await schedule_next(uow, policy)
        tickets = await uow.tickets.with_statuses(REPAIRS.kind, QUEUED)
        await to_group(uow, (FRONT_DESK,), await digest(uow, policy, tickets))

    return on_timer


async def digest(uow: UnitOfWork, policy: RepairPolicy, tickets: list[Ticket]) -> MessageBody:
    """Open jobs by state and by age, then the oldest `LISTED` with their department."""
    today = uow.now.astimezone(policy.timezone).date().isoformat()
    if not tickets:
        return message(text("repair.digest.empty", date=day(today)))
    oldest = sorted(tickets, key=lambda t: t.created_at)
    states = Counter(t.status for t in tickets)
    ages = Counter(_age_band(age_hours(uow, t)) for t in tickets)
    lines: list[TextBody] = [text("repair.digest.title", date=day(today), count=len(tickets))]
    for status in STATE_ORDER:
        if states[status]:
            label = text(f"repair.status.{status}")
            lines.append(text("repair.digest.state", status=label, jobs=states[status]))
    for band, (_limit, label) in enumerate(AGES):
        if ages[band]:
            lines.append(text("repair.digest.age", band=label, jobs=ages[band]))
    lines.append(text("repair.digest.oldest"))
    names = {key: name for key, name in policy.departments}
    for ticket in oldest[:LISTED]:
        department = ticket.department_key or FRONT_DESK
        lines.append(
            text(
                "repair.digest.item",
                department=verbatim(names.get(department, department)),
                job=queue_line(uow, ticket),
            )
        )
    if len(oldest) > LISTED:
        lines.append(text("repair.digest.more", count=len(oldest) - LISTED))
    return message(*lines)


def _age_band(hours: int) -> int:
    """The index in `AGES` of the band a job `hours` old falls in."""
    return next(i for i, (limit, _label) in enumerate(AGES) if limit is None or hours < limit)
