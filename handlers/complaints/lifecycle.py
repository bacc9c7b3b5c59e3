"""The complaint lifecycle: the only place a complaint's states are named.

Complaint procedure: triaged by the first staff member (its owner), replied to and resolved within
the severity's deadlines, then called back. Invalid ones are explained to the resident. An unhappy
callback reopens the complaint to the same owner. Replies, routing and the resident's added
information change no state; they are allowed only where the table says.
"""

from __future__ import annotations

from handlers.rules.lifecycle import Lifecycle

_NOT_CLOSED = frozenset({"new", "explaining", "open", "resolved"})

COMPLAINT = Lifecycle(
    name="complaint",
    start="new",
    final=frozenset({"closed", "invalid"}),
    moves={
        ("new", "triage"): "open",
        ("new", "claim_invalid"): "explaining",
        ("explaining", "explain"): "invalid",
        ("open", "resolve"): "resolved",
        ("resolved", "satisfied"): "closed",
        ("resolved", "unsatisfied"): "open",
    },
    stays={
        "reply": frozenset({"open", "resolved"}),
        "route": frozenset({"open"}),
        "add_info": _NOT_CLOSED,
        "survey": frozenset({"resolved"}),
        "plan": frozenset({"new", "open"}),  # a group complaint's plan may come before triage
    },
)

INVALID = COMPLAINT.after(COMPLAINT.after(COMPLAINT.start, "claim_invalid"), "explain")
"""Where a complaint found invalid ends (counted apart in the monthly summary)."""
