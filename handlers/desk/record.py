"""Recording a front-desk request and following it to the end.

An inquiry is answered on the spot: it is written down with the answer given and closed at once,
so the desk's figures count it. A suggestion or a request for help is written down as a ticket
the front desk follows: its card waits in the front desk's group with **Done**, whoever there
records what was done, and the resident (if the unit has one in the bot) was told the number when
it was recorded and is told when it is done.
"""

from __future__ import annotations

from handlers import behalf
from handlers.actor import Actor, TapAnswer
from handlers.behalf import Recording
from handlers.desk.common import (
    ANSWERED_AT_ONCE,
    DESK_REQUESTS,
    FINISH_FORM,
    KINDS,
    card,
    kind_of,
    number,
)
from handlers.forms import Answers, Outcome
from handlers.messages import TextBody, message, text, verbatim
from handlers.roles import FRONT_DESK_ROLES
from handlers.tickets import TapHandler
from handlers.units import unit_label
from storage.models import Ticket
from storage.uow import UnitOfWork

FRONT_DESK_ONLY = text("desk.error.front_desk_only")


async def submit(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
    """The form staff filled in: numbered, then closed with its answer (an inquiry) or carded to
    the front desk with the resident told the number (a suggestion, a request for help)."""
    recording = Recording.of(answers)
    kind = str(answers.get("kind", ""))
    if recording is None or kind not in KINDS:  # the form is only ever opened by /record
        return Outcome.FINISH
    unit = await behalf.unit_of(uow, recording)
    if not await behalf.allowed(uow, actor, kind, common=unit is None):
        return Outcome.FINISH
    ticket = await DESK_REQUESTS.register(
        uow,
        actor,
        event="received",
        unit=unit,
        behalf=recording,
        department_key="front_desk",
        category=kind,
        details={"what": answers["what"]},
    )
    if kind in ANSWERED_AT_ONCE:
        details = {**ticket.details, "done": answers["answer"], "done_by": recording.recorder_name}
        await DESK_REQUESTS.transition(
            uow,
            ticket,
            "finish",
            actor=actor.user_id,
            event="answered",
            details=details,
            done_at=uow.now,
            closed_at=uow.now,
        )
        place = unit_label(unit.building, unit.entrance, unit.room) if unit else None
        said = text(
            "desk.recorded.answered",
            number=number(ticket),
            place=place or text("behalf.common_area"),
        )
        await uow.outbox.send(actor.chat_id, message(said))
        return Outcome.FINISH
    front_desk = await uow.people.department("front_desk")
    if front_desk is not None and front_desk.chat_id is not None:
        ticket.card_outbox_id = await uow.outbox.send(
            front_desk.chat_id, await card(uow, ticket), group=True
        )
    received = message(text(f"desk.resident.received.{kind}", number=number(ticket)))
    await behalf.announce(uow, actor, ticket, number(ticket), received)
    return Outcome.FINISH


def open_finish() -> TapHandler:
    """**Done** on the card: the front desk records what was done, in a private form."""
    return DESK_REQUESTS.opens_form(
        FINISH_FORM,
        "finish",
        toast=lambda ticket: text("desk.toast.form", number=number(ticket)),
        refused=lambda ticket: TapAnswer(already_done(ticket), alert=True),
        refusal=FRONT_DESK_ONLY,
        roles=FRONT_DESK_ROLES,
    )


def already_done(ticket: Ticket) -> TextBody:
    return text(
        "desk.error.done",
        number=number(ticket),
        name=verbatim(str(ticket.details.get("done_by", ""))),
    )


async def finish(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
    """What was done: the request is closed, its card shows it, and the resident reads it."""
    acting = await DESK_REQUESTS.form_staff(
        uow, actor, answers, roles=FRONT_DESK_ROLES, refusal=FRONT_DESK_ONLY
    )
    if acting is None:
        return Outcome.FINISH
    ticket, staff = acting.ticket, acting.staff
    done = str(answers["done"])
    if not await DESK_REQUESTS.transition(
        uow,
        ticket,
        "finish",
        actor=actor.user_id,
        event="done",
        details={**ticket.details, "done": done, "done_by": staff.name},
        done_at=uow.now,
        closed_at=uow.now,
    ):
        await uow.outbox.send(actor.chat_id, message(already_done(ticket)))
        return Outcome.FINISH
    await DESK_REQUESTS.refresh_card(uow, ticket, card)
    told = text(f"desk.resident.done.{kind_of(ticket)}", number=number(ticket))
    await DESK_REQUESTS.tell_reporter(uow, ticket, message(told, verbatim(done)))
    await uow.outbox.send(actor.chat_id, message(text("desk.done_recorded", number=number(ticket))))
    return Outcome.FINISH
