"""The fees of paid work: where the resident pays, and the front desk recording it.

The manual: unpaid fees are settled at the front desk, or added to the monthly bill. A job done
with fees tells its resident how much and where to pay, and puts a task in the front desk's
group with **Paid at the front desk** / **Added to the monthly bill**; whichever the front desk
(or a supervisor) taps first is recorded, once: the task and the job's card show it, and the
resident reads it. The monthly summary for finance (`paid_summary.py`) reads the same record.
"""

from __future__ import annotations

from decimal import Decimal

from handlers.actor import Actor, TapAnswer
from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.reach import post_task
from handlers.repairs.common import (
    PAID_HOW,
    PAY,
    REPAIRS,
    fees_due,
    fees_line,
    money,
    number,
    place_label,
    refresh_card,
)
from handlers.repairs.policy import RepairPolicy
from handlers.roles import FRONT_DESK_ROLES
from handlers.tickets import Acting, TapHandler
from storage.models import Ticket
from storage.uow import UnitOfWork

TASK = "payment_task"
"""The ticket's detail that keeps the front desk's payment task card."""
DESK_ONLY = text("repair.error.payment_roles")


def where_to_pay(policy: RepairPolicy, ticket: Ticket) -> TextBody | None:
    """What the resident reads under the fees of a finished job: how much, and where to pay
    (`[fees] how_to_pay_*`, and the front desk's phone when the estate gives one)."""
    due = fees_due(ticket)
    if due <= 0:
        return None
    if policy.front_desk_phone:
        return text(
            "repair.resident.pay_phone",
            total=money(due),
            how=policy.how_to_pay,
            phone=verbatim(policy.front_desk_phone),
        )
    return text("repair.resident.pay", total=money(due), how=policy.how_to_pay)


def _task(ticket: Ticket, outcome: TextBody | None = None) -> MessageBody:
    lines: list[TextBody] = [
        text(
            "repair.payment.task",
            number=number(ticket),
            name=verbatim(ticket.details.get("reporter_name", "")),
            place=place_label(ticket),
            total=money(fees_due(ticket)),
        ),
        fees_line(ticket),
    ]
    if outcome is not None:
        return message(*lines, outcome)
    return message(
        *lines,
        buttons=[
            [PAY.button(text("repair.button.paid_desk"), ticket.id, "desk")],
            [PAY.button(text("repair.button.paid_bill"), ticket.id, "bill")],
        ],
    )


async def ask_front_desk(uow: UnitOfWork, ticket: Ticket) -> None:
    """A job was done with fees not yet settled: the front desk's task to record how they are
    (the one already posted is brought up to date when a redone job's fees change)."""
    if fees_due(ticket) <= Decimal(0) or ticket.details.get("payment"):
        return
    if (task := ticket.details.get(TASK)) is not None:
        await uow.outbox.edit(int(task), _task(ticket))
        return
    await post_task(uow, ticket, TASK, _task(ticket))


def record(policy: RepairPolicy) -> TapHandler:
    @REPAIRS.staff_action(refusal=DESK_ONLY, roles=FRONT_DESK_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting, how: str) -> TapAnswer:
        """The resident paid at the front desk, or the fees go on the monthly bill: recorded
        once, shown on the task and the card, and the resident is told."""
        ticket, staff = acting.ticket, acting.staff
        if how not in PAID_HOW or fees_due(ticket) <= 0:
            return TapAnswer(text("error.record_not_found"), alert=True)
        if not REPAIRS.allows(ticket, "pay"):
            status = REPAIRS.status_label(ticket)
            return TapAnswer(text("repair.error.state", number=number(ticket), status=status))
        if ticket.details.get("payment"):
            return TapAnswer(text("repair.payment.already", number=number(ticket)), alert=True)
        payment = {"how": how, "by": staff.name, "at": uow.now.isoformat()}
        ticket.details = {**ticket.details, "payment": payment}
        total = money(fees_due(ticket))
        REPAIRS.record(uow, ticket, "payment_recorded", actor.user_id, how=how, total=total)
        on_bill = how == "bill"
        if (task := ticket.details.get(TASK)) is not None:
            name = verbatim(staff.name)
            outcome = (
                text("repair.payment.recorded_bill", name=name)
                if on_bill
                else text("repair.payment.recorded_desk", name=name)
            )
            await uow.outbox.edit(int(task), _task(ticket, outcome))
        await refresh_card(uow, policy, ticket)
        facts = {"number": number(ticket), "total": total}
        said = (
            text("repair.resident.paid_bill", **facts)
            if on_bill
            else text("repair.resident.paid_desk", **facts)
        )
        await REPAIRS.tell_reporter(uow, ticket, message(said))
        return TapAnswer(text("repair.toast.payment_recorded", number=number(ticket)))

    return handler
