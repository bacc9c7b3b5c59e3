"""The resident's side of a finished job: sign it off, and answer the callback survey.

The manual: the resident confirms the result; the front desk calls back every repair (100%), and an
unhappy resident means the job is handled again. Not fixed, or a low rating, reopens the job and
tells the supervisors; silence is a phone call for the front desk (handlers/repairs/phone.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.actor import Actor, TapAnswer
from handlers.callbacks import Callback
from handlers.forms import Answers, Outcome
from handlers.messages import MessageBody, message, text, verbatim
from handlers.reach import alert_management
from handlers.repairs.common import (
    ACCEPT_SLA,
    CALL,
    COMMENT_FORM,
    CONFIRM_TIMEOUT,
    FIXED,
    NOT_FIXED,
    RATE,
    REPAIRS,
    SURVEY,
    SURVEY_BY_PHONE,
    SURVEY_PHONE,
    SURVEY_REMIND,
    card,
    fees_line,
    number,
    post_card,
    refresh_card,
)
from handlers.repairs.policy import RepairPolicy
from storage.models import Survey, Ticket
from storage.uow import UnitOfWork

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
                FIXED.button(text("repair.button.fixed"), ticket.id),
                NOT_FIXED.button(text("repair.button.not_fixed"), ticket.id),
            ]
        ],
        photos=list(ticket.details.get("result_photos") or []),
    )
    await REPAIRS.tell_followers(uow, ticket, body)


async def confirm(
    uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket, actor: int, *, by_phone: bool = False
) -> bool:
    """The job is confirmed fixed (by the resident's tap, or by the front desk's call): the
    callback survey is planned."""
    if not await REPAIRS.transition(
        uow,
        ticket,
        "confirm",
        actor=actor,
        event="confirmed",
        data={"by_phone": by_phone},
        confirmed_at=uow.now,
    ):
        return False
    await REPAIRS.cancel(uow, ticket, CONFIRM_TIMEOUT)
    await CALLBACK.schedule(uow, policy.calendar, ticket, policy.survey_due(uow.now))
    await refresh_card(uow, policy, ticket)
    return True


def fixed(policy: RepairPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """The resident confirms the job is fixed."""
        ticket = await REPAIRS.followed(uow, actor, ticket_id)
        if isinstance(ticket, TapAnswer):
            return ticket
        if not await confirm(uow, policy, ticket, actor.user_id):
            return TapAnswer(text("repair.error.already_answered"), alert=True)
        await REPAIRS.tell_followers(
            uow, ticket, message(text("repair.resident.thanks", number=number(ticket)))
        )
        return TapAnswer(text("repair.toast.confirmed"))

    return handler


async def reopen(
    uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket, action: str, actor: int | None
) -> bool:
    """Send the job back to be done again: a fresh card, supervisors told, the clock restarted.

    `action` is the lifecycle action that reopens it (`not_fixed`, `survey_low`); it also names
    the supervisors' message.
    """
    if not await REPAIRS.transition(
        uow,
        ticket,
        action,
        actor=actor,
        event="reopened",
        data={"reason": action},
        assignee_user_id=None,
        accepted_at=None,
        done_at=None,
        confirmed_at=None,
        reopened=ticket.reopened + 1,
    ):
        return False
    if ticket.card_outbox_id is not None:  # the old card keeps its facts, loses its buttons
        await uow.outbox.edit(
            ticket.card_outbox_id, await card(uow, policy, ticket, superseded=True)
        )
    await post_card(uow, policy, ticket)
    await REPAIRS.cancel(uow, ticket)
    await REPAIRS.schedule(uow, ticket, ACCEPT_SLA, policy.accept_due(uow.now, ticket.urgent))
    await alert_management(uow, message(text(f"repair.supervisor.{action}", number=number(ticket))))
    return True


def not_fixed(policy: RepairPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """The resident says it is not fixed: the job is reopened and re-dispatched."""
        ticket = await REPAIRS.followed(uow, actor, ticket_id)
        if isinstance(ticket, TapAnswer):
            return ticket
        if not await reopen(uow, policy, ticket, "not_fixed", actor.user_id):
            return TapAnswer(text("repair.error.already_answered"), alert=True)
        await REPAIRS.tell_followers(
            uow, ticket, message(text("repair.resident.reopened", number=number(ticket)))
        )
        return TapAnswer(text("repair.toast.reopened"))

    return handler


def ask(ticket: Ticket, survey: Survey) -> MessageBody:
    """The callback question: a 1-5 rating."""
    return message(
        text("repair.survey.ask", number=number(ticket)),
        buttons=[
            [RATE.button(text("repair.survey.star", rating=n), survey.id, n) for n in RATINGS]
        ],
    )


CALLBACK = Callback(REPAIRS, SURVEY, SURVEY_REMIND, SURVEY_PHONE, CALL, SURVEY_BY_PHONE, ask)
"""Every confirmed repair is called back: asked, reminded, then a phone task."""


def answered_by_phone(policy: RepairPolicy) -> TapHandler:
    async def answered(uow: UnitOfWork, ticket: Ticket, satisfied: bool, actor: int) -> None:
        if not satisfied:
            await reopen(uow, policy, ticket, "survey_low", actor)
        elif await REPAIRS.transition(
            uow, ticket, "survey_ok", actor=actor, event="closed", closed_at=uow.now
        ):
            await refresh_card(uow, policy, ticket)

    return CALLBACK.answered_by_phone(answered)


def rate(policy: RepairPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, survey_id: int, rating: int) -> TapAnswer:
        """A rating: a low one reopens the job and alerts the supervisors."""
        survey = await uow.tickets.survey(survey_id)
        if survey is None or survey.telegram_user_id != actor.user_id or rating not in RATINGS:
            return TapAnswer(text("error.record_not_found"), alert=True)
        if survey.answered_at is not None:
            return TapAnswer(text("repair.error.already_answered"), alert=True)
        ticket = await REPAIRS.get(uow, survey.ticket_id)
        if ticket is None:
            return TapAnswer(text("error.record_not_found"), alert=True)
        survey.answered_at = uow.now
        survey.rating = rating
        REPAIRS.record(uow, ticket, "survey_answered", actor.user_id, rating=rating)
        await CALLBACK.done(uow, ticket)
        if rating <= policy.low_rating:
            await reopen(uow, policy, ticket, "survey_low", actor.user_id)
            said = text("repair.survey.sorry", number=number(ticket))
        else:
            if await REPAIRS.transition(
                uow, ticket, "survey_ok", actor=actor.user_id, event="closed", closed_at=uow.now
            ):
                await refresh_card(uow, policy, ticket)
            said = text("repair.survey.thanks")
        return TapAnswer(
            said, start_flow=COMMENT_FORM.open(survey=survey.id, number=number(ticket))
        )

    return handler


async def save_comment(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
    """The optional comment after a rating."""
    survey = await uow.tickets.survey(int(answers["survey"]))
    if survey is not None and survey.telegram_user_id == actor.user_id and answers.get("comment"):
        survey.comment = answers["comment"]
    await uow.outbox.send(actor.chat_id, message(text("repair.survey.recorded")))
    return Outcome.FINISH
