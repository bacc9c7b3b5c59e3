"""What every step of chasing fees shares: the case's ticket kind, its buttons and timers, and
how the unit's balance reads in a notice and on finance's card."""

from __future__ import annotations

from decimal import Decimal

from handlers.actions import Action, Form
from handlers.fees.lifecycle import FEE_CASE
from handlers.messages import TextBody, day, text, verbatim
from handlers.tickets import TicketKind
from handlers.units import unit_label
from storage.models import Arrear, Ticket

CASES = TicketKind("fee", "F", FEE_CASE)

# Timer kinds.
SWEEP = "fee.sweep"  # an arrears list was imported: open and settle cases
CHASE = "fee.chase"  # stage 2: the chase notice, when the balance is overdue
DEADLINE = "fee.deadline"  # stage 3: the deadline notice, from when the late fee runs
OFFICER_VISIT = "fee.officer_visit"  # stage 4: the late fee runs, the officer visits
ASSISTANT_VISIT = "fee.assistant_visit"  # stage 5: still owed after the officer's visit
VISIT_AGAIN = "fee.visit_again"  # a promised day passed and the unit still owes
CHASE_LIST = "fee.chase_list"  # every morning: each officer's list
COLLECTION_REPORT = "fee.collection_report"  # every week: the supervisors' report

# Buttons.
PAID = Action("fee.paid")  # a resident: I have paid
CONFIRM = Action("fee.confirm")  # finance: received, the unit's balance is settled
NOT_RECEIVED = Action("fee.not_received", (int, int))  # finance: not received (case, resident)
RECORD_VISIT = Action("fee.visit")  # the visitor: record how the home visit went
REASSIGN = Action("fee.reassign")  # a supervisor: hand the case's unit to another officer
HAND_TO = Action("fee.hand_to", (int, int))  # a supervisor: to this officer (case, officer)

# Private forms.
VISIT_FORM = Form("fee.visit")

VISIT_STEPS = ("officer_visit", "assistant_visit")
"""The steps whose work is a home visit (stages 4 and 5)."""

number = CASES.number


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def unit_of(ticket: Ticket) -> TextBody:
    return unit_label(*(ticket.details.get("unit") or ["?", "?", "?"]))


def balance_lines(arrears: list[Arrear]) -> list[TextBody]:
    """One line per fee type and period (amount, due date), then the total."""
    lines = [
        text(
            "fee.line",
            fee=text(f"fee.type.{arrear.fee_type}"),
            period=verbatim(arrear.period),
            amount=money(arrear.amount),
            due=day(arrear.due_date.isoformat()),
        )
        for arrear in arrears
    ]
    total = sum((arrear.amount for arrear in arrears), Decimal(0))
    lines.append(text("fee.total", amount=money(total)))
    return lines
