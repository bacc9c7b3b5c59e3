"""How requests came in: the share the front desk and the patrols recorded on someone's behalf.

The manual has the front desk write down what residents phone in or bring to the counter and the
building officers turn what they find on patrol into requests; the weekly count of requests the
front desk reports includes them. Repairs and complaints both add this figure and breakdown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from handlers.behalf import CHANNELS, CHAT, channel_label
from handlers.reports.figures import Breakdown, Figure
from storage.models import Ticket

RECORDED = "recorded"
"""The figure's name within a section: `<section>.recorded`."""


def recorded_figure(prefix: str, tickets: Sequence[Ticket]) -> Figure:
    """How many of the period's requests staff recorded on someone's behalf."""
    return Figure(f"{prefix}.{RECORDED}", sum(1 for t in tickets if t.channel != CHAT))


def by_channel(tickets: Sequence[Ticket]) -> Breakdown:
    """The period's requests by how they came in, in a fixed order (chat first), none left out
    as zero."""
    counts = Counter(t.channel for t in tickets)
    return Breakdown(
        "by_channel",
        tuple((channel_label(c), counts[c]) for c in (CHAT, *CHANNELS) if counts[c]),
    )
