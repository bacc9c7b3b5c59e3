"""Who may do what, by role: named once, read by every feature's permission checks."""

from __future__ import annotations

OVERSEEING_ROLES = frozenset({"supervisor", "admin"})
"""May act on any ticket of any department or owner."""
FRONT_DESK_ROLES = frozenset({"front_desk"}) | OVERSEEING_ROLES
"""Decide registrations, triage and own complaints."""
MANAGEMENT_ROLES = frozenset({"supervisor"})
"""Receive escalations privately."""
FINANCE_ROLES = frozenset({"finance"}) | OVERSEEING_ROLES
"""Confirm that a payment was received."""
