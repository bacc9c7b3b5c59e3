"""The release slips' figures: slips issued, goods released, and goods turned back at the gate.

Counted from the slips' history in the period, as the daily reconciliation counts them: a slip
issued on Friday and used on Monday is issued in one week and released in the next.
"""

from __future__ import annotations

from handlers.reports.figures import Figure, Section, SectionProvider
from handlers.reports.period import Period
from handlers.slips.common import SLIPS
from storage.uow import UnitOfWork

KEY = "slips"
COUNTED = {
    "approved": "issued",
    "released": "released",
    "turned_back": "mismatches",
    "expired": "expired",
}
"""The history's events the section counts, and the figure each one adds to."""
FIGURES = tuple(f"{KEY}.{name}" for name in COUNTED.values())


def slip_figures() -> SectionProvider:
    async def section(uow: UnitOfWork, period: Period) -> Section:
        events = await uow.events.between(
            [f"{SLIPS.kind}.{event}" for event in COUNTED], period.start, period.end
        )
        counts = dict.fromkeys(COUNTED.values(), 0)
        for event in events:
            counts[COUNTED[event.action.removeprefix(f"{SLIPS.kind}.")]] += 1
        return Section(
            key=KEY,
            figures=tuple(Figure(f"{KEY}.{name}", count) for name, count in counts.items()),
            trend=(f"{KEY}.issued",),
        )

    return section
