"""The repair lifecycle: the only place a repair's states are named.

Repair procedure: dispatched (open) -> accepted -> done -> the resident confirms -> callback
survey. Not fixed, or an unhappy callback, sends the job back to `open` to be accepted and done
again. Another resident reporting the same common-area fault joins the job while it is worked on.
Staff re-route a job that is not yet done to another department, where it waits to be accepted.

Paid work (the manual's paid services): the technician who finds the job chargeable sends a
quote before starting (`quoted`); the resident agrees (back to `accepted`, work goes on) or
declines, which stops the job there (`declined`, final). The front desk records the fees' payment
on any job that has fees, whatever its state but a declined one (`pay` changes no state).
"""

from __future__ import annotations

from handlers.rules.lifecycle import Lifecycle

_WORKED_ON = frozenset({"open", "accepted", "quoted", "done", "confirmed"})

REPAIR = Lifecycle(
    name="repair",
    start="open",
    final=frozenset({"closed", "declined"}),
    moves={
        ("open", "accept"): "accepted",
        ("open", "reroute"): "open",
        ("accepted", "reroute"): "open",
        ("accepted", "hand_back"): "open",
        ("accepted", "quote"): "quoted",
        ("quoted", "agree"): "accepted",
        ("quoted", "decline"): "declined",
        ("quoted", "reroute"): "open",
        ("quoted", "hand_back"): "open",
        ("accepted", "finish"): "done",
        ("done", "confirm"): "confirmed",
        ("done", "not_fixed"): "open",
        ("confirmed", "survey_low"): "open",
        ("confirmed", "survey_ok"): "closed",
    },
    stays={
        "join": _WORKED_ON,
        "survey": frozenset({"confirmed"}),
        "pay": _WORKED_ON | {"closed"},
    },
)

DECLINED = REPAIR.after("quoted", "decline")
"""Where a declined quote leaves the job: stopped before any work, the card says so."""
