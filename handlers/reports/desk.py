"""The front desk's lighter requests in the reports: inquiries, suggestions and requests for
help recorded in the period, counted by kind (the manual: the front desk summarises what it
received regularly), with how many of those it follows are still open and how they came in.

An estate whose desk records none of them, this period or the one before, gets no section, as
an estate keeping no fee data gets none.
"""

from __future__ import annotations

from collections import Counter

from handlers.desk.common import ANSWERED_AT_ONCE, DESK_REQUESTS, KINDS, kind_of
from handlers.reports.channels import by_channel
from handlers.reports.figures import Figure, Section, SectionProvider
from handlers.reports.period import Period
from storage.uow import UnitOfWork

KEY = "desk"
OPEN = "open"
FIGURES = (*(f"{KEY}.{kind}" for kind in KINDS), f"{KEY}.{OPEN}")


def desk_figures() -> SectionProvider:
    async def section(uow: UnitOfWork, period: Period) -> Section:
        earlier = period.previous()
        tickets = await uow.tickets.created_between(DESK_REQUESTS.kind, earlier.start, period.end)
        now = [t for t in tickets if t.created_at >= period.start]
        if not tickets:
            return Section(key=KEY, figures=())
        counts = Counter(kind_of(t) for t in now)
        followed = [t for t in now if kind_of(t) not in ANSWERED_AT_ONCE]
        still_open = sum(1 for t in followed if not DESK_REQUESTS.lifecycle.is_final(t.status))
        return Section(
            key=KEY,
            figures=(
                *(Figure(f"{KEY}.{kind}", counts[kind]) for kind in KINDS),
                Figure(f"{KEY}.{OPEN}", still_open),
            ),
            breakdowns=(by_channel(now),),
        )

    return section
