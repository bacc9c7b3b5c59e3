"""Staff work the dispatch card: Accept, Hand back, Done, each checked on the server.

Callback data only says which ticket; who may act is decided here from the roster and the ticket's
state, and the state change is a compare-and-set, so of two people tapping Accept at once exactly
one wins and the other is told who has the job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.actor import Actor, TapAnswer
from handlers.callbacks import phone_of
from handlers.forms import Answers, Outcome
from handlers.messages import message, text, verbatim
from handlers.reach import can_message
from handlers.repairs import payment
from handlers.repairs.common import (
    ACCEPT_SLA,
    CONFIRM_TIMEOUT,
    DONE_FORM,
    HELD,
    REPAIRS,
    WINDOW_END,
    agreed_quote,
    number,
    place_label,
    refresh_card,
    window_label,
)
from handlers.repairs.policy import RepairPolicy
from handlers.repairs.signoff import ask_residents
from handlers.roles import OVERSEEING_ROLES
from handlers.tickets import Acting, TapHandler
from handlers.units import unit_label
from storage.models import Staff, Ticket
from storage.uow import UnitOfWork


def _holds(staff: Staff, ticket: Ticket) -> bool:
    return ticket.assignee_user_id == staff.telegram_user_id or staff.role in OVERSEEING_ROLES


def _in_department(staff: Staff, ticket: Ticket) -> TapAnswer | None:
    """Staff of the job's department (or a supervisor) may take it."""
    if staff.role in OVERSEEING_ROLES or staff.department_key == ticket.department_key:
        return None
    return TapAnswer(text("repair.error.not_your_department"), alert=True)


def _holder(staff: Staff, ticket: Ticket) -> TapAnswer | None:
    """Only whoever holds the job (or a supervisor) may hand it back or finish it."""
    return (
        None if _holds(staff, ticket) else TapAnswer(text("repair.error.not_assignee"), alert=True)
    )


STAFF_ONLY = text("repair.error.staff_only")


def accept(policy: RepairPolicy) -> TapHandler:
    @REPAIRS.staff_action(refusal=STAFF_ONLY, may=_in_department)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Take the job: the card says who has it, the acceptor gets the resident's contact."""
        staff, ticket = acting.staff, acting.ticket
        if not await REPAIRS.take(
            uow, acting, "accept", name_field="assignee_name", event="accepted"
        ):
            return refusal(ticket)
        await REPAIRS.cancel(uow, ticket, ACCEPT_SLA)
        details = ticket.details
        await REPAIRS.schedule(
            uow,
            ticket,
            WINDOW_END,
            policy.window_check(details["day"], details["slot"], ticket.urgent),
        )
        await _send_contact(uow, actor, ticket)
        await refresh_card(uow, policy, ticket)
        await REPAIRS.tell_followers(
            uow,
            ticket,
            message(
                text(
                    "repair.resident.accepted",
                    number=number(ticket),
                    name=verbatim(staff.name),
                    window=window_label(ticket),
                )
            ),
        )
        return TapAnswer(text("repair.toast.accepted", number=number(ticket)))

    return handler


def refusal(ticket: Ticket) -> TapAnswer:
    """Why an action does not apply to the job as it is now: who holds it, or its state."""
    holder = ticket.details.get("assignee_name") or ""
    if holder and REPAIRS.allows(ticket, "finish"):
        return TapAnswer(
            text("repair.error.taken", number=number(ticket), name=verbatim(holder)), alert=True
        )
    return TapAnswer(
        text("repair.error.state", number=number(ticket), status=REPAIRS.status_label(ticket)),
        alert=True,
    )


async def _send_contact(uow: UnitOfWork, actor: Actor, ticket: Ticket) -> None:
    """The phone goes to the acceptor privately, never to the group.

    A technician who never opened a private chat cannot be written to first: the card asks them
    to, and the contact follows as soon as they do (`deliver_pending_contacts`).
    """
    if not can_message(await uow.people.telegram_user(actor.user_id)):
        details = dict(ticket.details)
        details["contact_pending"] = True
        ticket.details = details
        return
    reporter = ticket.reporter_user_id
    user = await uow.people.telegram_user(reporter) if reporter else None
    homes = await uow.people.residents_of(reporter) if reporter else []
    phone = (
        (homes[0][0].phone if homes else None)
        or (user.phone if user else None)
        or await phone_of(uow, ticket)  # recorded for a unit whose resident is not in the bot
        or "—"
    )
    unit = homes[0][1] if homes else None
    body = message(
        text("repair.contact.title", number=number(ticket)),
        text(
            "repair.contact.resident",
            name=verbatim(ticket.details.get("reporter_name", "")),
            phone=phone,
        ),
        unit_label(unit.building, unit.entrance, unit.room) if unit else place_label(ticket),
        text("repair.card.visit", window=window_label(ticket)),
    )
    await uow.outbox.send(actor.user_id, body)


async def deliver_pending_contacts(uow: UnitOfWork, policy: RepairPolicy, actor: Actor) -> None:
    """A staff member just opened the private chat: send the contacts their jobs waited for."""
    for ticket in await uow.tickets.assigned_to(REPAIRS.kind, actor.user_id, HELD):
        if not ticket.details.get("contact_pending"):
            continue
        details = dict(ticket.details)
        details.pop("contact_pending")
        ticket.details = details
        await _send_contact(uow, actor, ticket)
        await refresh_card(uow, policy, ticket)


def hand_back(policy: RepairPolicy) -> TapHandler:
    @REPAIRS.staff_action(refusal=STAFF_ONLY, may=_holder)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Give the job back to the group: it waits for someone to accept it again."""
        ticket = acting.ticket
        details = dict(ticket.details)
        details.pop("assignee_name", None)
        details.pop("contact_pending", None)
        if not await REPAIRS.transition(
            uow,
            ticket,
            "hand_back",
            actor=actor.user_id,
            event="handed_back",
            assignee_user_id=None,
            accepted_at=None,
            details=details,
        ):
            return refusal(ticket)
        await REPAIRS.cancel(uow, ticket, WINDOW_END)
        await REPAIRS.schedule(uow, ticket, ACCEPT_SLA, policy.accept_due(uow.now, ticket.urgent))
        await refresh_card(uow, policy, ticket)
        await REPAIRS.tell_followers(
            uow, ticket, message(text("repair.resident.handed_back", number=number(ticket)))
        )
        return TapAnswer(text("repair.toast.handed_back", number=number(ticket)))

    return handler


def done(policy: RepairPolicy) -> TapHandler:
    @REPAIRS.staff_action(refusal=STAFF_ONLY, may=_holder)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Open a short private form for the result and fees (the acceptor or a supervisor);
        the fees start from the quote the resident agreed to, if there is one."""
        ticket = acting.ticket
        if not REPAIRS.allows(ticket, "finish"):
            return refusal(ticket)
        toast = text("repair.toast.done_form", number=number(ticket))
        quote = agreed_quote(ticket)
        if quote is None:
            return await REPAIRS.open_form(uow, actor, DONE_FORM, ticket, toast)
        return await REPAIRS.open_form(
            uow,
            actor,
            DONE_FORM,
            ticket,
            toast,
            quote_labour=quote["labour"],
            quote_material=quote["material"],
        )

    return handler


def finish(policy: RepairPolicy) -> Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The technician submitted the result: record it and ask the resident to sign off."""
        ticket = await REPAIRS.form_ticket(uow, answers)
        staff = await uow.people.staff_member(actor.user_id)
        if ticket is None or staff is None or not _holds(staff, ticket):
            await uow.outbox.send(actor.chat_id, message(text("repair.error.not_assignee")))
            return Outcome.FINISH
        details = dict(ticket.details)
        details.update(
            result=answers["result"],
            result_photos=answers.get("result_photos") or [],
            labour_fee=answers["labour_fee"],
            material_fee=answers["material_fee"],
            assignee_name=details.get("assignee_name") or staff.name,
        )
        if not await REPAIRS.transition(
            uow,
            ticket,
            "finish",
            actor=actor.user_id,
            event="done",
            data={"labour_fee": answers["labour_fee"], "material_fee": answers["material_fee"]},
            done_at=uow.now,
            details=details,
        ):
            await uow.outbox.send(actor.chat_id, message(refusal(ticket).text))
            return Outcome.FINISH
        await REPAIRS.cancel(uow, ticket, WINDOW_END)
        await REPAIRS.schedule(uow, ticket, CONFIRM_TIMEOUT, policy.confirm_due(uow.now))
        await refresh_card(uow, policy, ticket)
        await uow.outbox.send(
            actor.chat_id, message(text("repair.done_recorded", number=number(ticket)))
        )
        await ask_residents(uow, ticket, payment.where_to_pay(policy, ticket))
        await payment.ask_front_desk(uow, ticket)
        return Outcome.FINISH

    return hook
