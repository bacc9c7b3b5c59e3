"""Each officer's chase list, every morning, and the supervisor's view that hands units over.

The manual has customer-service staff assigned units to chase, each case tracked. Every morning
each officer reads, privately, their units in arrears by step: what is owed, what happened last,
and what is due today (a visit to make, a promised day, a notice going out). `/chase` shows the
same list on demand; a supervisor's shows every unit, each with a button that hands it to
another officer (for this case and later ones).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime, time, timedelta

from handlers.actor import Actor, Invocation, TapAnswer
from handlers.fees.common import (
    ASSISTANT_VISIT,
    CASES,
    CHASE,
    CHASE_LIST,
    DEADLINE,
    HAND_TO,
    OFFICER_VISIT,
    REASSIGN,
    VISIT_AGAIN,
    VISIT_STEPS,
    money,
    number,
    unit_of,
)
from handlers.fees.history import describe
from handlers.fees.ladder import ESTATE, TimerHandler
from handlers.fees.lifecycle import STEPS
from handlers.fees.policy import FeePolicy
from handlers.fees.visits import officer_of, send_task
from handlers.messages import (
    ButtonBody,
    MessageBody,
    TextBody,
    day,
    message,
    moment,
    text,
    verbatim,
)
from handlers.reach import reach
from handlers.roles import OVERSEEING_ROLES
from handlers.tickets import SUBJECT, Acting, TapHandler
from storage.models import Staff, Ticket, Timer
from storage.uow import UnitOfWork

PER_MESSAGE = 24
"""Cases per message: two lines each and a row of buttons per three stay within Telegram's
4,096 characters and its keyboard size."""
SUPERVISORS_ONLY = text("fee.error.supervisors_only")
DUE_TODAY = {
    CHASE: text("fee.list.due.chase"),
    DEADLINE: text("fee.list.due.deadline"),
    OFFICER_VISIT: text("fee.list.due.officer_visit"),
    ASSISTANT_VISIT: text("fee.list.due.assistant_visit"),
    VISIT_AGAIN: text("fee.list.due.visit_again"),
}
"""What a ladder timer due today means for the officer reading the list."""


async def schedule_next(uow: UnitOfWork, policy: FeePolicy) -> None:
    """Tomorrow's (or today's, if not yet) chase lists, unless already planned."""
    pending = await uow.timers.pending_for(ESTATE, uow.estate_id)
    if not any(timer.kind == CHASE_LIST for timer in pending):
        due = policy.next_daily(policy.chase_list_at, uow.now)
        await uow.timers.schedule(CHASE_LIST, due, subject_type=ESTATE, subject_id=uow.estate_id)


def holder(policy: FeePolicy, overrides: dict[int, int], ticket: Ticket) -> int | None:
    """Whose list a case is on: the visitor during a visit, else the unit's officer."""
    if ticket.status in VISIT_STEPS:
        return ticket.assignee_user_id
    return officer_of(policy, overrides, ticket)


def daily(policy: FeePolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """Every officer with units in arrears gets their list; then tomorrow's is planned."""
        await schedule_next(uow, policy)
        overrides = await uow.arrears.officer_overrides()
        lists: dict[int, list[Ticket]] = defaultdict(list)
        for ticket in await open_cases(uow):
            person = holder(policy, overrides, ticket)
            if person is not None:
                lists[person].append(ticket)
        for person, tickets in sorted(lists.items()):
            for body in await chase_list(uow, policy, tickets, reassign=False):
                await reach(uow, person, body)

    return on_timer


async def open_cases(uow: UnitOfWork) -> list[Ticket]:
    tickets = await uow.tickets.with_statuses(CASES.kind, CASES.lifecycle.open_states)
    return sorted(tickets, key=lambda t: t.number)


async def chase_list(
    uow: UnitOfWork, policy: FeePolicy, tickets: list[Ticket], *, reassign: bool
) -> list[MessageBody]:
    """The list in messages of `PER_MESSAGE` cases, by step in ladder order; with a hand-over
    button per case for a supervisor."""
    today = policy.local_day(uow.now)
    ordered = sorted(tickets, key=lambda t: (STEPS.index(t.status), t.number))
    bodies: list[MessageBody] = []
    for start in range(0, len(ordered), PER_MESSAGE):
        part = ordered[start : start + PER_MESSAGE]
        lines: list[TextBody] = [
            text("fee.list.title", date=day(today.isoformat()), count=len(ordered))
        ]
        step = None
        for ticket in part:
            if ticket.status != step:
                step = ticket.status
                count = sum(1 for t in ordered if t.status == step)
                lines.append(text("fee.list.step", step=text(f"fee.{step}.name"), count=count))
            lines += await _case_lines(uow, policy, ticket, today)
        buttons: list[list[ButtonBody]] = []
        if reassign:
            row_buttons = [
                REASSIGN.button(text("fee.button.reassign", number=number(t)), t.id) for t in part
            ]
            buttons = [row_buttons[i : i + 3] for i in range(0, len(row_buttons), 3)]
        bodies.append(message(*lines, buttons=buttons) if buttons else message(*lines))
    return bodies


async def _case_lines(
    uow: UnitOfWork, policy: FeePolicy, ticket: Ticket, today: date
) -> list[TextBody]:
    owed = await uow.arrears.owed_by(ticket.unit_id or 0)
    lines: list[TextBody] = [
        text("fee.list.case", number=number(ticket), unit=unit_of(ticket), owed=money(owed))
    ]
    events = await uow.events.for_subject(SUBJECT, ticket.id)
    last = next(((event.at, said) for event in reversed(events) if (said := describe(event))), None)
    if last is not None:
        lines.append(text("fee.list.last", at=moment(last[0]), what=last[1]))
    for due in await _due_today(uow, policy, ticket, today, [e.action for e in events]):
        lines.append(due)
    return lines


async def _due_today(
    uow: UnitOfWork, policy: FeePolicy, ticket: Ticket, today: date, actions: list[str]
) -> list[TextBody]:
    """What the holder has to do, or will see happen, today."""
    due: list[TextBody] = []
    if ticket.status in VISIT_STEPS and _visit_open(actions):
        due.append(text("fee.list.due.visit"))
    promised = ticket.details.get("promised")
    if promised and date.fromisoformat(promised) <= today:
        due.append(text("fee.list.due.promised", date=day(promised)))
    end_of_day = datetime.combine(today + timedelta(days=1), time(0), policy.timezone)
    for timer in await uow.timers.pending_for(SUBJECT, ticket.id):
        if timer.due_at < end_of_day and timer.kind in DUE_TODAY:
            due.append(DUE_TODAY[timer.kind])
    return due


def _visit_open(actions: Iterable[str]) -> bool:
    """Whether the latest visit task (or its comeback) has no outcome recorded yet."""
    for action in reversed(list(actions)):
        if action == "fee.visit_recorded":
            return False
        if action in {"fee.visit_assigned", "fee.promise_passed"}:
            return True
    return False


def command(policy: FeePolicy) -> Callable[[UnitOfWork, Actor, Invocation], Awaitable[None]]:
    async def run(uow: UnitOfWork, actor: Actor, call: Invocation) -> None:
        """/chase: an officer's own list; a supervisor's of every unit, with hand-over buttons."""
        staff = await uow.people.staff_member(actor.user_id)
        if staff is None:
            await uow.outbox.send(actor.chat_id, message(text("fee.error.staff_only")))
            return
        tickets = await open_cases(uow)
        overseeing = staff.role in OVERSEEING_ROLES
        if not overseeing:
            overrides = await uow.arrears.officer_overrides()
            tickets = [t for t in tickets if holder(policy, overrides, t) == actor.user_id]
        if not tickets:
            await uow.outbox.send(actor.chat_id, message(text("fee.list.empty")))
            return
        for body in await chase_list(uow, policy, tickets, reassign=overseeing):
            await uow.outbox.send(actor.chat_id, body)

    return run


async def candidates(uow: UnitOfWork, policy: FeePolicy) -> list[Staff]:
    """Who may chase units: customer-service staff, and anyone the config names as officer."""
    named = {*policy.officers.values(), *([policy.assistant] if policy.assistant else [])}
    staff = await uow.people.staff_with_roles({"front_desk", "supervisor", "admin", "finance"})
    return [s for s in staff if s.role == "front_desk" or s.telegram_user_id in named]


def reassign(policy: FeePolicy) -> TapHandler:
    @CASES.staff_action(refusal=SUPERVISORS_ONLY, roles=OVERSEEING_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """A supervisor chose a unit to hand over: the officers to choose from, privately."""
        ticket = acting.ticket
        if CASES.lifecycle.is_final(ticket.status):
            return TapAnswer(text("fee.toast.already_settled"), alert=True)
        officers = await candidates(uow, policy)
        buttons = [
            [HAND_TO.button(verbatim(s.name), ticket.id, s.telegram_user_id)] for s in officers
        ]
        body = message(
            text("fee.reassign.choose", number=number(ticket), unit=unit_of(ticket)),
            buttons=buttons,
        )
        await uow.outbox.send(actor.user_id, body)
        return TapAnswer(text("fee.toast.choose_officer"))

    return handler


def hand_to(policy: FeePolicy) -> TapHandler:
    @CASES.staff_action(refusal=SUPERVISORS_ONLY, roles=OVERSEEING_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting, officer: int) -> TapAnswer:
        """The unit is the chosen officer's from now on; a visit in hand goes to them."""
        ticket = acting.ticket
        if CASES.lifecycle.is_final(ticket.status):
            return TapAnswer(text("fee.toast.already_settled"), alert=True)
        chosen = await uow.people.staff_member(officer)
        if chosen is None or chosen not in await candidates(uow, policy):
            return TapAnswer(text("error.record_not_found"), alert=True)
        await uow.arrears.hand_to(ticket.unit_id or 0, officer, actor.user_id)
        CASES.record(uow, ticket, "reassigned", actor.user_id, to=chosen.name)
        if ticket.status == "officer_visit":
            ticket.assignee_user_id = officer
            await send_task(uow, policy, ticket)
        else:
            said = message(
                text("fee.reassign.yours", number=number(ticket), unit=unit_of(ticket)),
            )
            await reach(uow, officer, said)
        return TapAnswer(
            text("fee.toast.handed", number=number(ticket), name=verbatim(chosen.name))
        )

    return handler
