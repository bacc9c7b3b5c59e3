"""Paid work: the technician quotes before starting, the resident agrees or declines.

The manual's paid services (有偿服务): engineering fills in the labour and material costs and the
resident signs for them. Here the technician who accepted the job taps **Quote** on its card and
fills in a private form (labour, materials, a note); the resident reads the quote in the chat with
**Agree** / **Decline**. Agreeing puts the job back in the technician's hands (the card says the
quote was agreed, and the result form's fees start from it); declining stops the job there, before
any work: the card says so, the technician and the front desk are told.

A resident the bot cannot write to, or one who has not answered within `repair_quote_timeout`, is
a phone task for the front desk, which records what they said on the phone. Only the job's
reporter answers a quote (not a neighbour who joined a common-area job), and only while it is
still the open question: a double tap, or a button of a quote already answered, changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.actor import Actor, TapAnswer
from handlers.forms import Answers, Outcome
from handlers.messages import MessageBody, TextBody, message, moment, text, verbatim
from handlers.reach import post_task, reach_privately, to_group
from handlers.repairs.common import (
    AGREE,
    CALL,
    DECLINE,
    QUOTE_BY_PHONE,
    QUOTE_FORM,
    QUOTE_WAIT,
    REPAIRS,
    number,
    place_label,
    quote_line,
    quote_of,
    refresh_card,
)
from handlers.repairs.policy import RepairPolicy
from handlers.repairs.work import STAFF_ONLY, refusal
from handlers.roles import FRONT_DESK_ROLES
from handlers.tickets import Acting, TapHandler
from storage.models import Staff, Ticket, Timer
from storage.uow import UnitOfWork

TASK = "quote_task"
"""The ticket's detail that keeps the front desk's phone task card about its quote."""
ASKED = "quote_message"
"""The ticket's detail that keeps the resident's quote message, whose buttons go once answered."""
FRONT_DESK_ONLY = text("repair.error.front_desk_calls")


def _acceptor(staff: Staff, ticket: Ticket) -> TapAnswer | None:
    """Only the technician who accepted the job quotes for it: they saw the work."""
    if ticket.assignee_user_id == staff.telegram_user_id:
        return None
    return TapAnswer(text("repair.error.not_quoter"), alert=True)


def open_form(policy: RepairPolicy) -> TapHandler:
    """Quote on the card: the technician who accepted the job writes the costs, privately."""
    return REPAIRS.opens_form(
        QUOTE_FORM,
        "quote",
        toast=lambda ticket: text("repair.toast.quote_form", number=number(ticket)),
        refused=refusal,
        refusal=STAFF_ONLY,
        may=_acceptor,
    )


def send(policy: RepairPolicy) -> Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The quote is submitted: the job waits for the resident's answer, who reads it."""
        ticket = await REPAIRS.form_ticket(uow, answers)
        staff = await uow.people.staff_member(actor.user_id)
        refused = None if staff is None or ticket is None else _acceptor(staff, ticket)
        if staff is None or ticket is None or refused is not None:
            await uow.outbox.send(actor.chat_id, message(text("repair.error.not_quoter")))
            return Outcome.FINISH
        quote = {
            "labour": answers["labour"],
            "material": answers["material"],
            "note": answers.get("note") or "",
            "by": staff.name,
            "at": uow.now.isoformat(),
        }
        details = {**ticket.details, "quote": quote}
        details.pop(TASK, None)
        if not await REPAIRS.transition(
            uow,
            ticket,
            "quote",
            actor=actor.user_id,
            event="quoted",
            data={"labour": quote["labour"], "material": quote["material"]},
            details=details,
        ):
            await uow.outbox.send(actor.chat_id, message(refusal(ticket).text))
            return Outcome.FINISH
        await REPAIRS.cancel(uow, ticket, QUOTE_WAIT)
        await REPAIRS.schedule(uow, ticket, QUOTE_WAIT, policy.quote_due(uow.now))
        await refresh_card(uow, policy, ticket)
        said = text("repair.quote.sent", number=number(ticket))
        await uow.outbox.send(actor.chat_id, message(said))
        await _ask_resident(uow, ticket)
        return Outcome.FINISH

    return hook


def _quote_lines(ticket: Ticket) -> list[TextBody]:
    quote = quote_of(ticket) or {}
    lines: list[TextBody] = [
        text("repair.quote.resident", number=number(ticket), name=verbatim(quote.get("by", ""))),
        quote_line(quote),
    ]
    if quote.get("note"):
        lines.append(text("repair.quote.note", note=verbatim(quote["note"])))
    return lines


def _for_resident(ticket: Ticket) -> MessageBody:
    return message(
        *_quote_lines(ticket),
        text("repair.quote.ask"),
        buttons=[
            [
                AGREE.button(text("repair.button.agree"), ticket.id),
                DECLINE.button(text("repair.button.decline"), ticket.id),
            ]
        ],
    )


async def _ask_resident(uow: UnitOfWork, ticket: Ticket) -> None:
    """The reporter reads the quote; one the bot cannot write to is called by the front desk."""
    reporter = ticket.reporter_user_id
    asked = None
    if reporter is not None:
        asked = await reach_privately(uow, reporter, _for_resident(ticket))
    if asked is None:
        await _phone_task(uow, ticket)
    else:
        ticket.details = {**ticket.details, ASKED: asked}


def _task(ticket: Ticket, outcome: TextBody | None = None) -> MessageBody:
    quote = quote_of(ticket) or {}
    lines: list[TextBody] = [
        text(
            "repair.quote.task",
            number=number(ticket),
            name=verbatim(ticket.details.get("reporter_name", "")),
            place=place_label(ticket),
            technician=verbatim(quote.get("by", "")),
        ),
        quote_line(quote),
    ]
    if outcome is not None:
        return message(*lines, outcome)
    return message(
        *lines,
        buttons=[
            [CALL.button(text("repair.phone.button.number"), ticket.id)],
            [
                QUOTE_BY_PHONE.button(text("repair.quote.button.agreed"), ticket.id, 1),
                QUOTE_BY_PHONE.button(text("repair.quote.button.declined"), ticket.id, 0),
            ],
        ],
    )


async def _phone_task(uow: UnitOfWork, ticket: Ticket) -> None:
    REPAIRS.record(uow, ticket, "quote_phone_task", None)
    await post_task(uow, ticket, TASK, _task(ticket))


def waited(policy: RepairPolicy) -> Callable[[UnitOfWork, Timer], Awaitable[None]]:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """The resident has not answered the quote in time: the front desk calls them."""
        ticket = await REPAIRS.timer_ticket(uow, timer.subject_id)
        if ticket is None or not REPAIRS.allows(ticket, "agree") or ticket.details.get(TASK):
            return
        await _phone_task(uow, ticket)

    return on_timer


async def answer(
    uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket, agreed: bool, actor: int, via: str
) -> bool:
    """The resident's answer (`via` "chat", or "phone" as the front desk heard it): agreed, the
    technician goes on; declined, the job stops. False when the quote was already answered."""
    quote = {**(quote_of(ticket) or {}), "answered_at": uow.now.isoformat(), "via": via}
    quote["answer"] = "agreed" if agreed else "declined"
    action = "agree" if agreed else "decline"
    if not await REPAIRS.transition(
        uow,
        ticket,
        action,
        actor=actor,
        event=f"quote_{quote['answer']}",
        data={"via": via},
        details={**ticket.details, "quote": quote},
    ):
        return False
    await REPAIRS.cancel(uow, ticket, *((QUOTE_WAIT,) if agreed else ()))
    await refresh_card(uow, policy, ticket)
    if asked := ticket.details.get(ASKED):  # the resident's quote loses its buttons
        answered = (
            text("repair.quote.answer_agreed") if agreed else text("repair.quote.answer_declined")
        )
        await uow.outbox.edit(int(asked), message(*_quote_lines(ticket), answered))
    amounts = quote_line(quote)
    facts = {"number": number(ticket), "amounts": amounts}
    said = (
        text("repair.quote.technician_agreed", **facts)
        if agreed
        else text("repair.quote.technician_declined", **facts)
    )
    await REPAIRS.tell_assignee(uow, ticket, message(said))
    # The front desk hears of a decline in the chat; one it took on the phone, it recorded.
    if not agreed and via == "chat" and ticket.department_key not in (None, "front_desk"):
        said = text("repair.quote.desk_declined", number=number(ticket), amounts=amounts)
        await to_group(uow, ("front_desk",), message(said))
    return True


def _told(ticket: Ticket, agreed: bool) -> MessageBody:
    facts = {"number": number(ticket), "name": verbatim((quote_of(ticket) or {}).get("by", ""))}
    if agreed:
        return message(text("repair.quote.resident_agreed", **facts))
    return message(text("repair.quote.resident_declined", **facts))


def resident_answer(policy: RepairPolicy, agreed: bool) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """The resident agrees to the quote, or declines it (their own job only)."""
        ticket = await REPAIRS.followed(uow, actor, ticket_id)
        if isinstance(ticket, TapAnswer):
            return ticket
        if ticket.reporter_user_id != actor.user_id:
            return TapAnswer(text("error.record_not_found"), alert=True)
        if not await answer(uow, policy, ticket, agreed, actor.user_id, "chat"):
            return TapAnswer(text("repair.quote.not_open", number=number(ticket)), alert=True)
        if task := ticket.details.get(TASK):
            outcome = text("repair.quote.answered_in_chat")
            await uow.outbox.edit(int(task), _task(ticket, outcome))
        await uow.outbox.send(actor.chat_id, _told(ticket, agreed))
        return TapAnswer(text("repair.toast.quote_answered"))

    return handler


def answered_by_phone(policy: RepairPolicy) -> TapHandler:
    @REPAIRS.staff_action(refusal=FRONT_DESK_ONLY, roles=FRONT_DESK_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting, agreed: int) -> TapAnswer:
        """What the resident said on the phone about the quote."""
        ticket, staff = acting.ticket, acting.staff
        if agreed not in (0, 1):
            return TapAnswer(text("error.record_not_found"), alert=True)
        if not await answer(uow, policy, ticket, bool(agreed), actor.user_id, "phone"):
            return TapAnswer(text("repair.quote.not_open", number=number(ticket)), alert=True)
        facts = {"name": verbatim(staff.name), "at": moment(uow.now)}
        outcome = (
            text("repair.quote.phone_agreed", **facts)
            if agreed
            else text("repair.quote.phone_declined", **facts)
        )
        if task := ticket.details.get(TASK):
            await uow.outbox.edit(int(task), _task(ticket, outcome))
        await REPAIRS.tell_reporter(uow, ticket, _told(ticket, bool(agreed)))
        return TapAnswer(text("repair.phone.recorded", number=number(ticket)))

    return handler
