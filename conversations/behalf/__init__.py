"""Recording on someone's behalf (`/record`): the front desk takes down what a resident phones in
or brings to the counter (a repair, a complaint, an inquiry, a suggestion, a request for help),
a guard a fault found on patrol.

Staff answer two or three questions (what it is, how it came in, for which unit or a common
area), then that kind's form opens with that filled in: the very form a resident fills in for a
repair or a complaint, the front desk's short one for the lighter kinds (conversations/desk),
and they type the resident's answers. A guard goes straight to the repair form for a common
area. Who may record what is checked here and again when the form is submitted
(handlers/behalf.py).
"""

from __future__ import annotations

from typing import Any

from conversations.feature import Command, Feature, FeatureContext
from conversations.steps import AskChoice, AskText, Flow, Option
from handlers import behalf
from handlers.actor import Actor, FlowStart, Invocation
from handlers.behalf import ANSWER, CHANNELS, COMPLAINT, PATROL_ROLES, PLACE, REPAIR, Recording
from handlers.complaints.common import COMPLAINT_FORM
from handlers.desk.common import KINDS as DESK_KINDS
from handlers.desk.common import REQUEST_FORM
from handlers.forms import Answers, Outcome
from handlers.messages import TextBody, message, text
from handlers.repairs.common import REPORT_FORM
from handlers.units import unit_label
from storage.models import Staff, Unit
from storage.uow import UnitOfWork

FORM = "record"
KINDS = (REPAIR, COMPLAINT, *DESK_KINDS)
_FORMS = {
    REPAIR: REPORT_FORM.name,
    COMPLAINT: COMPLAINT_FORM.name,
    **dict.fromkeys(DESK_KINDS, REQUEST_FORM.name),  # the front desk's short form
}


def _at_home(answers: Answers) -> bool:
    return answers.get("where") == "home"


def _channels(answers: Answers) -> list[Option]:
    """How it came in; a patrol finds faults (repairs, complaints), nobody's question."""
    found = answers.get("kind") in (REPAIR, COMPLAINT)
    shown = [c for c in CHANNELS if found or c != "patrol"]
    return [Option(c, text(f"behalf.channel_option.{c}")) for c in shown]


async def _check_unit(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
    """The typed unit must be on record; a typo ends the form with what to type instead."""
    unit = await behalf.find_unit(uow, str(answers["unit"]))
    if unit is None:
        await uow.outbox.send(actor.chat_id, message(text("behalf.error.no_unit")))
        return Outcome.FINISH
    answers["_unit"] = unit.id
    return Outcome.CONTINUE


def handover(staff: Staff, kind: str, channel: str, unit: Unit | None) -> FlowStart:
    """The kind's form (a resident's own for a repair or a complaint), opened for staff with the
    recording and whom it is for in its answers."""
    recording = Recording(channel, unit.id if unit else None, staff.telegram_user_id, staff.name)
    place: TextBody | None = unit_label(unit.building, unit.entrance, unit.room) if unit else None
    answers: dict[str, Any] = {ANSWER: recording.answer(), PLACE: place}
    if kind == REPAIR:  # the Where question offers this unit (or the common area) only
        answers["_homes"] = [[unit.id, unit.building, unit.entrance, unit.room]] if unit else []
    if kind in DESK_KINDS:
        answers["kind"] = kind
    return FlowStart(_FORMS[kind], answers)


async def _submit(uow: UnitOfWork, actor: Actor, answers: Answers) -> FlowStart | Outcome:
    staff = await behalf.recorder(uow, actor)
    kind = answers["kind"]
    unit = await uow.people.unit_by_id(int(answers["_unit"])) if _at_home(answers) else None
    if staff is None or not behalf.may_record(staff.role, kind, common=unit is None):
        await uow.outbox.send(actor.chat_id, behalf.refused())
        return Outcome.FINISH
    place = unit_label(unit.building, unit.entrance, unit.room) if unit else None
    await uow.outbox.send(
        actor.chat_id,
        message(
            text(
                f"behalf.start.{kind}",
                place=place or text("behalf.common_area"),
                channel=behalf.channel_label(answers["channel"]),
            )
        ),
    )
    return handover(staff, kind, answers["channel"], unit)


RECORD_FLOW = Flow(
    name=FORM,
    steps=(
        AskChoice(
            name="kind",
            prompt=text("behalf.ask_kind"),
            choices=[Option(k, text(f"behalf.kind.{k}")) for k in KINDS],
        ),
        AskChoice(name="channel", prompt=text("behalf.ask_channel"), choices=_channels),
        AskChoice(
            name="where",
            prompt=text("behalf.ask_where"),
            choices=[
                Option("home", text("behalf.where.home")),
                Option("common", text("behalf.common_area")),
            ],
        ),
        AskText(
            name="unit",
            prompt=text("behalf.ask_unit"),
            max_length=40,
            when=_at_home,
            then=_check_unit,
        ),
    ),
    submit=_submit,
    cancelled=text("behalf.cancelled"),
    help=text("behalf.help"),
)


async def _record(uow: UnitOfWork, actor: Actor, _call: Invocation) -> FlowStart | None:
    staff = await behalf.recorder(uow, actor)
    if staff is None:
        await uow.outbox.send(actor.chat_id, behalf.refused())
        return None
    if staff.role in PATROL_ROLES:  # what a patrol finds: a common-area repair, nothing else
        await uow.outbox.send(actor.chat_id, message(text("behalf.start.patrol")))
        return handover(staff, REPAIR, "patrol", None)
    return FlowStart(FORM, {})


def feature(_context: FeatureContext) -> Feature:
    return Feature(
        name="behalf",
        flows=(RECORD_FLOW,),
        commands=(Command("record", _record, audience="staff"),),
    )
