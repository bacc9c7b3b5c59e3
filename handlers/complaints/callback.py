"""The complaint callback (回访): within 3 working days of the resolution, as the manual asks.

Asked on the next working morning, asked again a working day later, and a phone task for the
front desk on the window's last working day at the latest (handlers/callbacks.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from handlers.callbacks import Callback
from handlers.complaints.common import (
    CALL,
    COMPLAINTS,
    SATISFIED,
    SURVEY,
    SURVEY_BY_PHONE,
    SURVEY_PHONE,
    SURVEY_REMIND,
    VISIT,
    number,
)
from handlers.complaints.policy import ComplaintPolicy
from handlers.messages import MessageBody, message, text
from storage.models import Survey, Ticket
from storage.uow import UnitOfWork


def ask(ticket: Ticket, survey: Survey) -> MessageBody:
    """Satisfied, or not? For a major complaint the callback is a home visit: which day?
    (handlers/complaints/home_visit.py)"""
    if ticket.severity == "major":
        return message(
            text("complaint.resident.visit_offer", number=number(ticket)),
            buttons=[[VISIT.button(text("complaint.button.choose_visit"), ticket.id)]],
        )
    return message(
        text("complaint.survey.ask", number=number(ticket)),
        buttons=[
            [
                SATISFIED.button(text("complaint.survey.satisfied"), survey.id, 1),
                SATISFIED.button(text("complaint.survey.unsatisfied"), survey.id, 0),
            ]
        ],
    )


CALLBACK = Callback(COMPLAINTS, SURVEY, SURVEY_REMIND, SURVEY_PHONE, CALL, SURVEY_BY_PHONE, ask)


async def schedule(uow: UnitOfWork, policy: ComplaintPolicy, ticket: Ticket) -> None:
    """Resolved now: the callback's clock, ending with the manual's window. A major
    complaint's home visit is offered at once, to be booked in advance (the manual's order)."""
    local = uow.now.astimezone(policy.timezone).date() + timedelta(days=1)
    morning = policy.calendar.next_working_start(datetime.combine(local, time(0), policy.timezone))
    window_end = policy.callback_due(uow.now)
    first = min(morning, window_end)  # an estate's window shorter than a night is kept too
    if ticket.severity == "major":
        first = uow.now
    await CALLBACK.schedule(
        uow, policy.calendar, ticket, first, policy.callback_reminder, by=window_end
    )
