"""SLA escalation: the timers that make sure no job sits unnoticed.

Urgent repairs are accepted within 15 minutes and ordinary ones within 2 hours (configurable): past
that, the department's group is pinged again and the supervisors are told (an urgent job's,
outside office hours, the on-duty group too). A job not done by the end of the visit window agreed
with the resident is reported to the supervisors (with an on-duty group, an ordinary job's in
office hours: an evening window missed is reported as the office opens). Either way the resident
hears it from us first: an apology, and what happens next.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.messages import message, text, verbatim
from handlers.on_duty import night
from handlers.reach import to_group
from handlers.repairs.common import ACCEPT, REPAIRS, number, window_label
from handlers.repairs.policy import RepairPolicy
from storage.models import Timer
from storage.uow import UnitOfWork

TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]


def accept_overdue(policy: RepairPolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """Still not accepted: ping the group again and tell the supervisors."""
        ticket = await REPAIRS.timer_ticket(uow, timer.subject_id)
        if ticket is None or not REPAIRS.allows(ticket, "accept"):
            return
        waited = int((uow.now - ticket.updated_at).total_seconds() // 60)
        REPAIRS.record(uow, ticket, "sla_breached", None, deadline="accept", waited_minutes=waited)
        await to_group(
            uow,
            (ticket.department_key or "front_desk",),
            message(
                text("repair.sla.ping", number=number(ticket), minutes=waited),
                buttons=[[ACCEPT.button(text("repair.button.accept"), ticket.id)]],
            ),
            urgent=ticket.urgent,
        )
        await night.escalate(
            uow,
            policy.on_duty if ticket.urgent else None,
            message(text("repair.supervisor.not_accepted", number=number(ticket), minutes=waited)),
        )
        await REPAIRS.tell_followers(
            uow, ticket, message(text("repair.resident.not_accepted", number=number(ticket)))
        )

    return on_timer


def window_passed(policy: RepairPolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """The agreed visit window ended and the job is not done: the supervisors hear of it."""
        ticket = await REPAIRS.timer_ticket(uow, timer.subject_id)
        if ticket is None or not REPAIRS.allows(ticket, "finish"):
            return
        REPAIRS.record(uow, ticket, "sla_breached", None, deadline="window")
        await night.escalate(
            uow,
            policy.on_duty if ticket.urgent else None,
            message(
                text(
                    "repair.supervisor.window_passed",
                    number=number(ticket),
                    name=verbatim(ticket.details.get("assignee_name", "")),
                )
            ),
        )
        await REPAIRS.tell_followers(
            uow,
            ticket,
            message(
                text(
                    "repair.resident.window_passed",
                    number=number(ticket),
                    window=window_label(ticket),
                )
            ),
        )

    return on_timer
