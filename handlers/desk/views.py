"""/queue in the front desk's group: after every department's repair jobs, the suggestions and
requests for help the front desk itself still follows (the manual: what is written down at the
desk is followed to the end by the desk); and a resident's /my: those recorded for them."""

from __future__ import annotations

from handlers.actor import Actor
from handlers.config import FRONT_DESK
from handlers.desk.common import ANSWERED_AT_ONCE, DESK_REQUESTS, kind_of, number
from handlers.messages import message, text, verbatim
from handlers.repairs.views import age_hours, pages
from storage.uow import UnitOfWork


async def front_desk_queue(uow: UnitOfWork, chat_id: int) -> None:
    """The open ones, oldest first, with whom they are for and their age; nothing elsewhere, and
    nothing when none is open (the repairs' part of /queue already answered)."""
    department = await uow.people.department_by_chat(chat_id)
    if department is None or department.key != FRONT_DESK:
        return
    lifecycle = DESK_REQUESTS.lifecycle
    tickets = await uow.tickets.with_statuses(DESK_REQUESTS.kind, lifecycle.open_states)
    if not tickets:
        return
    lines = [
        text(
            "desk.queue.item",
            number=number(ticket),
            kind=text(f"behalf.kind.{kind_of(ticket)}"),
            name=verbatim(str(ticket.details.get("reporter_name", ""))),
            hours=age_hours(uow, ticket),
        )
        for ticket in sorted(tickets, key=lambda t: t.created_at)
    ]
    for part in pages(text("desk.queue.title", count=len(tickets)), lines):
        await uow.outbox.send(chat_id, message(*part), group=True)


async def my_requests(uow: UnitOfWork, actor: Actor) -> None:
    """The resident's own suggestions and requests for help (an inquiry was answered there and
    then), with their status; nothing when there are none."""
    tickets = [
        ticket
        for ticket in await uow.tickets.of_user(DESK_REQUESTS.kind, actor.user_id)
        if kind_of(ticket) not in ANSWERED_AT_ONCE
    ]
    if not tickets:
        return
    lines = [text("desk.my.title")]
    lines += [
        text(
            "desk.my.item",
            number=number(ticket),
            kind=text(f"behalf.kind.{kind_of(ticket)}"),
            status=DESK_REQUESTS.status_label(ticket),
        )
        for ticket in tickets
    ]
    await uow.outbox.send(actor.chat_id, message(*lines))
