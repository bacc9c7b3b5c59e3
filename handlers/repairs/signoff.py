"""The resident's side of a finished job: sign it off, and answer the callback survey.

The manual: the resident confirms the result; the front desk calls back every repair (100%), and an
unhappy resident means the job is handled again. Not fixed, or a low score, reopens the job and
tells the supervisors; silence is a phone call for the front desk (handlers/repairs/phone.py).

The survey asks what the manual's survey asks, one question at a time, one tap each (1-5): the
technician's skill and manner, the quality of the work, the process (speed, keeping the
appointment, the front desk); then an optional comment. What "satisfied" means:

- the overall `rating` is the lowest of the three scores: one poor part is a poor repair;
- any score of `low_rating` (2) or less reopens the job, as an unhappy callback does;
- the reports count a resident satisfied when the overall rating is 4 or 5, that is when every
  answer is 4 or 5 (the manual's target: 90% or more). A 3 neither reopens nor counts satisfied.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.actor import Actor, TapAnswer
from handlers.callbacks import Callback
from handlers.forms import Answers, Outcome
from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.reach import alert_management
from handlers.repairs.common import (
    ACCEPT_SLA,
    CALL,
    COMMENT_FORM,
    CONFIRM_TIMEOUT,
    FIXED,
    NOT_FIXED,
    REPAIRS,
    SCORE,
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
from storage.models import SURVEY_QUESTIONS, Survey, Ticket
from storage.uow import UnitOfWork

RATINGS = (1, 2, 3, 4, 5)

TapHandler = Callable[..., Awaitable[TapAnswer]]


async def ask_residents(uow: UnitOfWork, ticket: Ticket, pay: TextBody | None = None) -> None:
    """Each affected resident is asked: fixed, or not? With fees due, `pay` says where to pay."""
    body = message(
        text("repair.resident.done", number=number(ticket)),
        text("repair.card.result", result=verbatim(ticket.details.get("result", ""))),
        fees_line(ticket),
        *((pay,) if pay is not None else ()),
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
    await CALLBACK.schedule(
        uow, policy.calendar, ticket, policy.survey_due(uow.now), policy.callback_reminder
    )
    await refresh_card(uow, policy, ticket)
    return True


def fixed(policy: RepairPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """The resident confirms the job is fixed."""
        ticket = await REPAIRS.followed(uow, actor, ticket_id)
        if isinstance(ticket, TapAnswer):
            return ticket
        if not await confirm(uow, policy, ticket, actor.user_id):
            return TapAnswer(text("ticket.error.already_answered"), alert=True)
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
            return TapAnswer(text("ticket.error.already_answered"), alert=True)
        await REPAIRS.tell_followers(
            uow, ticket, message(text("repair.resident.reopened", number=number(ticket)))
        )
        return TapAnswer(text("repair.toast.reopened"))

    return handler


def next_question(survey: Survey) -> str | None:
    """The first question of the survey not answered yet; None when all are."""
    return next((q for q in SURVEY_QUESTIONS if getattr(survey, q) is None), None)


def ask(ticket: Ticket, survey: Survey) -> MessageBody:
    """The next question of the callback survey, with its 1-5 buttons (the reminder asks it too,
    so a resident who stopped halfway goes on where they stopped)."""
    question = next_question(survey) or SURVEY_QUESTIONS[-1]
    return message(
        text(
            "repair.survey.ask",
            number=number(ticket),
            step=SURVEY_QUESTIONS.index(question) + 1,
            total=len(SURVEY_QUESTIONS),
        ),
        text(f"repair.survey.question.{question}"),
        buttons=[
            [
                SCORE.button(text("repair.survey.star", rating=n), survey.id, question, n)
                for n in RATINGS
            ]
        ],
    )


CALLBACK = Callback(REPAIRS, SURVEY, SURVEY_REMIND, SURVEY_PHONE, CALL, SURVEY_BY_PHONE, ask)
"""Every confirmed repair is called back: asked, reminded, then a phone task."""


async def settle(
    uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket, satisfied: bool, actor: int
) -> bool:
    """The callback's verdict: an unhappy one reopens the job, a happy one closes it. False when
    the job had already moved on."""
    if not satisfied:
        return await reopen(uow, policy, ticket, "survey_low", actor)
    if not await REPAIRS.transition(
        uow, ticket, "survey_ok", actor=actor, event="closed", closed_at=uow.now
    ):
        return False
    await refresh_card(uow, policy, ticket)
    return True


def answered_by_phone(policy: RepairPolicy) -> TapHandler:
    """The front desk's call records one overall verdict, satisfied or not: the manual's own
    question ("is the resident satisfied with the result?"). The task card sits in a shared group,
    where fifteen score buttons would invite mis-taps; the three scores are the in-bot survey's."""

    async def answered(uow: UnitOfWork, ticket: Ticket, satisfied: bool, actor: int) -> None:
        await settle(uow, policy, ticket, satisfied, actor)

    return CALLBACK.answered_by_phone(answered)


def score(policy: RepairPolicy) -> TapHandler:
    async def handler(
        uow: UnitOfWork, actor: Actor, survey_id: int, question: str, given: int
    ) -> TapAnswer:
        """One answer; after the last, a low score reopens the job and alerts the supervisors."""
        survey = await uow.tickets.survey(survey_id)
        if (
            survey is None
            or survey.telegram_user_id != actor.user_id
            or question not in SURVEY_QUESTIONS
            or given not in RATINGS
        ):
            return TapAnswer(text("error.record_not_found"), alert=True)
        asked = next_question(survey)
        if survey.answered_at is not None or getattr(survey, question) is not None:
            return TapAnswer(text("ticket.error.already_answered"), alert=True)
        if question != asked:  # a question not asked yet: nobody was shown this button
            return TapAnswer(text("error.record_not_found"), alert=True)
        ticket = await REPAIRS.get(uow, survey.ticket_id)
        if ticket is None or not REPAIRS.allows(ticket, "survey"):
            return TapAnswer(text("ticket.error.already_answered"), alert=True)
        if not await uow.tickets.score_survey(survey, question, given):
            return TapAnswer(text("ticket.error.already_answered"), alert=True)
        if next_question(survey) is not None:
            await uow.outbox.send(actor.chat_id, ask(ticket, survey))
            return TapAnswer(text("repair.survey.noted"))
        return await finish(uow, policy, actor, ticket, survey)

    return handler


async def finish(
    uow: UnitOfWork, policy: RepairPolicy, actor: Actor, ticket: Ticket, survey: Survey
) -> TapAnswer:
    """All three answered: the overall rating is the lowest, and it decides the job's fate."""
    scores = {q: int(getattr(survey, q)) for q in SURVEY_QUESTIONS}
    rating = min(scores.values())
    survey.answered_at = uow.now
    survey.rating = rating
    REPAIRS.record(uow, ticket, "survey_answered", actor.user_id, rating=rating, **scores)
    await CALLBACK.done(uow, ticket)
    unhappy = rating <= policy.low_rating
    await settle(uow, policy, ticket, not unhappy, actor.user_id)
    said = (
        text("repair.survey.sorry", number=number(ticket))
        if unhappy
        else text("repair.survey.thanks")
    )
    return TapAnswer(said, start_flow=COMMENT_FORM.open(survey=survey.id, number=number(ticket)))


async def save_comment(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
    """The optional comment after a rating."""
    survey = await uow.tickets.survey(int(answers["survey"]))
    if survey is not None and survey.telegram_user_id == actor.user_id and answers.get("comment"):
        survey.comment = answers["comment"]
    await uow.outbox.send(actor.chat_id, message(text("repair.survey.recorded")))
    return Outcome.FINISH
