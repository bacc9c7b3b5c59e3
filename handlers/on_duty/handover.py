"""The morning hand-over (交接班): as the office opens, the front desk gets what the on-duty
group took in since the last hand-over, so customer service follows each one up that day.

A timer row per estate, planned like the front desk's repair digest: each hand-over plans the
next one at the following opening and carries the moment it covers from. A night with nothing
taken in sends nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from handlers.config import FRONT_DESK
from handlers.messages import TextBody, message, moment, text, verbatim
from handlers.on_duty.night import DETAILS, TAKEN
from handlers.on_duty.policy import OnDuty
from handlers.reach import to_group
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

HANDOVER = "on_duty.handover"
SUBJECT = "estate"
LISTED = 25
"""Tickets named in one hand-over; the rest are counted, so it stays within 4,096 characters."""
KINDS = {
    "complaint": text("on_duty.kind.complaint"),
    "repair": text("on_duty.kind.repair"),
}
"""What the hand-over calls each kind of ticket the on-duty group takes in."""


async def schedule_next(uow: UnitOfWork, duty: OnDuty | None) -> None:
    """The next hand-over at the next opening, unless one is planned (every start-up asks)."""
    if duty is None:
        return
    pending = await uow.timers.pending_for(SUBJECT, uow.estate_id)
    if not any(timer.kind == HANDOVER for timer in pending):
        await uow.timers.schedule(
            HANDOVER,
            duty.calendar.next_opening(uow.now),
            subject_type=SUBJECT,
            subject_id=uow.estate_id,
            payload={"since": uow.now.isoformat()},
        )


def morning(duty: OnDuty | None) -> Callable[[UnitOfWork, Timer], Awaitable[None]]:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """What came in since the last hand-over, to the front desk's group; then the next."""
        await schedule_next(uow, duty)
        since = datetime.fromisoformat(timer.payload["since"])
        taken = await uow.events.between((TAKEN,), since, uow.now)
        tickets = [
            ticket
            for ticket_id in dict.fromkeys(event.subject_id or 0 for event in taken)
            if (ticket := await uow.tickets.get(ticket_id)) is not None
        ]
        if tickets:
            await to_group(uow, (FRONT_DESK,), message(*handover_lines(tickets)))

    return on_timer


def handover_lines(tickets: list[Ticket]) -> list[TextBody]:
    """The hand-over: a title, then per ticket its number, kind, state now and who received it
    (the first `LISTED`; the rest counted)."""
    lines: list[TextBody] = [text("on_duty.handover.title", count=len(tickets))]
    for ticket in tickets[:LISTED]:
        taken = ticket.details.get(DETAILS) or {}
        received_by = taken.get("received_by")
        lines.append(
            text(
                "on_duty.handover.item",
                number=str(taken.get("number", "")),
                kind=KINDS.get(ticket.kind, verbatim(ticket.kind)),
                status=text(f"{ticket.kind}.status.{ticket.status}"),
                received=text(
                    "on_duty.handover.received_by",
                    name=verbatim(str(received_by)),
                    at=moment(datetime.fromisoformat(taken["received_at"])),
                )
                if received_by
                else text("on_duty.handover.not_received"),
            )
        )
    if len(tickets) > LISTED:
        lines.append(text("on_duty.handover.more", count=len(tickets) - LISTED))
    lines.append(text("on_duty.handover.follow_up"))
    return lines
