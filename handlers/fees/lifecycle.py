"""The chase case's lifecycle: one case per unit that owes, one step after another.

The manual: the payment notice; a chase notice when it is overdue; a deadline notice saying late
fees now accrue; a home visit by the officer; a home visit by the customer-service assistant;
then the customer-service centre and the office director decide together. Paid (finance
confirmed, or the arrears list no longer names it) settles the case from any step. A resident's
"I have paid" and finance's "Not received" change no step.
"""

from __future__ import annotations

from handlers.rules.lifecycle import Lifecycle

STEPS = ("notice", "chase", "deadline", "officer_visit", "assistant_visit", "director")
OPEN = frozenset(STEPS)

FEE_CASE = Lifecycle(
    name="fee",
    start="notice",
    final=frozenset({"settled"}),
    moves={
        ("notice", "chase"): "chase",
        ("chase", "deadline"): "deadline",
        ("deadline", "officer_visit"): "officer_visit",
        ("officer_visit", "assistant_visit"): "assistant_visit",
        ("assistant_visit", "director"): "director",
        **{(step, "settle"): "settled" for step in STEPS},
    },
    stays={"claim_paid": OPEN, "not_received": OPEN},
)
