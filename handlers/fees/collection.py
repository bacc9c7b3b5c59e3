"""The weekly collection report: how much of what is billed is paid, against the manual's
targets, for the supervisors.

The manual counts collection against targets: utilities and paid services 100% collected,
management fee 95% or more. The bot knows finance's arrears list, not every bill, so the rate
is the share of the estate's units on record with nothing overdue of that fee type (a balance
not yet due is not counted as uncollected). Amounts outstanding are the list's exact open
balances. The figures are computed here, apart from their message, so other reports can read
them too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from handlers.fees.common import CASES, COLLECTION_REPORT, money
from handlers.fees.ladder import ESTATE, TimerHandler
from handlers.fees.lifecycle import STEPS
from handlers.fees.policy import FeePolicy
from handlers.fees.types import FEE_TYPES
from handlers.messages import MessageBody, TextBody, day, message, text, verbatim
from handlers.reach import reach, to_group
from handlers.roles import MANAGEMENT_ROLES
from storage.models import Timer
from storage.uow import UnitOfWork

TARGETS = {"management": Decimal(95)}
"""Percent collected the manual asks for; every other fee type: 100."""
FULL = Decimal(100)
PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class Rate:
    """Units paid up of units on record, as a percent, against a target."""

    paid_up: int
    units: int
    target: Decimal
    outstanding: Decimal

    @property
    def percent(self) -> Decimal:
        if self.units == 0:
            return FULL
        return (Decimal(self.paid_up) * 100 / self.units).quantize(PERCENT)

    @property
    def met(self) -> bool:
        return self.percent >= self.target


@dataclass(frozen=True)
class CollectionFigures:
    today: date
    week_start: date
    by_fee_type: dict[str, Rate]
    by_building: dict[str, Rate]
    cases_by_step: dict[str, int]
    collected_balances: int
    collected_amount: Decimal
    outstanding: Decimal


def _building_order(name: str) -> tuple[int, str]:
    return (int(name), name) if name.isdigit() else (10**9, name)


async def collection_figures(
    uow: UnitOfWork, policy: FeePolicy, since: datetime
) -> CollectionFigures:
    """The estate's collection as of now, and what was collected since `since`."""
    today = policy.local_day(uow.now)
    units = await uow.people.units()
    building_of = {unit.id: unit.building for unit in units}
    arrears = await uow.arrears.since(since)
    open_ = [a for a in arrears if a.settled_at is None]
    overdue = [a for a in open_ if a.due_date < today and a.amount > 0]
    collected = [a for a in arrears if a.settled_at is not None]

    fee_types = [key for key in FEE_TYPES if any(a.fee_type == key for a in arrears)]
    by_fee_type: dict[str, Rate] = {}
    for key in fee_types:
        owing = {a.unit_id for a in overdue if a.fee_type == key}
        by_fee_type[key] = Rate(
            paid_up=len(units) - len(owing),
            units=len(units),
            target=TARGETS.get(key, FULL),
            outstanding=sum((a.amount for a in open_ if a.fee_type == key), Decimal(0)),
        )

    units_in: Counter[str] = Counter(building_of.values())
    owing_in: dict[str, set[int]] = defaultdict(set)
    outstanding_in: dict[str, Decimal] = defaultdict(Decimal)
    for arrear in overdue:
        owing_in[building_of.get(arrear.unit_id, "?")].add(arrear.unit_id)
    for arrear in open_:
        outstanding_in[building_of.get(arrear.unit_id, "?")] += arrear.amount
    by_building = {
        building: Rate(
            paid_up=units_in[building] - len(owing_in[building]),
            units=units_in[building],
            target=min((TARGETS.get(k, FULL) for k in fee_types), default=FULL),
            outstanding=outstanding_in[building],
        )
        for building in sorted(units_in, key=_building_order)
        if outstanding_in[building] or owing_in[building]
    }

    cases = await uow.tickets.with_statuses(CASES.kind, CASES.lifecycle.open_states)
    steps = Counter(ticket.status for ticket in cases)
    return CollectionFigures(
        today=today,
        week_start=policy.local_day(since),
        by_fee_type=by_fee_type,
        by_building=by_building,
        cases_by_step={step: steps[step] for step in STEPS},
        collected_balances=len(collected),
        collected_amount=sum((a.amount for a in collected), Decimal(0)),
        outstanding=sum((a.amount for a in open_), Decimal(0)),
    )


def report_body(figures: CollectionFigures) -> MessageBody:
    lines: list[TextBody] = [
        text(
            "fee.report.title",
            start=day(figures.week_start.isoformat()),
            today=day(figures.today.isoformat()),
        ),
        text("fee.report.by_fee_type"),
    ]
    for key, rate in figures.by_fee_type.items():
        lines.append(
            text(
                "fee.report.fee_type",
                mark="✅" if rate.met else "❌",
                fee=text(f"fee.type.{key}"),
                percent=str(rate.percent),
                target=str(rate.target),
                outstanding=money(rate.outstanding),
            )
        )
    if figures.by_building:
        lines.append(text("fee.report.by_building"))
    for building, rate in figures.by_building.items():
        lines.append(
            text(
                "fee.report.building",
                building=verbatim(building),
                paid_up=rate.paid_up,
                count=rate.units,
                percent=str(rate.percent),
                outstanding=money(rate.outstanding),
            )
        )
    lines.append(text("fee.report.by_step"))
    lines += [
        text("fee.report.step", step=text(f"fee.{step}.name"), count=count)
        for step, count in figures.cases_by_step.items()
    ]
    lines.append(
        text(
            "fee.report.collected",
            count=figures.collected_balances,
            amount=money(figures.collected_amount),
        )
    )
    lines.append(text("fee.report.outstanding", amount=money(figures.outstanding)))
    return message(*lines)


async def schedule_next(uow: UnitOfWork, policy: FeePolicy) -> None:
    pending = await uow.timers.pending_for(ESTATE, uow.estate_id)
    if not any(timer.kind == COLLECTION_REPORT for timer in pending):
        await uow.timers.schedule(
            COLLECTION_REPORT,
            policy.next_report(uow.now),
            subject_type=ESTATE,
            subject_id=uow.estate_id,
        )


def weekly(policy: FeePolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """The week's report to each supervisor privately; to the managers' group (the front
        desk's when there is none) if no supervisor can be written to. Estates without an
        arrears list get none."""
        await schedule_next(uow, policy)
        if not await uow.arrears.ever_imported():
            return
        figures = await collection_figures(uow, policy, uow.now - timedelta(days=7))
        body = report_body(figures)
        told = 0
        for member in await uow.people.staff_with_roles(set(MANAGEMENT_ROLES)):
            told += await reach(uow, member.telegram_user_id, body)
        if told == 0:
            await to_group(uow, ("managers", "front_desk"), body)

    return on_timer
