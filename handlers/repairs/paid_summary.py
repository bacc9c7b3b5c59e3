"""The monthly summary of paid services for finance (the manual: by the 25th).

Finance produces the monthly bills, so it needs, once a month, what the paid work of the month
came to and how each job's fees were settled: paid at the front desk, added to the monthly bill
(finance puts these on the unit's bill), or still unpaid. The summary covers the jobs done since
the last summary (the same day and hour a month earlier), each counted once however often it was
redone, as its fees and payment stand at the moment of the summary. It goes to the finance
department's group (`[fees] department`), the front desk's when finance has none, as a timer row
kept one pending, so a summary missed while the bot was down goes out when it is back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal

from handlers.config import FRONT_DESK
from handlers.messages import MessageBody, TextBody, day, message, text
from handlers.reach import to_group
from handlers.repairs.common import (
    PAID_HOW,
    PAID_SUMMARY,
    REPAIRS,
    fees_due,
    money,
    number,
    place_label,
)
from handlers.repairs.digest import plan_once
from handlers.repairs.policy import RepairPolicy
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

LISTED = 20
"""Jobs named one by one (those finance still acts on); with the totals, within 4,096 chars."""
UNPAID = "unpaid"


async def schedule_next(uow: UnitOfWork, policy: RepairPolicy) -> None:
    """The next summary, unless one is already planned."""
    await plan_once(uow, PAID_SUMMARY, policy.next_paid_summary(uow.now))


def monthly(policy: RepairPolicy) -> Callable[[UnitOfWork, Timer], Awaitable[None]]:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """This month's summary to finance's group; then the next one is planned."""
        await schedule_next(uow, policy)
        end = policy.last_paid_summary(uow.now)
        start = policy.last_paid_summary(end - timedelta(seconds=1))
        body = await summary(uow, policy, await paid_jobs(uow, start, end), start, end)
        await to_group(uow, (policy.finance_department, FRONT_DESK), body)

    return on_timer


async def paid_jobs(uow: UnitOfWork, start: datetime, end: datetime) -> list[Ticket]:
    """The jobs done with fees in [start, end), oldest number first."""
    done = await uow.events.between([f"{REPAIRS.kind}.done"], start, end)
    tickets = await uow.tickets.many(REPAIRS.kind, (e.subject_id for e in done))
    return [t for t in tickets if fees_due(t) > 0]


def _total(jobs: list[Ticket]) -> Decimal:
    return sum((fees_due(t) for t in jobs), Decimal(0))


def settled(ticket: Ticket) -> str:
    """How the job's fees stand: "desk", "bill" or "unpaid"."""
    payment = ticket.details.get("payment")
    return str(payment["how"]) if isinstance(payment, dict) else UNPAID


async def summary(
    uow: UnitOfWork, policy: RepairPolicy, jobs: list[Ticket], start: datetime, end: datetime
) -> MessageBody:
    """Totals (jobs, labour, materials), by how they were settled, then the jobs on the bill
    and the unpaid ones by name."""
    zone = policy.timezone
    since = day(start.astimezone(zone).date().isoformat())
    until = day(end.astimezone(zone).date().isoformat())
    if not jobs:
        return message(text("repair.paid_summary.empty", start=since, end=until))
    labour = sum((Decimal(t.details.get("labour_fee") or 0) for t in jobs), Decimal(0))
    material = sum((Decimal(t.details.get("material_fee") or 0) for t in jobs), Decimal(0))
    lines: list[TextBody] = [
        text("repair.paid_summary.title", start=since, end=until),
        text(
            "repair.paid_summary.totals",
            jobs=len(jobs),
            labour=money(labour),
            material=money(material),
            total=money(labour + material),
        ),
    ]
    by_how = {how: [t for t in jobs if settled(t) == how] for how in (*PAID_HOW, UNPAID)}
    counted = {how: (len(g), money(_total(g))) for how, g in by_how.items()}
    lines += [
        text("repair.paid_summary.desk", jobs=counted["desk"][0], total=counted["desk"][1]),
        text("repair.paid_summary.bill", jobs=counted["bill"][0], total=counted["bill"][1]),
        text("repair.paid_summary.unpaid", jobs=counted[UNPAID][0], total=counted[UNPAID][1]),
    ]
    named = by_how["bill"] + by_how[UNPAID]
    for ticket in named[:LISTED]:
        facts = {
            "number": number(ticket),
            "place": place_label(ticket),
            "total": money(fees_due(ticket)),
        }
        if settled(ticket) == "bill":
            lines.append(text("repair.paid_summary.item_bill", **facts))
        else:
            lines.append(text("repair.paid_summary.item_unpaid", **facts))
    if len(named) > LISTED:
        lines.append(text("repair.paid_summary.more", count=len(named) - LISTED))
    return message(*lines)
