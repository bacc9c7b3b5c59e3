"""Silence after Done is not a signature: the front desk calls the resident.

The manual has the resident sign the job off and the front desk call every repair back. When the
resident has not answered Fixed / Not fixed within `repair_confirm_timeout`, the front desk's
group gets a task: the job, who to call, and a button to see the phone number (shown only to
the person who taps, never in the group; the callback's own button), and two to record
**Confirmed by phone** (the job is confirmed, the callback survey follows) or **Not fixed**
(the job is reopened and dispatched again). The
resident's own buttons keep working until then; whichever answer comes first counts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.actor import Actor, TapAnswer
from handlers.messages import MessageBody, TextBody, message, moment, text, verbatim
from handlers.reach import post_task
from handlers.repairs.common import (
    BY_PHONE,
    CALL,
    REPAIRS,
    number,
    place_label,
)
from handlers.repairs.policy import RepairPolicy
from handlers.repairs.signoff import confirm, reopen
from handlers.roles import FRONT_DESK_ROLES
from handlers.tickets import Acting, TapHandler
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

FRONT_DESK_ONLY = text("repair.error.front_desk_calls")


def _task(ticket: Ticket, outcome: TextBody | None = None) -> MessageBody:
    details = ticket.details
    lines: list[TextBody] = [
        text(
            "repair.phone.task",
            number=number(ticket),
            name=verbatim(details.get("reporter_name", "")),
            place=place_label(ticket),
            at=moment(ticket.done_at) if ticket.done_at else "",
            technician=verbatim(details.get("assignee_name", "")),
        ),
        text("repair.card.result", result=verbatim(details.get("result", ""))),
    ]
    if outcome is not None:
        return message(*lines, outcome)
    return message(
        *lines,
        buttons=[
            [CALL.button(text("repair.phone.button.number"), ticket.id)],
            [
                BY_PHONE.button(text("repair.phone.button.fixed"), ticket.id, 1),
                BY_PHONE.button(text("repair.phone.button.not_fixed"), ticket.id, 0),
            ],
        ],
    )


def confirm_timeout(policy: RepairPolicy) -> Callable[[UnitOfWork, Timer], Awaitable[None]]:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """No answer from the resident in time: a phone task for the front desk."""
        ticket = await REPAIRS.timer_ticket(uow, timer.subject_id)
        if ticket is None or not REPAIRS.allows(ticket, "confirm"):
            return
        REPAIRS.record(uow, ticket, "phone_task", None)
        await post_task(uow, ticket, "phone_task", _task(ticket))
        await REPAIRS.tell_followers(
            uow, ticket, message(text("repair.resident.will_call", number=number(ticket)))
        )

    return on_timer


def answered(policy: RepairPolicy) -> TapHandler:
    @REPAIRS.staff_action(refusal=FRONT_DESK_ONLY, roles=FRONT_DESK_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting, fixed: int) -> TapAnswer:
        """What the resident said on the phone: confirmed, or reopened."""
        ticket, staff = acting.ticket, acting.staff
        if fixed not in (0, 1):
            return TapAnswer(text("error.record_not_found"), alert=True)
        if fixed:
            details = dict(ticket.details)
            details["phone_confirmed_by"] = staff.name
            ticket.details = details
            if not await confirm(uow, policy, ticket, actor.user_id, by_phone=True):
                return TapAnswer(text("ticket.error.already_answered"), alert=True)
            outcome = text("repair.phone.confirmed", name=verbatim(staff.name))
            said = text("repair.resident.confirmed_by_phone", number=number(ticket))
        else:
            if not await reopen(uow, policy, ticket, "not_fixed", actor.user_id):
                return TapAnswer(text("ticket.error.already_answered"), alert=True)
            outcome = text("repair.phone.reopened", name=verbatim(staff.name))
            said = text("repair.resident.reopened", number=number(ticket))
        if task := ticket.details.get("phone_task"):
            await uow.outbox.edit(int(task), _task(ticket, outcome))
        await REPAIRS.tell_followers(uow, ticket, message(said))
        return TapAnswer(text("repair.phone.recorded", number=number(ticket)))

    return handler
