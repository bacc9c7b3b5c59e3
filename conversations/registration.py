"""Registration, as the front desk would do it in person.

1. Share your phone (your own: Telegram vouches for it).
   On the roster: you are a verified resident of your unit, done.
2. Not on the roster: which building, which entrance, which room?
3. Check and submit; the front desk approves or rejects, and you hear back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from conversations.feature import Feature, FeatureContext
from conversations.steps import AskContact, AskText, Confirm, Flow
from handlers import registration
from handlers.menu import ResidentMenu
from handlers.messages import text


def registration_flow(
    reminder_due: Callable[[datetime], datetime], menu: ResidentMenu | None = None
) -> Flow:
    """The flow, with the estate's clock for reminding the front desk of undecided requests."""
    return Flow(
        name=registration.FORM.name,
        steps=(
            AskContact(
                name="phone",
                prompt=text("registration.ask_phone"),
                then=registration.match_roster(menu or ResidentMenu()),
            ),
            AskText(name="building", prompt=text("registration.ask_building"), max_length=20),
            AskText(name="entrance", prompt=text("registration.ask_entrance"), max_length=20),
            AskText(name="room", prompt=text("registration.ask_room"), max_length=20),
            Confirm(
                name="confirm",
                prompt=text("registration.confirm"),
                editable=("building", "entrance", "room"),
            ),
        ),
        submit=registration.submit_request(reminder_due),
        summary=registration.summary,
        cancelled=text("registration.cancelled"),
        help=text("registration.help"),
    )


def feature(context: FeatureContext) -> Feature:
    """Registration: the flow /start opens, the front desk's Approve / Reject, the reminder."""
    calendar = context.config.calendar()
    reminder = context.config.timings.registration_approval_reminder

    def reminder_due(requested: datetime) -> datetime:
        return calendar.add(requested, reminder)

    return Feature(
        name="registration",
        flows=(registration_flow(reminder_due, context.menu),),
        actions={
            registration.APPROVE: registration.approve(context.menu),
            registration.REJECT: registration.reject,
        },
        timers={registration.REMINDER: registration.remind},
    )
