"""/my for residents (their own jobs only) and /queue for a department's group."""

from __future__ import annotations

from handlers.actor import Actor
from handlers.messages import TextBody, message, moment, text, verbatim
from handlers.repairs.common import REPAIRS, category_label, number
from handlers.repairs.policy import RepairPolicy
from storage.uow import UnitOfWork

# A department's queue: jobs waiting to be accepted, being worked on, or waiting for sign-off.
QUEUED = frozenset().union(*(REPAIRS.lifecycle.sources(a) for a in ("accept", "finish", "confirm")))
TIMELINE = {
    "repair.reported": "repair.timeline.reported",
    "repair.accepted": "repair.timeline.accepted",
    "repair.done": "repair.timeline.done",
    "repair.confirmed": "repair.timeline.confirmed",
    "repair.reopened": "repair.timeline.reopened",
    "repair.closed": "repair.timeline.closed",
}


async def my_repairs(uow: UnitOfWork, policy: RepairPolicy, actor: Actor) -> None:
    """The resident's own repairs, newest first, each with its status and a short timeline."""
    tickets = await uow.tickets.of_user(REPAIRS.kind, actor.user_id)
    if not tickets:
        await uow.outbox.send(actor.chat_id, message(text("repair.my.none")))
        return
    lines: list[TextBody] = [text("repair.my.title")]
    for ticket in tickets:
        lines.append(
            text(
                "repair.my.item",
                number=number(ticket),
                category=category_label(policy, ticket.category),
                status=REPAIRS.status_label(ticket),
            )
        )
        for event in (await uow.events.for_subject("ticket", ticket.id))[-4:]:
            key = TIMELINE.get(event.action)
            if key is not None:
                lines.append(text(key, at=moment(event.at)))
    await uow.outbox.send(actor.chat_id, message(*lines))


async def department_queue(uow: UnitOfWork, chat_id: int) -> None:
    """A department group's open jobs, urgent first, with their age and who holds them."""
    department = await uow.people.department_by_chat(chat_id)
    if department is None:
        await uow.outbox.send(chat_id, message(text("repair.queue.unknown_group")), group=True)
        return
    tickets = await uow.tickets.in_department(REPAIRS.kind, department.key, QUEUED)
    if not tickets:
        await uow.outbox.send(chat_id, message(text("repair.queue.empty")), group=True)
        return
    lines: list[TextBody] = [text("repair.queue.title", count=len(tickets))]
    for ticket in tickets:
        hours = int((uow.now - ticket.created_at).total_seconds() // 3600)
        holder = ticket.details.get("assignee_name")
        facts = {
            "number": number(ticket),
            "status": REPAIRS.status_label(ticket),
            "hours": hours,
            "holder": verbatim(holder) if holder else text("repair.queue.nobody"),
        }
        lines.append(
            text("repair.queue.item_urgent", **facts)
            if ticket.urgent
            else text("repair.queue.item", **facts)
        )
    await uow.outbox.send(chat_id, message(*lines), group=True)
