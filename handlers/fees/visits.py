"""Stages 4 to 6 of the chase ladder: the officer's home visit, the assistant's, the director.

The manual: once the deadline notice's grace has run out and the unit still owes, the officer
who chases its building visits (asks why, apologises for any service failing, hears the resident
out); if the unit still owes after that, the customer-service assistant visits and explains the
consequences; then the customer-service centre and the office director decide together.

A visit is a task in the visitor's private chat: the unit, who lives there with their phones
(only the visitor reads those; a group that gets the task in their place does not), the amounts
and the case's history, and a button to record how it went: promised to pay by a day, paid
(finance still confirms, as for a resident's "I have paid"), refused with the reason, or not at
home. The assistant's visit comes `assistant_visit_after` the officer's task, or the day after a
promised day, whichever is later; a refusal moves the case on at once, and a refusal at the
assistant's visit goes to the managers' group (the director's step). Every step is in the
case's history.
"""

from __future__ import annotations

from datetime import date, timedelta

from handlers.actor import Actor, TapAnswer
from handlers.config import StaffRole
from handlers.fees.common import (
    ASSISTANT_VISIT,
    CASES,
    OFFICER_VISIT,
    RECORD_VISIT,
    VISIT_AGAIN,
    VISIT_FORM,
    VISIT_STEPS,
    balance_lines,
    number,
    unit_of,
)
from handlers.fees.history import history_lines
from handlers.fees.ladder import TimerHandler, settle
from handlers.fees.paid import ask_finance
from handlers.fees.policy import FeePolicy
from handlers.forms import Answers, Hook, Outcome
from handlers.messages import MessageBody, TextBody, day, message, text, verbatim
from handlers.reach import FRONT_DESK, Fallback, reach, to_group
from handlers.roles import FRONT_DESK_ROLES, OVERSEEING_ROLES
from handlers.tickets import Acting, TapHandler
from storage.models import Staff, Ticket, Timer
from storage.uow import UnitOfWork

ANY_STAFF = frozenset(role.value for role in StaffRole)
NOT_YOURS = text("fee.error.not_your_visit")
OUTCOMES = ("promised", "paid", "refused", "not_home")


def officer_of(policy: FeePolicy, overrides: dict[int, int], ticket: Ticket) -> int | None:
    """Who chases the case's unit: the officer a supervisor handed it to, else its building's."""
    if ticket.unit_id in overrides:
        return overrides[ticket.unit_id]
    building = (ticket.details.get("unit") or ["?"])[0]
    return policy.officers.get(str(building))


def may_record(staff: Staff, ticket: Ticket) -> TapAnswer | None:
    """The visitor the task went to records it, or a supervisor; the front desk when the task
    went to its group because the case has no visitor."""
    if staff.role in OVERSEEING_ROLES or staff.telegram_user_id == ticket.assignee_user_id:
        return None
    if ticket.assignee_user_id is None and staff.role in FRONT_DESK_ROLES:
        return None
    return TapAnswer(NOT_YOURS, alert=True)


async def _still_owed(uow: UnitOfWork, ticket: Ticket | None) -> Ticket | None:
    """The case, if it is open and its unit still owes; settled here if it no longer does."""
    if ticket is None or CASES.lifecycle.is_final(ticket.status):
        return None
    if await uow.arrears.owed_by(ticket.unit_id or 0) == 0:
        await settle(uow, ticket, None, "settled_by_list")
        return None
    return ticket


def officer_visit(policy: FeePolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """Stage 4: the late fee runs and the unit still owes; its officer visits."""
        ticket = await _still_owed(uow, await CASES.timer_ticket(uow, timer.subject_id))
        if ticket is None:
            return
        officer = officer_of(policy, await uow.arrears.officer_overrides(), ticket)
        if await _visit(uow, policy, ticket, "officer_visit", officer):
            due = uow.now + policy.assistant_visit_after
            await CASES.schedule(uow, ticket, ASSISTANT_VISIT, due)

    return on_timer


def assistant_visit(policy: FeePolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """Stage 5: still owed after the officer's visit (and after any day promised there)."""
        ticket = await _still_owed(uow, await CASES.timer_ticket(uow, timer.subject_id))
        if ticket is None or ticket.status != "officer_visit":
            return
        promised = _promised(ticket)
        if promised is not None and promised >= policy.local_day(uow.now):
            due = policy.at_send_time(promised + timedelta(days=1))
            await CASES.schedule(uow, ticket, ASSISTANT_VISIT, due)
            return
        await _visit(uow, policy, ticket, "assistant_visit", policy.assistant)

    return on_timer


def visit_again(policy: FeePolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """The day promised at the assistant's visit passed and the unit still owes: the task
        comes back to the assistant."""
        ticket = await _still_owed(uow, await CASES.timer_ticket(uow, timer.subject_id))
        if ticket is None or ticket.status != "assistant_visit":
            return
        CASES.record(uow, ticket, "promise_passed", None, promised=ticket.details.get("promised"))
        await send_task(uow, policy, ticket)

    return on_timer


def _promised(ticket: Ticket) -> date | None:
    promised = ticket.details.get("promised")
    return date.fromisoformat(promised) if promised else None


async def _visit(
    uow: UnitOfWork, policy: FeePolicy, ticket: Ticket, step: str, visitor: int | None
) -> bool:
    """Move the case to a visit step and give the visitor the task."""
    details = dict(ticket.details)
    details.pop("promised", None)
    staff = await uow.people.staff_member(visitor) if visitor is not None else None
    if not await CASES.transition(
        uow,
        ticket,
        step,
        actor=None,
        event="visit_assigned",
        data={"step": step, "to": staff.name if staff else None},
        assignee_user_id=staff.telegram_user_id if staff else None,
        details=details,
    ):
        return False
    await send_task(uow, policy, ticket)
    return True


async def send_task(uow: UnitOfWork, policy: FeePolicy, ticket: Ticket) -> None:
    """The visit task to the visitor privately; to the front desk's group, without the
    residents' phones, when there is no visitor or the bot cannot write to them."""
    in_group = await task_body(uow, ticket, phones=False)
    if ticket.assignee_user_id is None:
        await to_group(uow, FRONT_DESK.groups, in_group)
        return
    private = await task_body(uow, ticket, phones=True)
    await reach(uow, ticket.assignee_user_id, private, Fallback(FRONT_DESK.groups, in_group))


async def task_body(uow: UnitOfWork, ticket: Ticket, *, phones: bool) -> MessageBody:
    unit_id = ticket.unit_id or 0
    lines: list[TextBody] = [
        text(
            "fee.visit.title",
            number=number(ticket),
            unit=unit_of(ticket),
            step=text(f"fee.{ticket.status}.name"),
        ),
        text(f"fee.visit.{ticket.status}.what"),
    ]
    if phones:
        for resident in await uow.people.residents_at(unit_id):
            lines.append(
                text("fee.visit.resident", name=verbatim(resident.name), phone=resident.phone)
            )
    promised = _promised(ticket)
    if promised is not None:
        lines.append(text("fee.visit.promised", date=day(promised.isoformat())))
    lines += balance_lines(await uow.arrears.open_of(unit_id))
    lines.append(text("fee.history.title"))
    lines += await history_lines(uow, ticket)
    return message(*lines, buttons=[[RECORD_VISIT.button(text("fee.button.record"), ticket.id)]])


def open_record(policy: FeePolicy) -> TapHandler:
    @CASES.staff_action(refusal=NOT_YOURS, roles=ANY_STAFF, may=may_record)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Record the visit: a private form (outcome, then the day or the reason)."""
        ticket = acting.ticket
        if ticket.status not in VISIT_STEPS:
            return _no_visit(ticket)
        return await CASES.open_form(
            uow, actor, VISIT_FORM, ticket, text("fee.toast.record", number=number(ticket))
        )

    return handler


def _no_visit(ticket: Ticket) -> TapAnswer:
    return TapAnswer(
        text("fee.error.no_visit", number=number(ticket), status=CASES.status_label(ticket)),
        alert=True,
    )


def recorded(policy: FeePolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """How the visit went: into the history, and the case moves on as the answer says."""
        acting = await CASES.form_staff(uow, actor, answers, roles=ANY_STAFF, refusal=NOT_YOURS)
        if acting is None:
            return Outcome.FINISH
        ticket, staff = acting.ticket, acting.staff
        refused = may_record(staff, ticket)
        if ticket.status not in VISIT_STEPS:
            refused = _no_visit(ticket)
        if refused is not None:
            await uow.outbox.send(actor.chat_id, message(refused.text))
            return Outcome.FINISH
        outcome, step = str(answers["outcome"]), ticket.status
        data = {"step": step, "outcome": outcome, "by": staff.name}
        if outcome == "promised":
            data["promised"] = str(answers["promised"])
        if outcome == "refused":
            data["reason"] = str(answers["reason"])
        CASES.record(uow, ticket, "visit_recorded", actor.user_id, **data)
        if outcome == "paid":
            await ask_finance(uow, policy, ticket, actor.user_id, staff.name)
        elif outcome == "promised":
            await _promise(uow, policy, ticket, date.fromisoformat(data["promised"]))
        elif outcome == "refused":
            await _refusal(uow, policy, ticket, data["reason"])
        await uow.outbox.send(
            actor.chat_id,
            message(text(f"fee.visit.recorded.{outcome}", number=number(ticket))),
        )
        return Outcome.FINISH

    return hook


async def _promise(uow: UnitOfWork, policy: FeePolicy, ticket: Ticket, by: date) -> None:
    """The resident promised to pay by `by`: no next visit before the day after it."""
    details = dict(ticket.details)
    details["promised"] = by.isoformat()
    ticket.details = details
    if ticket.status == "assistant_visit":
        await CASES.cancel(uow, ticket, VISIT_AGAIN)
        await CASES.schedule(uow, ticket, VISIT_AGAIN, policy.at_send_time(by + timedelta(days=1)))


async def _refusal(uow: UnitOfWork, policy: FeePolicy, ticket: Ticket, reason: str) -> None:
    """A refusal at the officer's visit brings the assistant at once; at the assistant's, the
    case goes to the customer-service centre and the director (the managers' group)."""
    if ticket.status == "officer_visit":
        await CASES.cancel(uow, ticket, ASSISTANT_VISIT)
        await _visit(uow, policy, ticket, "assistant_visit", policy.assistant)
        return
    if not await CASES.transition(uow, ticket, "director", actor=None, event="to_director"):
        return
    await CASES.cancel(uow, ticket, VISIT_AGAIN, OFFICER_VISIT)
    body = message(
        text("fee.director.title", number=number(ticket), unit=unit_of(ticket)),
        text("fee.director.reason", reason=verbatim(reason)),
        *balance_lines(await uow.arrears.open_of(ticket.unit_id or 0)),
        text("fee.history.title"),
        *await history_lines(uow, ticket),
    )
    await to_group(uow, ("managers", *FRONT_DESK.groups), body)
