"""Staff work the dispatch card: Accept, Hand back, Done, each checked on the server.

Callback data only says which ticket; who may act is decided here from the roster and the ticket's
state, and the state change is a compare-and-set, so of two people tapping Accept at once exactly
one wins and the other is told who has the job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from conversations.steps import Answers, Outcome
from handlers.actor import Actor, TapAnswer
from handlers.messages import message, text, verbatim
from handlers.reach import can_message
from handlers.registration import unit_label
from handlers.repairs.common import (
    ACCEPT_SLA,
    CONFIRM_TIMEOUT,
    FIXING_ROLES,
    KIND,
    SUBJECT,
    WINDOW_END,
    number,
    place_label,
    record,
    refresh_card,
    tell_residents,
    window_label,
)
from handlers.repairs.policy import RepairPolicy
from handlers.repairs.signoff import ask_residents
from handlers.rules.lifecycle import REPAIR
from storage.models import Staff, Ticket
from storage.uow import UnitOfWork

DONE_FLOW = "repair_done"


async def _ticket_and_staff(
    uow: UnitOfWork, actor: Actor, ticket_id: int
) -> tuple[Ticket, Staff] | TapAnswer:
    """The job and the staff member tapping, or why the tap does nothing."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None:
        return TapAnswer(text("repair.error.staff_only"), alert=True)
    ticket = await uow.tickets.get(ticket_id, KIND)
    if ticket is None:
        return TapAnswer(text("error.record_not_found"), alert=True)
    return ticket, staff


def _may_work_on(staff: Staff, ticket: Ticket) -> bool:
    return staff.role in FIXING_ROLES or staff.department_key == ticket.department_key


def accept(policy: RepairPolicy) -> Callable[[UnitOfWork, Actor, int], Awaitable[TapAnswer]]:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """Take the job: the card says who has it, the acceptor gets the resident's contact."""
        found = await _ticket_and_staff(uow, actor, ticket_id)
        if isinstance(found, TapAnswer):
            return found
        ticket, staff = found
        if not _may_work_on(staff, ticket):
            return TapAnswer(text("repair.error.not_your_department"), alert=True)
        details = dict(ticket.details)
        details["assignee_name"] = staff.name
        moved = await uow.tickets.move(
            ticket,
            REPAIR.sources("accept"),
            REPAIR.after("open", "accept"),
            assignee_user_id=actor.user_id,
            accepted_at=uow.now,
            details=details,
        )
        if not moved:
            return _already(ticket)
        record(uow, ticket, "accepted", actor.user_id)
        await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id, kind=ACCEPT_SLA)
        await uow.timers.schedule(
            WINDOW_END,
            policy.window_end(details["day"], details["slot"]),
            subject_type=SUBJECT,
            subject_id=ticket.id,
        )
        await refresh_card(uow, policy, ticket)
        await _send_contact(uow, actor, ticket)
        await tell_residents(
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


def _already(ticket: Ticket) -> TapAnswer:
    holder = ticket.details.get("assignee_name") or ""
    if ticket.status == "accepted":
        return TapAnswer(
            text("repair.error.taken", number=number(ticket), name=verbatim(holder)), alert=True
        )
    return TapAnswer(
        text(
            "repair.error.state",
            number=number(ticket),
            status=text(f"repair.status.{ticket.status}"),
        ),
        alert=True,
    )


async def _send_contact(uow: UnitOfWork, actor: Actor, ticket: Ticket) -> None:
    """The phone goes to the acceptor privately, never to the group."""
    reporter = ticket.reporter_user_id
    user = await uow.people.telegram_user(reporter) if reporter else None
    staff_account = await uow.people.telegram_user(actor.user_id)
    homes = await uow.people.residents_of(reporter) if reporter else []
    phone = (homes[0][0].phone if homes else None) or (user.phone if user else None) or "—"
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
    if not can_message(staff_account):
        # The bot may not write first: the card asks them to open a private chat, and the
        # contact follows as soon as they do (`deliver_pending_contacts`).
        details = dict(ticket.details)
        details["contact_pending"] = True
        ticket.details = details
        return
    await uow.outbox.send(actor.user_id, body)


async def deliver_pending_contacts(uow: UnitOfWork, policy: RepairPolicy, actor: Actor) -> None:
    """A staff member just opened the private chat: send the contacts their jobs waited for."""
    for ticket in await uow.tickets.assigned_to(KIND, actor.user_id, ("accepted",)):
        if not ticket.details.get("contact_pending"):
            continue
        details = dict(ticket.details)
        details.pop("contact_pending")
        ticket.details = details
        await _send_contact(uow, actor, ticket)
        await refresh_card(uow, policy, ticket)


def hand_back(policy: RepairPolicy) -> Callable[[UnitOfWork, Actor, int], Awaitable[TapAnswer]]:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """Give the job back to the group: it waits for someone to accept it again."""
        found = await _ticket_and_staff(uow, actor, ticket_id)
        if isinstance(found, TapAnswer):
            return found
        ticket, staff = found
        if ticket.assignee_user_id != actor.user_id and staff.role not in FIXING_ROLES:
            return TapAnswer(text("repair.error.not_assignee"), alert=True)
        details = dict(ticket.details)
        details.pop("assignee_name", None)
        moved = await uow.tickets.move(
            ticket,
            REPAIR.sources("hand_back"),
            REPAIR.after("accepted", "hand_back"),
            assignee_user_id=None,
            accepted_at=None,
            details=details,
        )
        if not moved:
            return _already(ticket)
        record(uow, ticket, "handed_back", actor.user_id)
        await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id, kind=WINDOW_END)
        await uow.timers.schedule(
            ACCEPT_SLA,
            policy.accept_due(uow.now, ticket.urgent),
            subject_type=SUBJECT,
            subject_id=ticket.id,
        )
        await refresh_card(uow, policy, ticket)
        await tell_residents(
            uow, ticket, message(text("repair.resident.handed_back", number=number(ticket)))
        )
        return TapAnswer(text("repair.toast.handed_back", number=number(ticket)))

    return handler


def done(policy: RepairPolicy) -> Callable[[UnitOfWork, Actor, int], Awaitable[TapAnswer]]:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """Open a short private form for the result and fees (the acceptor or a supervisor)."""
        found = await _ticket_and_staff(uow, actor, ticket_id)
        if isinstance(found, TapAnswer):
            return found
        ticket, staff = found
        if ticket.assignee_user_id != actor.user_id and staff.role not in FIXING_ROLES:
            return TapAnswer(text("repair.error.not_assignee"), alert=True)
        if not REPAIR.allows(ticket.status, "finish"):
            return _already(ticket)
        if not can_message(await uow.people.telegram_user(actor.user_id)):
            return TapAnswer(text("repair.error.start_private_chat"), alert=True)
        return TapAnswer(
            text("repair.toast.done_form", number=number(ticket)),
            start_flow=(DONE_FLOW, {"ticket": ticket.id, "number": number(ticket)}),
        )

    return handler


def finish(policy: RepairPolicy) -> Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The technician submitted the result: record it and ask the resident to sign off."""
        ticket = await uow.tickets.get(int(answers["ticket"]), KIND)
        staff = await uow.people.staff_member(actor.user_id)
        if (
            ticket is None
            or staff is None
            or (ticket.assignee_user_id != actor.user_id and staff.role not in FIXING_ROLES)
        ):
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
        moved = await uow.tickets.move(
            ticket,
            REPAIR.sources("finish"),
            REPAIR.after("accepted", "finish"),
            done_at=uow.now,
            details=details,
        )
        if not moved:
            await uow.outbox.send(
                actor.chat_id,
                message(
                    text(
                        "repair.error.state",
                        number=number(ticket),
                        status=text(f"repair.status.{ticket.status}"),
                    )
                ),
            )
            return Outcome.FINISH
        record(
            uow,
            ticket,
            "done",
            actor.user_id,
            labour_fee=answers["labour_fee"],
            material_fee=answers["material_fee"],
        )
        await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id, kind=WINDOW_END)
        await uow.timers.schedule(
            CONFIRM_TIMEOUT,
            policy.confirm_due(uow.now),
            subject_type=SUBJECT,
            subject_id=ticket.id,
        )
        await refresh_card(uow, policy, ticket)
        await uow.outbox.send(
            actor.chat_id, message(text("repair.done_recorded", number=number(ticket)))
        )
        await ask_residents(uow, ticket)
        return Outcome.FINISH

    return hook
