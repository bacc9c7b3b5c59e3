"""The chase ladder, stages 1 to 3: the payment notice, the chase notice, the deadline notice.

After every import of finance's list, each unit that owes and has no open case gets one (F-0001)
and its payment notice at once; a case whose unit no longer owes is settled. While the unit still
owes, the chase notice goes `chase_after` past the earliest due date, and the deadline notice
`deadline_after` after that, giving `pay_within` to pay before the late fee runs. Every notice
reads the balance as it is then, so a re-import in between is what the resident reads.

Each notice goes to every resident of the unit registered in the bot, privately, in their
language, with an **I have paid** button, through the broadcast engine (a campaign per notice:
fed to the one outbox behind replies to people, resumable, each delivery counted). A unit none
of whose residents can be written to (nobody registered, or they blocked the bot) becomes a
visit task for the front desk's group.
When the deadline's grace is over the home visits begin (handlers/fees/visits.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from handlers.broadcasts import engine as broadcasts
from handlers.fees.common import (
    CASES,
    CHASE,
    DEADLINE,
    OFFICER_VISIT,
    PAID,
    SWEEP,
    balance_lines,
    money,
    number,
    unit_of,
)
from handlers.fees.policy import FeePolicy
from handlers.messages import TextBody, day, message, text
from handlers.reach import FRONT_DESK, can_message, to_group
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]
ESTATE = "estate"
BROADCASTS = broadcasts.BroadcastPolicy()
"""How notices are fed to the outbox: the broadcast engine's pace, shared with /broadcast."""
NOTICES = ("notice", "chase", "deadline")
"""The steps whose notice the bot sends (stages 1 to 3)."""


async def after_import(uow: UnitOfWork) -> None:
    """An arrears list was imported: the cases follow it as soon as the bot's scheduler runs."""
    pending = await uow.timers.pending_for(ESTATE, uow.estate_id)
    if not any(timer.kind == SWEEP for timer in pending):
        await uow.timers.schedule(SWEEP, uow.now, subject_type=ESTATE, subject_id=uow.estate_id)


async def settle(uow: UnitOfWork, ticket: Ticket, actor: int | None, event: str) -> bool:
    """Close the case (the unit owes nothing now) and stop its ladder."""
    if not await CASES.transition(
        uow, ticket, "settle", actor=actor, event=event, closed_at=uow.now
    ):
        return False
    await CASES.cancel(uow, ticket)
    return True


def sweep(policy: FeePolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """Settle the cases of units that owe nothing now; open one for each unit that owes."""
        open_cases = await uow.tickets.with_statuses(CASES.kind, CASES.lifecycle.open_states)
        owing = set(await uow.arrears.owing_units())
        for ticket in open_cases:
            if ticket.unit_id not in owing:
                await settle(uow, ticket, None, "settled_by_list")
        chased = {ticket.unit_id for ticket in open_cases}
        for unit_id in sorted(owing - chased):
            await _open_case(uow, policy, unit_id)

    return on_timer


async def _open_case(uow: UnitOfWork, policy: FeePolicy, unit_id: int) -> None:
    unit = await uow.people.unit_by_id(unit_id)
    arrears = await uow.arrears.open_of(unit_id)
    if unit is None or not arrears:
        return
    ticket = await uow.tickets.add(
        Ticket(
            kind=CASES.kind,
            number=await uow.tickets.next_number(CASES.kind),
            status=CASES.lifecycle.start,
            unit_id=unit.id,
            department_key=policy.department,
            details={"unit": [unit.building, unit.entrance, unit.room]},
        )
    )
    CASES.record(uow, ticket, "opened", None, owed=money(await uow.arrears.owed_by(unit_id)))
    await notify(uow, policy, ticket, "notice")
    earliest = min(arrear.due_date for arrear in arrears)
    await CASES.schedule(uow, ticket, CHASE, policy.chase_due(earliest, uow.now))


def stage(policy: FeePolicy, step: str) -> TimerHandler:
    """The timer of stage 2 (`chase`) or 3 (`deadline`): the unit still owes, the next notice."""

    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        ticket = await CASES.timer_ticket(uow, timer.subject_id)
        if ticket is None or CASES.lifecycle.is_final(ticket.status):
            return
        if await uow.arrears.owed_by(ticket.unit_id or 0) == 0:
            await settle(uow, ticket, None, "settled_by_list")
            return
        details = dict(ticket.details)
        if step == "deadline":
            details["late_from"] = _local_day(policy, uow.now + policy.pay_within)
        if not await CASES.transition(uow, ticket, step, actor=None, details=details):
            return
        await notify(uow, policy, ticket, step)
        if step == "chase":
            await CASES.schedule(uow, ticket, DEADLINE, uow.now + policy.deadline_after)
        else:  # the late fee runs once the deadline's grace is over: the officer visits
            await CASES.schedule(uow, ticket, OFFICER_VISIT, uow.now + policy.pay_within)

    return on_timer


def _local_day(policy: FeePolicy, moment: datetime) -> str:
    return moment.astimezone(policy.timezone).date().isoformat()


async def notify(uow: UnitOfWork, policy: FeePolicy, ticket: Ticket, step: str) -> None:
    """The step's notice to every registered resident of the unit who can be written to; a
    visit task for the front desk when there is nobody."""
    unit_id = ticket.unit_id or 0
    arrears = await uow.arrears.open_of(unit_id)
    lines: list[TextBody] = [
        text(f"fee.{step}.title", unit=unit_of(ticket)),
        *balance_lines(arrears),
    ]
    if step == "deadline":
        owed = await uow.arrears.owed_by(unit_id)
        lines.append(
            text(
                "fee.deadline.late_fee",
                since=day(ticket.details["late_from"]),
                rate=str(policy.late_fee_percent_per_day),
                per_day=money(policy.late_fee_per_day(owed)),
            )
        )
    lines += [
        text("fee.how_to_pay", how=policy.how_to_pay()),
        text("fee.number", number=number(ticket)),
    ]
    body = message(*lines, buttons=[[PAID.button(text("fee.button.paid"), ticket.id)]])
    residents = [r.telegram_user_id for r in await uow.people.linked_residents_at(unit_id)]
    accounts = await uow.people.telegram_users([r for r in residents if r is not None])
    reachable = [user_id for user_id, account in accounts.items() if can_message(account)]
    if reachable:  # through the broadcast engine: behind replies, resumable, counted
        await broadcasts.start(
            uow,
            BROADCASTS,
            body,
            sorted(reachable),
            kind=f"fee.{step}",
            audience={"case": number(ticket)},
        )
    told = len(reachable)
    CASES.record(uow, ticket, f"{step}_sent", None, residents=told)
    if told == 0:
        CASES.record(uow, ticket, "visit_task", None, step=step)
        await to_group(
            uow,
            FRONT_DESK.groups,
            message(
                text(
                    "fee.visit_task",
                    number=number(ticket),
                    unit=unit_of(ticket),
                    step=text(f"fee.{step}.name"),
                ),
                *balance_lines(arrears),
            ),
        )
