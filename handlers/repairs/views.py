"""/my for residents (their own jobs only) and /queue for a department's group (every
department's in the front desk's group)."""

from __future__ import annotations

from collections import defaultdict

from handlers.actor import Actor
from handlers.config import FRONT_DESK
from handlers.messages import MessageBody, TextBody, message, moment, text, verbatim
from handlers.repairs.common import REPAIRS, category_label, number
from handlers.repairs.policy import RepairPolicy
from storage.models import Ticket
from storage.uow import UnitOfWork

# A department's queue: jobs waiting to be accepted, being worked on (or quoted for), or waiting
# for sign-off.
QUEUED = frozenset().union(
    *(REPAIRS.lifecycle.sources(a) for a in ("accept", "finish", "agree", "confirm"))
)
PER_MESSAGE = 40
"""Lines per /queue message: a job's line is under 100 characters, so 40 stay within 4,096."""
TIMELINE = {
    "repair.reported": "repair.timeline.reported",
    "repair.accepted": "repair.timeline.accepted",
    "repair.quoted": "repair.timeline.quoted",
    "repair.quote_agreed": "repair.timeline.quote_agreed",
    "repair.quote_declined": "repair.timeline.quote_declined",
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
    """A department group's open jobs, urgent first, with their age and who holds them; in the
    front desk's group, every department's (the front desk follows every request)."""
    department = await uow.people.department_by_chat(chat_id)
    if department is None:
        await uow.outbox.send(chat_id, message(text("repair.queue.unknown_group")), group=True)
        return
    if department.key == FRONT_DESK:
        tickets = await uow.tickets.with_statuses(REPAIRS.kind, QUEUED)
    else:
        tickets = await uow.tickets.in_department(REPAIRS.kind, department.key, QUEUED)
    if not tickets:
        await uow.outbox.send(chat_id, message(text("repair.queue.empty")), group=True)
        return
    if department.key == FRONT_DESK:
        bodies = await every_department(uow, tickets)
    else:
        lines = [text("repair.queue.title", count=len(tickets))]
        bodies = [message(*lines, *(queue_line(uow, t) for t in tickets))]
    for body in bodies:
        await uow.outbox.send(chat_id, body, group=True)


def queue_line(uow: UnitOfWork, ticket: Ticket) -> TextBody:
    """One open job: its number, state, age in hours and who holds it (urgent ones flagged)."""
    holder = ticket.details.get("assignee_name")
    facts = {
        "number": number(ticket),
        "status": REPAIRS.status_label(ticket),
        "hours": age_hours(uow, ticket),
        "holder": verbatim(holder) if holder else text("repair.queue.nobody"),
    }
    if ticket.urgent:
        return text("repair.queue.item_urgent", **facts)
    return text("repair.queue.item", **facts)


def age_hours(uow: UnitOfWork, ticket: Ticket) -> int:
    return int((uow.now - ticket.created_at).total_seconds() // 3600)


async def every_department(uow: UnitOfWork, tickets: list[Ticket]) -> list[MessageBody]:
    """The front desk's /queue: every department's open jobs under its name, urgent then oldest
    first, in messages of at most `PER_MESSAGE` jobs (each line is short, so a message stays well
    within Telegram's 4,096 characters)."""
    by_department: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in sorted(tickets, key=lambda t: (not t.urgent, t.created_at)):
        by_department[ticket.department_key or FRONT_DESK].append(ticket)
    lines: list[TextBody] = []
    for key in sorted(by_department):
        department = await uow.people.department(key)
        jobs = by_department[key]
        name = verbatim(department.name if department else key)
        lines.append(text("repair.queue.department", department=name, jobs=len(jobs)))
        lines += [queue_line(uow, t) for t in jobs]
    title = text("repair.queue.title_all", count=len(tickets))
    return [message(*part) for part in pages(title, lines)]


def pages(title: TextBody, lines: list[TextBody]) -> list[list[TextBody]]:
    """`lines` in messages of at most `PER_MESSAGE` lines each, the first under `title`."""
    parts = [lines[i : i + PER_MESSAGE] for i in range(0, len(lines), PER_MESSAGE)] or [[]]
    parts[0] = [title, *parts[0]]
    return parts
