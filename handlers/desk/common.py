"""What every step of a front-desk request shares: its kind, its button and form, and its card."""

from __future__ import annotations

from handlers.actions import Action, Form
from handlers.behalf import card_lines
from handlers.desk.lifecycle import DESK
from handlers.messages import ButtonBody, MessageBody, TextBody, message, text, verbatim
from handlers.tickets import TicketKind
from handlers.units import unit_label
from storage.models import Ticket
from storage.uow import UnitOfWork

DESK_REQUESTS = TicketKind("desk", "D", DESK)

INQUIRY = "inquiry"
SUGGESTION = "suggestion"
HELP = "help"
KINDS = (INQUIRY, SUGGESTION, HELP)
"""What a resident may bring to the desk besides a repair or a complaint (the manual's list)."""
ANSWERED_AT_ONCE = frozenset({INQUIRY})
"""Answered on the spot: recorded done, with the answer given; the rest are followed to the end."""

REQUEST_FORM = Form("desk_request")  # the front desk types what the resident says
FINISH = Action("desk.done")  # the card's Done: record what was done
FINISH_FORM = Form("desk_done")

number = DESK_REQUESTS.number


def kind_of(ticket: Ticket) -> str:
    return ticket.category or INQUIRY


async def card(_uow: UnitOfWork, ticket: Ticket) -> MessageBody:
    """The front desk's card: what was asked, for whom, how it came in, and, once done, what
    was done; **Done** while it is open."""
    details = ticket.details
    unit = unit_label(*details["unit"]) if details.get("unit") else text("behalf.common_area")
    lines: list[TextBody] = [
        text(f"desk.card.title.{kind_of(ticket)}", number=number(ticket)),
        text("desk.card.from", name=verbatim(details.get("reporter_name", "")), unit=unit),
        *card_lines(ticket),
        text("desk.card.what", what=verbatim(details.get("what", ""))),
        text("desk.card.status", status=DESK_REQUESTS.status_label(ticket)),
    ]
    if done := details.get("done"):
        lines.append(text("desk.card.done", name=verbatim(details.get("done_by", ""))))
        lines.append(verbatim(done))
    buttons: list[list[ButtonBody]] = []
    if DESK_REQUESTS.allows(ticket, "finish"):
        buttons = [[FINISH.button(text("desk.button.done"), ticket.id)]]
    return message(*lines, buttons=buttons)
