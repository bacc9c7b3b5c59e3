"""The fees' figures: how much of the estate is paid up per fee type, against the manual's
targets (utilities and paid services 100%, management fee 95% or more), and what was collected.

The bot knows finance's arrears list, not every bill: a unit is paid up for a fee type when it
has nothing overdue of it at the period's end (the same rule as the weekly collection report,
handlers/fees/collection.py). A balance counts as open at a moment when it was on the list by
then and not yet settled; its amount is the latest the list gave.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from handlers.fees.collection import FULL, TARGETS
from handlers.fees.types import FEE_TYPES
from handlers.messages import verbatim
from handlers.reports.figures import Breakdown, Figure, Section, SectionProvider, share
from handlers.reports.period import Period
from storage.models import Arrear
from storage.uow import UnitOfWork

KEY = "fees"
FIGURES = (
    *(f"{KEY}.paid_up.{fee}" for fee in FEE_TYPES),
    f"{KEY}.units_owing",
    f"{KEY}.collected",
)


def _open_at(arrear: Arrear, moment: datetime) -> bool:
    return arrear.created_at <= moment and (arrear.settled_at is None or arrear.settled_at > moment)


def fee_figures() -> SectionProvider:
    async def section(uow: UnitOfWork, period: Period) -> Section:
        moment = min(period.end, uow.now)
        day = moment.astimezone(period.zone).date()
        arrears = await uow.arrears.all()
        if not arrears:  # an estate that keeps no fee data in the bot: nothing to report
            return Section(key=KEY, figures=())
        units = await uow.people.units()
        building_of = {unit.id: unit.building for unit in units}
        overdue = [a for a in arrears if _open_at(a, moment) and a.due_date < day and a.amount > 0]
        billed = [fee for fee in FEE_TYPES if any(a.fee_type == fee for a in arrears)]
        figures = [
            Figure(
                f"{KEY}.paid_up.{fee}",
                share(
                    len(units) - len({a.unit_id for a in overdue if a.fee_type == fee}), len(units)
                ),
                "percent",
                target=float(TARGETS.get(fee, FULL)),
            )
            for fee in billed
        ]
        owing = {a.unit_id for a in overdue}
        collected = [
            a
            for a in arrears
            if a.settled_at is not None and period.start <= a.settled_at < period.end
        ]
        figures += [
            Figure(f"{KEY}.units_owing", len(owing), higher_is_better=False),
            Figure(f"{KEY}.collected", len(collected)),
        ]
        by_building = Counter(building_of.get(unit_id, "?") for unit_id in owing)
        return Section(
            key=KEY,
            figures=tuple(figures),
            breakdowns=(
                Breakdown(
                    "units_owing_by_building",
                    tuple((verbatim(b), n) for b, n in by_building.most_common()),
                ),
            )
            if by_building
            else (),
            # A count, like the other sections' trend lines on the same axis (the rates are the
            # KPI bars): a 100% line drawn among counts of a few requests flattened them to zero.
            trend=(f"{KEY}.units_owing",),
        )

    return section
