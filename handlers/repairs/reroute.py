"""Staff move a job to another department: Re-route on its card, then a short private form
(which department, and why).

The manual has the front desk dispatch by content and follow every request to the end, so a job
that reached the wrong team is moved, not dropped: the old card says where it went and loses its
buttons, a new card waits for acceptance in the new department's group (with a fresh acceptance
clock), the history records who moved it and why, and the resident reads one line. Who may do it
(the front desk, a supervisor) and whether the job may still move (not yet done) are decided here,
on the tap and again on the form's submission, whatever the button said.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.actor import Actor, TapAnswer
from handlers.config import FRONT_DESK
from handlers.forms import Answers, Outcome
from handlers.messages import message, text, verbatim
from handlers.repairs.common import (
    ACCEPT_SLA,
    REPAIRS,
    REROUTE_FORM,
    WINDOW_END,
    card,
    number,
    post_card,
)
from handlers.repairs.policy import RepairPolicy
from handlers.repairs.work import refusal
from handlers.roles import FRONT_DESK_ROLES
from handlers.tickets import Acting, TapHandler
from storage.uow import UnitOfWork

DESK_ONLY = text("repair.error.reroute_roles")


def open_form(policy: RepairPolicy) -> TapHandler:
    @REPAIRS.staff_action(refusal=DESK_ONLY, roles=FRONT_DESK_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Ask, privately, where the job goes and why (only while it is not yet done)."""
        ticket = acting.ticket
        if not REPAIRS.allows(ticket, "reroute"):
            return refusal(ticket)
        toast = text("repair.toast.reroute_form", number=number(ticket))
        return await REPAIRS.open_form(
            uow, actor, REROUTE_FORM, ticket, toast, current=ticket.department_key or FRONT_DESK
        )

    return handler


def submit(policy: RepairPolicy) -> Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """Move the job: old card marked, new card posted, history written, resident told."""
        acting = await REPAIRS.form_staff(
            uow, actor, answers, roles=FRONT_DESK_ROLES, refusal=DESK_ONLY
        )
        if acting is None:
            return Outcome.FINISH
        ticket, staff = acting.ticket, acting.staff
        target = await uow.people.department(str(answers["department"]))
        allowed = {key for key, _name in policy.departments}
        if target is None or target.chat_id is None or target.key not in allowed:
            await uow.outbox.send(actor.chat_id, message(text("repair.error.no_group")))
            return Outcome.FINISH
        if target.key == (ticket.department_key or FRONT_DESK):
            said = text(
                "repair.reroute.same", number=number(ticket), department=verbatim(target.name)
            )
            await uow.outbox.send(actor.chat_id, message(said))
            return Outcome.FINISH
        source = await uow.people.department(ticket.department_key or FRONT_DESK)
        source_name = source.name if source else (ticket.department_key or "")
        reason = str(answers["reason"])
        old_card = ticket.card_outbox_id
        details = dict(ticket.details)
        for held in ("assignee_name", "contact_pending"):
            details.pop(held, None)
        details.update(moved_from=source_name, move_reason=reason)
        moved = await REPAIRS.transition(
            uow,
            ticket,
            "reroute",
            actor=actor.user_id,
            event="rerouted",
            data={"from": ticket.department_key, "to": target.key, "reason": reason},
            department_key=target.key,
            assignee_user_id=None,
            accepted_at=None,
            details=details,
        )
        if not moved:
            await uow.outbox.send(actor.chat_id, message(refusal(ticket).text))
            return Outcome.FINISH
        await REPAIRS.cancel(uow, ticket, WINDOW_END, ACCEPT_SLA)
        await REPAIRS.schedule(uow, ticket, ACCEPT_SLA, policy.accept_due(uow.now, ticket.urgent))
        if old_card is not None:
            note = text(
                "repair.card.moved",
                department=verbatim(target.name),
                name=verbatim(staff.name),
                reason=verbatim(reason),
            )
            await uow.outbox.edit(old_card, await card(uow, policy, ticket, moved=note))
        await post_card(uow, policy, ticket)
        await REPAIRS.tell_followers(
            uow,
            ticket,
            message(
                text(
                    "repair.resident.rerouted",
                    number=number(ticket),
                    department=verbatim(target.name),
                )
            ),
        )
        await uow.outbox.send(
            actor.chat_id,
            message(
                text("repair.reroute.done", number=number(ticket), department=verbatim(target.name))
            ),
        )
        return Outcome.FINISH

    return hook
