"""Requests recorded on someone's behalf: a resident phoned or walked in, or a patrol found a fault.

The manual's reception procedure has the front desk write down what a resident says on the phone
or at the counter (a repair, a complaint, an inquiry, a suggestion, a request for help), and its
building officers and guards turn what they find on patrol into requests. The bot runs the same
repair and complaint forms residents fill in, and the front desk's own short form for the lighter
kinds (handlers/desk); what differs is written once here, for all: who may record what (decided on
the server, when the form opens and again when it is submitted, since a role may change in
between), whom the ticket is for (the unit's resident who uses the bot, if any, not whoever typed
it), how it came in (its channel) and who recorded it, and who is told the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.actor import Actor
from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.reach import reach
from handlers.roles import FRONT_DESK_ROLES
from handlers.units import unit_label
from storage.models import Resident, Staff, Ticket, Unit
from storage.uow import UnitOfWork

CHAT = "chat"
"""The channel of a request the resident filed in chat themselves (the column's default)."""
CHANNELS = ("phone", "visit", "patrol")
"""How a request recorded by staff came in."""
PATROL_ROLES = frozenset({"guard"})
"""Record what they find on patrol: common-area repairs only, never a home."""
RECORDING_ROLES = FRONT_DESK_ROLES | PATROL_ROLES
ANSWER = "_behalf"
"""The form answer that marks a form as filled in by staff for someone else."""
PLACE = "_for"
"""The form answer naming whom staff record it for (a unit's label; none: a common area)."""
REPAIR = "repair"
COMPLAINT = "complaint"

_SEPARATORS = re.compile(r"[\s\-/–—,，、#]+")


@dataclass(frozen=True)
class Recording:
    """Who is recording, for which unit (None: a common area), and how the request came in."""

    channel: str
    unit_id: int | None
    recorder_user_id: int
    recorder_name: str

    def answer(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "unit": self.unit_id,
            "by": self.recorder_user_id,
            "name": self.recorder_name,
        }

    @classmethod
    def of(cls, answers: dict[str, Any]) -> Recording | None:
        """The recording a form's answers carry; None for a resident's own form."""
        given = answers.get(ANSWER)
        if not isinstance(given, dict):
            return None
        return cls(given["channel"], given.get("unit"), int(given["by"]), str(given["name"]))


def may_record(role: str | None, kind: str, *, common: bool) -> bool:
    """The front desk (and those overseeing it) records anything for any unit; a patrol only
    faults in common areas, which are repairs."""
    if role in FRONT_DESK_ROLES:
        return True
    return role in PATROL_ROLES and kind == REPAIR and common


def summary_title(answers: dict[str, Any], kind: str, own: TextBody) -> TextBody:
    """A form's summary title: the resident's own (`own`: "Your repair request"), or, for staff
    recording on someone's behalf, in their terms (`recorded_title`)."""
    return own if Recording.of(answers) is None else recorded_title(answers, kind)


def recorded_title(answers: dict[str, Any], kind: str) -> TextBody:
    """ "Repair request recorded for Building 3, entrance 2, room 301": what and whom for."""
    return text(f"behalf.summary.{kind}", place=answers.get(PLACE) or text("behalf.common_area"))


def refused() -> MessageBody:
    return message(text("behalf.refused"))


async def recorder(uow: UnitOfWork, actor: Actor) -> Staff | None:
    """The staff member who may record anything at all, or None (a resident, a technician)."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None or staff.role not in RECORDING_ROLES:
        return None
    return staff


async def allowed(uow: UnitOfWork, actor: Actor, kind: str, *, common: bool) -> bool:
    """Checked again at submit: the person is still staff whose role may record this. A refusal
    is said to them here."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is not None and may_record(staff.role, kind, common=common):
        return True
    await uow.outbox.send(actor.chat_id, refused())
    return False


def parse_unit(typed: str) -> tuple[str, str, str] | None:
    """'3-2-301', '3 2 301', '3/2/301' -> ('3', '2', '301'): building, entrance, room."""
    parts = [p for p in _SEPARATORS.split(typed.strip()) if p]
    if len(parts) != 3:
        return None
    building, entrance, room = parts
    return building, entrance, room


async def find_unit(uow: UnitOfWork, typed: str) -> Unit | None:
    parts = parse_unit(typed)
    if parts is None:
        return None
    return await uow.people.unit(*parts, create=False)


async def unit_of(uow: UnitOfWork, recording: Recording) -> Unit | None:
    if recording.unit_id is None:
        return None
    return await uow.people.unit_by_id(recording.unit_id)


async def resident_for(
    uow: UnitOfWork, unit: Unit | None
) -> tuple[Resident | None, Resident | None]:
    """The unit's first resident who uses the bot (None if nobody does), and the one the ticket
    is about: them, else the first on the roster (whose phone the front desk and the technician
    call), else nobody."""
    if unit is None:
        return None, None
    on_record = await uow.people.residents_at(unit.id)
    in_bot = next((r for r in on_record if r.telegram_user_id is not None), None)
    return in_bot, in_bot or (on_record[0] if on_record else None)


def columns(recording: Recording) -> dict[str, Any]:
    """What a recorded ticket stores about how it came in (the card and the reports read it)."""
    return {"channel": recording.channel, "recorded_by_user_id": recording.recorder_user_id}


def channel_label(channel: str) -> TextBody:
    return text(f"behalf.channel.{channel}")


def card_lines(ticket: Ticket) -> list[TextBody]:
    """ "Recorded by Wang Fang · by phone", and who follows it when no resident can be told."""
    if ticket.channel == CHAT:
        return []
    lines = [
        text(
            "behalf.card.recorded",
            name=verbatim(str(ticket.details.get("recorded_by", ""))),
            channel=channel_label(ticket.channel),
        )
    ]
    if ticket.reporter_user_id is None:
        lines.append(text("behalf.card.front_desk_follows"))
    return lines


async def announce(
    uow: UnitOfWork, actor: Actor, ticket: Ticket, number: str, to_resident: MessageBody
) -> None:
    """The resident (if the unit has one in the bot) gets the number privately, in their
    language, as if they had filed it; the person recording is told whether they were."""
    intro = text("behalf.resident.recorded", channel=channel_label(ticket.channel))
    told = ticket.reporter_user_id is not None and await reach(
        uow,
        ticket.reporter_user_id,
        {**to_resident, "lines": [intro, *to_resident.get("lines", [])]},
    )
    place = (
        unit_label(*ticket.details["unit"])
        if ticket.details.get("unit")
        else text("behalf.common_area")
    )
    said = (
        text("behalf.recorded.told", number=number, place=place)
        if told
        else text("behalf.recorded.untold", number=number, place=place)
    )
    await uow.outbox.send(actor.chat_id, message(said))
