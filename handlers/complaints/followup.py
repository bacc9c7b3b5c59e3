"""After the owner acts: deadline warnings and breaches, and the callback's answer.

A deadline about to pass warns the owner; one that passed alerts the supervisors and is counted as a
breach in the monthly summary. Every resolved complaint gets a callback within 3 working days;
"not satisfied" reopens it to the same owner. (A major complaint's callback is a home visit:
handlers/complaints/home_visit.py.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.actor import Actor, TapAnswer
from handlers.callbacks import VERDICT_RATING
from handlers.complaints.callback import CALLBACK
from handlers.complaints.common import (
    COMPLAINTS,
    EXPLAIN_BREACH,
    REPLY_BREACH,
    REPLY_WARN,
    RESOLVE_BREACH,
    RESOLVE_WARN,
    number,
    refresh_card,
    tell_owner,
)
from handlers.complaints.handling import schedule_deadline
from handlers.complaints.policy import ComplaintPolicy
from handlers.messages import message, moment, text, verbatim
from handlers.on_duty import night
from handlers.reach import alert_management
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]
TapHandler = Callable[..., Awaitable[TapAnswer]]

# Which clock each timer watches: (the field that stops it, the action it waits for, its name).
# A clock runs while the lifecycle still allows the action it waits for.
CLOCKS = {
    REPLY_WARN: ("replied_at", "resolve", "reply"),
    REPLY_BREACH: ("replied_at", "resolve", "reply"),
    RESOLVE_WARN: ("resolved_at", "resolve", "resolve"),
    RESOLVE_BREACH: ("resolved_at", "resolve", "resolve"),
    EXPLAIN_BREACH: ("closed_at", "explain", "explain"),
}


async def _running(uow: UnitOfWork, timer: Timer) -> tuple[Ticket | None, str]:
    ticket = await COMPLAINTS.timer_ticket(uow, timer.subject_id)
    stopped_by, awaited, clock = CLOCKS[timer.kind]
    if (
        ticket is None
        or not COMPLAINTS.allows(ticket, awaited)
        or getattr(ticket, stopped_by) is not None
    ):
        return None, clock
    return ticket, clock


async def deadline_near(uow: UnitOfWork, timer: Timer) -> None:
    """The owner is warned before a deadline passes."""
    ticket, clock = await _running(uow, timer)
    if ticket is None:
        return
    due = ticket.reply_due_at if clock == "reply" else ticket.resolve_due_at
    await tell_owner(
        uow,
        ticket,
        message(
            text(f"complaint.owner.{clock}_soon", number=number(ticket), at=moment(due or uow.now))
        ),
    )


def deadline_passed(policy: ComplaintPolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """A passed deadline is a breach: recorded, the supervisors alerted (outside office
        hours the on-duty group too), the owner asked to act, and the resident told we are late
        and what happens now."""
        ticket, clock = await _running(uow, timer)
        if ticket is None:
            return
        COMPLAINTS.record(uow, ticket, "breach", None, deadline=clock)
        owner = verbatim(ticket.details.get("owner_name", ""))
        breach = text(f"complaint.supervisor.{clock}_breach", number=number(ticket), owner=owner)
        await night.escalate(uow, policy.on_duty, message(breach))
        await tell_owner(
            uow,
            ticket,
            message(text(f"complaint.owner.{clock}_breach", number=number(ticket))),
        )
        await COMPLAINTS.tell_followers(
            uow, ticket, message(text(f"complaint.resident.{clock}_late", number=number(ticket)))
        )

    return on_timer


def survey_answer(policy: ComplaintPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, survey_id: int, satisfied: int) -> TapAnswer:
        """Satisfied closes it; not satisfied reopens it to the same owner, supervisors told."""
        survey = await uow.tickets.survey(survey_id)
        if survey is None or survey.telegram_user_id != actor.user_id or satisfied not in (0, 1):
            return TapAnswer(text("error.record_not_found"), alert=True)
        if survey.answered_at is not None:
            return TapAnswer(text("ticket.error.already_answered"), alert=True)
        ticket = await COMPLAINTS.get(uow, survey.ticket_id)
        if ticket is None:
            return TapAnswer(text("error.record_not_found"), alert=True)
        survey.answered_at = uow.now
        survey.rating = VERDICT_RATING[bool(satisfied)]
        COMPLAINTS.record(uow, ticket, "survey_answered", actor.user_id, satisfied=bool(satisfied))
        await CALLBACK.done(uow, ticket)
        if satisfied:
            await COMPLAINTS.transition(
                uow, ticket, "satisfied", actor=actor.user_id, event="closed", closed_at=uow.now
            )
            await refresh_card(uow, policy, ticket)
            return TapAnswer(text("complaint.survey.thanks"))
        await reopen(uow, policy, ticket, actor.user_id)
        return TapAnswer(text("complaint.survey.sorry", number=number(ticket)))

    return handler


async def settle(
    uow: UnitOfWork, policy: ComplaintPolicy, ticket: Ticket, satisfied: bool, actor: int
) -> None:
    """The resident's verdict, as staff heard it (on the phone, at the home visit): satisfied
    closes the complaint, not satisfied reopens it to the same owner."""
    if not satisfied:
        await reopen(uow, policy, ticket, actor)
    elif await COMPLAINTS.transition(
        uow, ticket, "satisfied", actor=actor, event="closed", closed_at=uow.now
    ):
        await refresh_card(uow, policy, ticket)


def answered_by_phone(policy: ComplaintPolicy) -> TapHandler:
    async def answered(uow: UnitOfWork, ticket: Ticket, satisfied: bool, actor: int) -> None:
        await settle(uow, policy, ticket, satisfied, actor)

    return CALLBACK.answered_by_phone(answered)


async def reopen(uow: UnitOfWork, policy: ComplaintPolicy, ticket: Ticket, actor: int) -> None:
    severity = ticket.severity or "minor"
    resolve_due = policy.resolve_due(uow.now, severity)
    if not await COMPLAINTS.transition(
        uow,
        ticket,
        "unsatisfied",
        actor=actor,
        event="reopened",
        resolved_at=None,
        resolve_due_at=resolve_due,
        reopened=ticket.reopened + 1,
    ):
        return
    details = dict(ticket.details)
    details.pop("visit", None)  # the next resolution's callback books a visit of its own
    ticket.details = details
    await schedule_deadline(uow, ticket, RESOLVE_WARN, RESOLVE_BREACH, resolve_due)
    await refresh_card(uow, policy, ticket)
    owner = verbatim(ticket.details.get("owner_name", ""))
    await alert_management(
        uow, message(text("complaint.supervisor.unsatisfied", number=number(ticket), owner=owner))
    )
    await tell_owner(
        uow,
        ticket,
        message(text("complaint.owner.reopened", number=number(ticket), at=moment(resolve_due))),
    )
