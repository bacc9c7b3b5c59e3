"""The release-slip lifecycle: the only place a slip's states are named.

Booked (requested) -> approved by the front desk (the resident gets the slip and its QR code) ->
released at the gate. The front desk may reject a request; the resident may cancel before the
slip is used; a slip not used by the end of its window expires; goods that do not match the slip
are turned back to the front desk, and that slip is spent.
"""

from __future__ import annotations

from handlers.rules.lifecycle import Lifecycle

SLIP = Lifecycle(
    name="slip",
    start="requested",
    final=frozenset({"released", "rejected", "cancelled", "expired", "turned_back"}),
    moves={
        ("requested", "approve"): "approved",
        ("requested", "reject"): "rejected",
        ("requested", "cancel"): "cancelled",
        ("requested", "expire"): "expired",
        ("approved", "release"): "released",
        ("approved", "turn_back"): "turned_back",
        ("approved", "cancel"): "cancelled",
        ("approved", "expire"): "expired",
    },
    stays={"check": frozenset({"approved"})},
)

ISSUED = SLIP.after(SLIP.start, "approve")
RELEASED = SLIP.after(ISSUED, "release")
EXPIRED = SLIP.after(ISSUED, "expire")
TURNED_BACK = SLIP.after(ISSUED, "turn_back")
"""The states the daily reconciliation counts."""
