"""Outside office hours: the on-duty group's card for a new ticket, the escalations it gets, and
its **Received** button.

A complaint or an urgent repair that comes in while the office is closed keeps its card in its
own group (the front desk, the department: who works it in the morning) and gets a second one in
the on-duty group, which records it. The ticket remembers that card (`details["on_duty"]`), who
received it and when, for the morning's hand-over (`handover.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.actions import Action
from handlers.actor import Actor, TapAnswer
from handlers.messages import MessageBody, message, moment, text, verbatim
from handlers.on_duty.policy import OnDuty
from handlers.reach import alert_management, to_group
from handlers.roles import OVERSEEING_ROLES
from storage.models import Ticket
from storage.uow import UnitOfWork

RECEIVED = Action("duty.received")
TAKEN = "on_duty.taken"
"""The event of a ticket the on-duty group took in: the hand-over lists these."""
DETAILS = "on_duty"

TapHandler = Callable[..., Awaitable[TapAnswer]]


async def take_in(
    uow: UnitOfWork, duty: OnDuty | None, ticket: Ticket, number: str, card: MessageBody
) -> None:
    """Outside office hours, the ticket's card (without its own group's buttons) also goes to
    the on-duty group at once, with **Received**; in office hours, or without an on-duty group,
    nothing."""
    if duty is None or not duty.covers(uow.now):
        return
    body = message(
        text("on_duty.card.title", number=number),
        *card.get("lines", []),
        buttons=[[RECEIVED.button(text("on_duty.button.received"), ticket.id)]],
        photos=list(card.get("photos") or []),
    )
    group = await uow.people.department(duty.department)
    if group is None or group.chat_id is None:
        return
    card_id = await uow.outbox.send(group.chat_id, body, group=True, urgent=True)
    details = dict(ticket.details)
    details[DETAILS] = {"number": number, "card": card_id}
    ticket.details = details
    uow.events.record(TAKEN, "ticket", ticket.id, actor=None, number=number, kind=ticket.kind)


async def escalate(
    uow: UnitOfWork, duty: OnDuty | None, body: MessageBody, *, urgent: bool = False
) -> None:
    """An escalation: management as always, and outside office hours the on-duty group too,
    which is awake when the supervisors are not."""
    await alert_management(uow, body, urgent=urgent)
    if duty is not None and duty.covers(uow.now):
        await to_group(uow, (duty.department,), body, urgent=urgent)


def received(duty: OnDuty | None) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """The on-duty staff (or a supervisor) record that they received the ticket: the card
        says who and when, once; the morning's hand-over names them."""
        staff = await uow.people.staff_member(actor.user_id)
        if staff is None or not (
            staff.role in OVERSEEING_ROLES
            or (duty is not None and staff.department_key == duty.department)
        ):
            return TapAnswer(text("on_duty.error.on_duty_only"), alert=True)
        ticket = await uow.tickets.get(ticket_id)
        taken = dict(ticket.details.get(DETAILS) or {}) if ticket is not None else {}
        if ticket is None or not taken:
            return TapAnswer(text("error.record_not_found"), alert=True)
        number = str(taken.get("number", ""))
        if taken.get("received_by"):
            return TapAnswer(
                text(
                    "on_duty.error.already_received",
                    number=number,
                    name=verbatim(str(taken["received_by"])),
                ),
                alert=True,
            )
        taken.update(received_by=staff.name, received_at=uow.now.isoformat())
        details = dict(ticket.details)
        details[DETAILS] = taken
        ticket.details = details
        uow.events.record(
            "on_duty.received", "ticket", ticket.id, actor=actor.user_id, number=number
        )
        await _mark_card(uow, taken, staff.name)
        return TapAnswer(text("on_duty.toast.received", number=number))

    return handler


async def _mark_card(uow: UnitOfWork, taken: dict[str, object], name: str) -> None:
    """The on-duty card loses its button and says who received it, and when."""
    card_id = taken.get("card")
    sent = await uow.outbox.get(card_id) if isinstance(card_id, int) else None
    if sent is None:
        return
    body = message(
        *sent.body.get("lines", []),
        text("on_duty.card.received", name=verbatim(name), at=moment(uow.now)),
        photos=list(sent.body.get("photos") or []),
    )
    await uow.outbox.edit(sent.id, body)
