"""Complaint lists: staff's open complaints by deadline, and a resident's own.

The monthly summary the manual asks management for is the complaints' section of the monthly
report (handlers/reports/complaints.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.actor import Actor
from handlers.complaints.common import (
    COMPLAINTS,
    number,
    topic_label,
)
from handlers.complaints.policy import ComplaintPolicy
from handlers.messages import TextBody, message, moment, text, verbatim
from handlers.roles import FRONT_DESK_ROLES
from storage.models import Ticket
from storage.uow import UnitOfWork

SUMMARY_ROLES = FRONT_DESK_ROLES


async def open_complaints(uow: UnitOfWork, actor: Actor, chat_id: int, group: bool) -> None:
    """Staff's /complaints: everything not closed, the nearest deadline first."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None:
        await uow.outbox.send(chat_id, message(text("complaint.error.staff_only")), group=group)
        return
    tickets = await uow.tickets.with_statuses(COMPLAINTS.kind, COMPLAINTS.lifecycle.open_states)
    if not tickets:
        await uow.outbox.send(chat_id, message(text("complaint.list.empty")), group=group)
        return
    far = uow.now + timedelta(days=3650)

    def next_deadline(ticket: Ticket) -> datetime:
        reply = ticket.reply_due_at if ticket.replied_at is None else None
        return min((d for d in (reply, ticket.resolve_due_at) if d is not None), default=far)

    lines: list[TextBody] = [text("complaint.list.title", count=len(tickets))]
    for ticket in sorted(tickets, key=next_deadline):
        due = next_deadline(ticket)
        lines.append(
            text(
                "complaint.list.item",
                number=number(ticket),
                status=COMPLAINTS.status_label(ticket),
                owner=verbatim(ticket.details.get("owner_name") or "—"),
                due=moment(due) if due != far else verbatim("—"),
            )
        )
    await uow.outbox.send(chat_id, message(*lines), group=group)


async def my_complaints(uow: UnitOfWork, policy: ComplaintPolicy, actor: Actor) -> None:
    """A resident's own complaints (none of anyone else's), with their status and owner."""
    tickets = await uow.tickets.of_user(COMPLAINTS.kind, actor.user_id)
    if not tickets:
        return
    lines: list[TextBody] = [text("complaint.my.title")]
    for ticket in tickets:
        lines.append(
            text(
                "complaint.my.item",
                number=number(ticket),
                topic=topic_label(policy, ticket.category),
                status=COMPLAINTS.status_label(ticket),
                owner=verbatim(ticket.details.get("owner_name") or "—"),
            )
        )
    await uow.outbox.send(actor.chat_id, message(*lines))
