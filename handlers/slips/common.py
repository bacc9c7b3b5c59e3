"""What every release-slip step shares: the ticket kind, its buttons, forms and timers, and how a
slip reads on the front desk's card, in the resident's hands and at the gate."""

from __future__ import annotations

from handlers.actions import Action, Form
from handlers.messages import (
    ButtonBody,
    MessageBody,
    TextBody,
    day,
    message,
    moment,
    text,
    verbatim,
)
from handlers.rules.phones import phone_tail
from handlers.rules.visits import SLOTS
from handlers.slips.lifecycle import SLIP
from handlers.slips.policy import SlipPolicy
from handlers.tickets import CardBuilder, TicketKind
from handlers.units import unit_label
from storage.models import Ticket
from storage.uow import UnitOfWork

SLIPS = TicketKind("slip", "S", SLIP)
START_PREFIX = "slip_"
"""Deep links that open a slip at the gate: https://t.me/<bot>?start=slip_<code>."""

# Timer kinds.
EXPIRE = "slip.expire"  # the window (with its grace) ended and the slip was not used
RECONCILE = "slip.reconcile"  # the day's reconciliation for the security manager
RECONCILE_REMINDER = "slip.reconcile_reminder"  # yesterday's is still unchecked

# Buttons and the private forms they open.
APPROVE = Action("slip.approve")
REJECT = Action("slip.reject")
RELEASE = Action("slip.release")
MISMATCH = Action("slip.mismatch")
CANCEL = Action("slip.cancel")
CHECKED = Action("slip.checked", (str,))
BOOK_FORM = Form("release")
REJECT_FORM = Form("slip_reject")
MISMATCH_FORM = Form("slip_mismatch")

number = SLIPS.number


def window_label(ticket: Ticket) -> TextBody:
    details = ticket.details
    start, end = SLOTS[details["slot"]]
    return text(
        "repair.window",
        day=day(details["day"]),
        slot=text(f"repair.slot.{details['slot']}"),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
    )


def carrier_label(ticket: Ticket) -> TextBody:
    """Who carries the goods out: the resident, or the person they authorised."""
    carrier = ticket.details.get("carrier") or {}
    if carrier.get("name"):
        return text("slip.carrier.other", name=verbatim(carrier["name"]))
    return text("slip.carrier.self", name=verbatim(ticket.details.get("reporter_name", "")))


def facts(ticket: Ticket) -> list[TextBody]:
    """The slip as the guard must check it: goods, home, window, carrier, vehicle."""
    details = ticket.details
    unit = details.get("unit") or ["?", "?", "?"]
    lines = [
        text("slip.line.unit", unit=unit_label(*unit)),
        text("slip.line.items", items=verbatim(details.get("items", ""))),
        text("slip.line.window", window=window_label(ticket)),
        text("slip.line.carrier", carrier=carrier_label(ticket)),
    ]
    if details.get("plate"):
        lines.append(text("slip.line.plate", plate=verbatim(details["plate"])))
    return lines


def state_line(ticket: Ticket) -> TextBody:
    return text("slip.line.status", status=SLIPS.status_label(ticket))


async def card(uow: UnitOfWork, policy: SlipPolicy, ticket: Ticket) -> MessageBody:
    """The front desk's approval card: who asks, their homes and fees, the slip, the decision."""
    details = ticket.details
    lines: list[TextBody] = [
        text("slip.card.title", number=number(ticket)),
        text(
            "slip.card.applicant",
            name=verbatim(details.get("reporter_name", "")),
            tail=phone_tail(details.get("reporter_phone") or ""),
        ),
        text("slip.card.verified") if details.get("verified") else text("slip.card.not_verified"),
        fee_line(details.get("fees")),
        *facts(ticket),
    ]
    carrier = details.get("carrier") or {}
    if carrier.get("phone"):
        lines.append(text("slip.card.carrier_phone", tail=phone_tail(carrier["phone"])))
    buttons: list[list[ButtonBody]] = []
    if SLIPS.allows(ticket, "approve"):
        if not details.get("verified") or details.get("fees") not in (None, "0"):
            lines.append(text("slip.card.special"))
        lines.append(text("slip.card.waiting"))
        buttons = [
            [
                APPROVE.button(text("slip.button.approve"), ticket.id),
                REJECT.button(text("slip.button.reject"), ticket.id),
            ]
        ]
    else:
        if details.get("issued_by"):
            lines.append(
                text(
                    "slip.card.issued",
                    name=verbatim(details["issued_by"]),
                    at=moment(ticket.accepted_at or uow.now),
                )
            )
        if details.get("auto_approved"):
            lines.append(text("slip.card.auto_approved"))
        if details.get("reject_reason"):
            lines.append(text("slip.card.reason", reason=verbatim(details["reject_reason"])))
        if details.get("released_by"):
            lines.append(
                text(
                    "slip.card.released",
                    name=verbatim(details["released_by"]),
                    at=moment(ticket.closed_at or uow.now),
                )
            )
        if details.get("mismatch"):
            lines.append(text("slip.card.mismatch", what=verbatim(details["mismatch"])))
        lines.append(state_line(ticket))
    return message(*lines, buttons=buttons, photos=list(details.get("photos") or []))


def fee_line(fees: str | None) -> TextBody:
    """The unit's fee status as the front desk reads it: settled, owing, or no data yet."""
    if fees is None:
        return text("slip.card.no_fee_data")
    if fees == "0":
        return text("slip.card.fees_paid")
    return text("slip.card.fees_owed", amount=fees)


def card_builder(policy: SlipPolicy) -> CardBuilder:
    async def build(uow: UnitOfWork, ticket: Ticket) -> MessageBody:
        return await card(uow, policy, ticket)

    return build


async def refresh_card(uow: UnitOfWork, policy: SlipPolicy, ticket: Ticket) -> None:
    await SLIPS.refresh_card(uow, ticket, card_builder(policy))
