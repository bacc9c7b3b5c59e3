"""The resident's side of a finished job: sign it off, and answer the callback survey.

The manual: the resident confirms the result; the front desk calls back every repair (100%), and an
unhappy resident means the job is handled again. Not fixed, or a low rating, reopens the job and
tells the supervisors; silence counts as confirmed after the configured time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from conversations.steps import Answers, Outcome
from handlers.actor import Actor, TapAnswer
from handlers.messages import button, message, text, verbatim
from handlers.repairs.common import (
    ACCEPT_SLA,
    CONFIRM_TIMEOUT,
    KIND,
    SUBJECT,
    SURVEY,
    alert_supervisors,
    card,
    fees_line,
    number,
    post_card,
    record,
    refresh_card,
    tell_residents,
)
from handlers.repairs.policy import RepairPolicy
from handlers.rules.lifecycle import REPAIR
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

COMMENT_FLOW = "survey_comment"
RATINGS = (1, 2, 3, 4, 5)

TapHandler = Callable[..., Awaitable[TapAnswer]]


async def ask_residents(uow: UnitOfWork, ticket: Ticket) -> None:
    """Each affected resident is asked: fixed, or not?"""
    body = message(
        text("repair.resident.done", number=number(ticket)),
        text("repair.card.result", result=verbatim(ticket.details.get("result", ""))),
        fees_line(ticket),
        text("repair.resident.ask_fixed"),
        buttons=[
            [
                button(text("repair.button.fixed"), "rep.fixed", ticket.id),
                button(text("repair.button.not_fixed"), "rep.notfixed", ticket.id),
            ]
        ],
        photos=list(ticket.details.get("result_photos") or []),
    )
    await tell_residents(uow, ticket, body)


async def _followed_ticket(uow: UnitOfWork, actor: Actor, ticket_id: int) -> Ticket | TapAnswer:
    """The ticket, if this resident follows it; someone else's looks like no ticket at all."""
    ticket = await uow.tickets.get(ticket_id, KIND)
    if ticket is None or not await uow.tickets.is_follower(ticket, actor.user_id):
        return TapAnswer(text("error.record_not_found"), alert=True)
    return ticket


async def _confirm(
    uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket, actor: int | None
) -> bool:
    details = dict(ticket.details)
    details["auto_confirmed"] = actor is None
    moved = await uow.tickets.move(
        ticket,
        REPAIR.sources("confirm"),
        REPAIR.after("done", "confirm"),
        confirmed_at=uow.now,
        details=details,
    )
    if not moved:
        return False
    record(uow, ticket, "confirmed", actor, automatic=actor is None)
    await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id, kind=CONFIRM_TIMEOUT)
    await uow.timers.schedule(
        SURVEY, policy.survey_due(uow.now), subject_type=SUBJECT, subject_id=ticket.id
    )
    await refresh_card(uow, policy, ticket)
    return True


def fixed(policy: RepairPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """The resident confirms the job is fixed."""
        ticket = await _followed_ticket(uow, actor, ticket_id)
        if isinstance(ticket, TapAnswer):
            return ticket
        if not await _confirm(uow, policy, ticket, actor.user_id):
            return TapAnswer(text("repair.error.already_answered"), alert=True)
        await tell_residents(
            uow, ticket, message(text("repair.resident.thanks", number=number(ticket)))
        )
        return TapAnswer(text("repair.toast.confirmed"))

    return handler


async def reopen(
    uow: UnitOfWork,
    policy: RepairPolicy,
    ticket: Ticket,
    action: str,
    actor: int | None,
    reason: str,
) -> bool:
    """Send the job back to be done again: a fresh card, supervisors told, the clock restarted."""
    moved = await uow.tickets.move(
        ticket,
        REPAIR.sources(action),
        REPAIR.after(ticket.status, action),
        assignee_user_id=None,
        accepted_at=None,
        done_at=None,
        confirmed_at=None,
        reopened=ticket.reopened + 1,
    )
    if not moved:
        return False
    record(uow, ticket, "reopened", actor, reason=reason)
    if ticket.card_outbox_id is not None:  # the old card keeps its facts, loses its buttons
        await uow.outbox.edit(
            ticket.card_outbox_id, await card(uow, policy, ticket, superseded=True)
        )
    await post_card(uow, policy, ticket)
    await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id)
    await uow.timers.schedule(
        ACCEPT_SLA,
        policy.accept_due(uow.now, ticket.urgent),
        subject_type=SUBJECT,
        subject_id=ticket.id,
    )
    await alert_supervisors(
        uow, message(text(f"repair.supervisor.{reason}", number=number(ticket)))
    )
    return True


def not_fixed(policy: RepairPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """The resident says it is not fixed: the job is reopened and re-dispatched."""
        ticket = await _followed_ticket(uow, actor, ticket_id)
        if isinstance(ticket, TapAnswer):
            return ticket
        if not await reopen(uow, policy, ticket, "not_fixed", actor.user_id, "not_fixed"):
            return TapAnswer(text("repair.error.already_answered"), alert=True)
        await tell_residents(
            uow, ticket, message(text("repair.resident.reopened", number=number(ticket)))
        )
        return TapAnswer(text("repair.toast.reopened"))

    return handler


def confirm_timeout(policy: RepairPolicy) -> Callable[[UnitOfWork, Timer], Awaitable[None]]:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """No answer from the resident in time counts as confirmed."""
        ticket = await uow.tickets.get(int(timer.subject_id or 0), KIND)
        if ticket is not None and await _confirm(uow, policy, ticket, None):
            await tell_residents(
                uow, ticket, message(text("repair.resident.auto_confirmed", number=number(ticket)))
            )

    return on_timer


def send_survey(policy: RepairPolicy) -> Callable[[UnitOfWork, Timer], Awaitable[None]]:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """The callback: every confirmed repair gets one, with a 1-5 rating."""
        ticket = await uow.tickets.get(int(timer.subject_id or 0), KIND)
        if ticket is None or ticket.status != "confirmed" or ticket.reporter_user_id is None:
            return
        if await uow.people.has_blocked_bot(ticket.reporter_user_id):
            await _call_back_by_phone(uow, ticket)
            return
        survey = await uow.tickets.add_survey(ticket, ticket.reporter_user_id)
        record(uow, ticket, "survey_sent", None, survey=survey.id)
        await uow.outbox.send(
            ticket.reporter_user_id,
            message(
                text("repair.survey.ask", number=number(ticket)),
                buttons=[
                    [
                        button(text("repair.survey.star", rating=n), "rep.rate", survey.id, n)
                        for n in RATINGS
                    ]
                ],
            ),
        )

    return on_timer


def rate(policy: RepairPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, survey_id: int, rating: int) -> TapAnswer:
        """A rating: a low one reopens the job and alerts the supervisors."""
        survey = await uow.tickets.survey(survey_id)
        if survey is None or survey.telegram_user_id != actor.user_id or rating not in RATINGS:
            return TapAnswer(text("error.record_not_found"), alert=True)
        if survey.answered_at is not None:
            return TapAnswer(text("repair.error.already_answered"), alert=True)
        survey.answered_at = uow.now
        survey.rating = rating
        ticket = await uow.tickets.get(survey.ticket_id, KIND)
        assert ticket is not None
        record(uow, ticket, "survey_answered", actor.user_id, rating=rating)
        if rating <= policy.low_rating:
            await reopen(uow, policy, ticket, "survey_low", actor.user_id, "survey_low")
            said = text("repair.survey.sorry", number=number(ticket))
        else:
            if await uow.tickets.move(
                ticket, REPAIR.sources("survey_ok"), "closed", closed_at=uow.now
            ):
                record(uow, ticket, "closed", actor.user_id)
                await refresh_card(uow, policy, ticket)
            said = text("repair.survey.thanks")
        return TapAnswer(
            said, start_flow=(COMMENT_FLOW, {"survey": survey.id, "number": number(ticket)})
        )

    return handler


async def save_comment(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
    """The optional comment after a rating."""
    survey = await uow.tickets.survey(int(answers["survey"]))
    if survey is not None and survey.telegram_user_id == actor.user_id and answers.get("comment"):
        survey.comment = answers["comment"]
    await uow.outbox.send(actor.chat_id, message(text("repair.survey.recorded")))
    return Outcome.FINISH


async def _call_back_by_phone(uow: UnitOfWork, ticket: Ticket) -> None:
    """The resident blocked the bot: the callback is still owed, by phone, by the front desk."""
    record(uow, ticket, "survey_by_phone", None)
    front_desk = await uow.people.department("front_desk")
    if front_desk is not None and front_desk.chat_id is not None:
        await uow.outbox.send(
            front_desk.chat_id,
            message(
                text(
                    "repair.survey.by_phone",
                    number=number(ticket),
                    name=verbatim(ticket.details.get("reporter_name", "")),
                )
            ),
            group=True,
        )
