"""Resident registration: match a shared phone to the roster, or ask the front desk to confirm.

The procedure: a resident proves their phone by sharing their own contact. A phone on the imported
roster makes them a verified resident of that unit at once. Otherwise they name their unit and the
front desk approves or rejects; the resident hears the outcome either way. The front-desk card
shows only the phone's last four digits: phone numbers do not go to groups.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from handlers.actions import Action, Form
from handlers.actor import Actor, TapAnswer
from handlers.forms import Answers, Outcome
from handlers.menu import ResidentMenu
from handlers.messages import (
    REMOVE_KEYBOARD,
    MessageBody,
    TextBody,
    message,
    moment,
    text,
    verbatim,
)
from handlers.reach import reach
from handlers.roles import FRONT_DESK_ROLES, MANAGEMENT_ROLES
from handlers.rules.phones import normalize_phone, phone_tail
from handlers.units import unit_label
from storage.models import RegistrationRequest, Resident, Timer, Unit
from storage.uow import UnitOfWork

REMINDER = "registration.reminder"
APPROVE = Action("reg.approve")
REJECT = Action("reg.reject")
FORM = Form("registration")
TapHandler = Callable[[UnitOfWork, Actor, int], Awaitable[TapAnswer]]


def _unit_text(unit: Unit) -> TextBody:
    return unit_label(unit.building, unit.entrance, unit.room)


async def welcome_back(uow: UnitOfWork, actor: Actor, menu: ResidentMenu) -> bool:
    """Greet a known resident or staff member; False if this person still has to register."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is not None:
        await uow.outbox.send(
            actor.chat_id,
            message(
                text("start.staff", name=staff.name, role=text(f"role.{staff.role}")),
                reply_keyboard=REMOVE_KEYBOARD,
            ),
        )
        return True
    homes = await uow.people.residents_of(actor.user_id)
    if homes:
        units = [_unit_text(unit) for _, unit in homes]
        await uow.outbox.send(
            actor.chat_id,
            message(
                text("start.resident", name=homes[0][0].name),
                *units,
                reply_keyboard=REMOVE_KEYBOARD,
            ),
        )
        await uow.outbox.send(actor.chat_id, menu.body())
        return True
    pending = await uow.registrations.pending_for(actor.user_id)
    if pending is not None:
        await uow.outbox.send(
            actor.chat_id,
            message(
                text("registration.still_pending"),
                unit_label(pending.building, pending.entrance, pending.room),
            ),
        )
        return True
    return False


def match_roster(menu: ResidentMenu) -> Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """After the phone step: a roster match verifies the resident and ends the flow."""
        return await _match_roster(uow, actor, answers, menu)

    return hook


async def _match_roster(
    uow: UnitOfWork, actor: Actor, answers: Answers, menu: ResidentMenu
) -> Outcome:
    phone = normalize_phone(str(answers["phone"]), international=True) or str(answers["phone"])
    answers["phone"] = phone
    user = await uow.people.telegram_user(actor.user_id)
    if user is not None:
        user.phone = phone
    matches = await uow.people.roster_by_phone(phone)
    if not matches:
        await uow.outbox.send(
            actor.chat_id,
            message(text("registration.not_on_roster"), reply_keyboard=REMOVE_KEYBOARD),
        )
        return Outcome.CONTINUE
    units: list[TextBody] = []
    for resident in matches:
        resident.telegram_user_id = actor.user_id
        resident.verified_at = uow.now
        unit = await uow.people.unit_by_id(resident.unit_id)
        if unit is not None:
            units.append(_unit_text(unit))
        uow.events.record(
            "resident.verified", "resident", resident.id, actor=actor.user_id, via="roster"
        )
    await uow.outbox.send(
        actor.chat_id,
        message(
            text("registration.matched", name=matches[0].name),
            *units,
            reply_keyboard=REMOVE_KEYBOARD,
        ),
    )
    await uow.outbox.send(actor.chat_id, menu.body())
    return Outcome.FINISH


def summary(answers: Answers) -> list[TextBody]:
    return [
        text("registration.summary"),
        unit_label(answers["building"], answers["entrance"], answers["room"]),
    ]


def submit_request(
    reminder_due: Callable[[datetime], datetime],
) -> Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]:
    """Confirmed: file the request, card to the front desk, and a reminder if nobody decides."""

    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        request = await _file_request(uow, actor, answers)
        if request is not None:
            await uow.timers.schedule(
                REMINDER,
                reminder_due(uow.now),
                subject_type="registration",
                subject_id=request.id,
            )
        return Outcome.FINISH

    return hook


async def remind(uow: UnitOfWork, timer: Timer) -> None:
    """Still undecided after the configured time: ask the front desk again, tell supervisors."""
    request = await uow.registrations.get(int(timer.subject_id or 0))
    if request is None or request.status != "pending":
        return
    said = message(
        text("registration.reminder", number=request.id),
        buttons=_card(request)["buttons"],
    )
    front_desk = await uow.people.department("front_desk")
    if front_desk is not None and front_desk.chat_id is not None:
        await uow.outbox.send(front_desk.chat_id, said, group=True)
    for member in await uow.people.staff_with_roles(set(MANAGEMENT_ROLES)):
        await reach(
            uow, member.telegram_user_id, message(text("registration.reminder", number=request.id))
        )
    uow.events.record("registration.reminded", "registration", request.id, actor=None)


async def _file_request(
    uow: UnitOfWork, actor: Actor, answers: Answers
) -> RegistrationRequest | None:
    """File the request and card it to the front desk; None if one is already waiting."""
    if await uow.registrations.pending_for(actor.user_id) is not None:
        await uow.outbox.send(actor.chat_id, message(text("registration.still_pending")))
        return None
    front_desk = await uow.people.department("front_desk")
    request = await uow.registrations.add(
        RegistrationRequest(
            telegram_user_id=actor.user_id,
            name=actor.full_name,
            phone=str(answers["phone"]),
            building=answers["building"],
            entrance=answers["entrance"],
            room=answers["room"],
        )
    )
    uow.events.record("registration.requested", "registration", request.id, actor=actor.user_id)
    if front_desk is not None and front_desk.chat_id is not None:
        request.card_outbox_id = await uow.outbox.send(
            front_desk.chat_id, _card(request), group=True
        )
    await uow.outbox.send(
        actor.chat_id,
        message(
            text("registration.submitted"),
            unit_label(request.building, request.entrance, request.room),
            reply_keyboard=REMOVE_KEYBOARD,
        ),
    )
    return request


def _card(request: RegistrationRequest, outcome: list[TextBody] | None = None) -> MessageBody:
    """The front-desk card: with Approve / Reject while pending, with the outcome once decided."""
    lines = [
        text("registration.card.title", number=request.id),
        text("registration.card.name", name=verbatim(request.name)),
        unit_label(request.building, request.entrance, request.room),
        text("registration.card.phone_tail", tail=phone_tail(request.phone)),
        text("registration.card.requested_at", at=moment(request.created_at)),
    ]
    if outcome is not None:
        return message(*lines, *outcome)
    return message(
        *lines,
        buttons=[
            [
                APPROVE.button(text("registration.card.approve"), request.id),
                REJECT.button(text("registration.card.reject"), request.id),
            ]
        ],
    )


async def _decidable(
    uow: UnitOfWork, actor: Actor, request_id: int
) -> tuple[RegistrationRequest, str] | TapAnswer:
    """The pending request and the deciding staff member's name, or why they may not decide."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None or staff.role not in FRONT_DESK_ROLES:
        return TapAnswer(text("registration.error.not_allowed"), alert=True)
    request = await uow.registrations.get(request_id)
    if request is None:
        return TapAnswer(text("error.record_not_found"), alert=True)
    if request.status != "pending":
        status = text(f"registration.status.{request.status}")
        return TapAnswer(text("registration.error.already_decided", status=status), alert=True)
    return request, staff.name


def approve(menu: ResidentMenu) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, request_id: int) -> TapAnswer:
        """Front desk vouches for the unit: the requester becomes a verified resident of it."""
        return await _approve(uow, actor, request_id, menu)

    return handler


async def _approve(uow: UnitOfWork, actor: Actor, request_id: int, menu: ResidentMenu) -> TapAnswer:
    found = await _decidable(uow, actor, request_id)
    if isinstance(found, TapAnswer):
        return found
    request, staff_name = found
    if not await uow.registrations.decide(request.id, "approved", actor.user_id):
        return TapAnswer(text("registration.error.already_decided_race"), alert=True)
    unit = await uow.people.unit(request.building, request.entrance, request.room, create=True)
    assert unit is not None
    resident = await uow.people.resident_at(unit.id, request.phone)
    if resident is None:
        resident = Resident(
            estate_id=uow.estate_id,
            unit_id=unit.id,
            name=request.name,
            phone=request.phone,
            source="approved",
            created_at=uow.now,
        )
        uow.people.add_resident(resident)
    resident.telegram_user_id = request.telegram_user_id
    resident.verified_at = uow.now
    await uow.session.flush()
    request.resident_id = resident.id
    uow.events.record("registration.approved", "registration", request.id, actor=actor.user_id)
    uow.events.record(
        "resident.verified", "resident", resident.id, actor=actor.user_id, via="front_desk"
    )
    await _close_card(uow, request, text("registration.card.approved", by=verbatim(staff_name)))
    await reach(
        uow, request.telegram_user_id, message(text("registration.approved"), _unit_text(unit))
    )
    await reach(uow, request.telegram_user_id, menu.body())
    return TapAnswer(text("registration.toast.approved"))


async def reject(uow: UnitOfWork, actor: Actor, request_id: int) -> TapAnswer:
    """Front desk cannot confirm the unit: the requester is told how to reach the office."""
    found = await _decidable(uow, actor, request_id)
    if isinstance(found, TapAnswer):
        return found
    request, staff_name = found
    if not await uow.registrations.decide(request.id, "rejected", actor.user_id):
        return TapAnswer(text("registration.error.already_decided_race"), alert=True)
    uow.events.record("registration.rejected", "registration", request.id, actor=actor.user_id)
    await _close_card(uow, request, text("registration.card.rejected", by=verbatim(staff_name)))
    await reach(uow, request.telegram_user_id, message(text("registration.rejected")))
    return TapAnswer(text("registration.toast.rejected"))


async def _close_card(uow: UnitOfWork, request: RegistrationRequest, outcome: TextBody) -> None:
    """Edit the card in place: the outcome, who decided, when; no buttons left to tap."""
    if request.card_outbox_id is None:
        return
    decided_at = text("registration.card.decided_at", at=moment(uow.now))
    await uow.outbox.edit(request.card_outbox_id, _card(request, [outcome, decided_at]))


async def start_gate(uow: UnitOfWork, actor: Actor) -> bool:
    """Only verified residents report or complain; others are told how to register."""
    if await uow.people.residents_of(actor.user_id):
        return True
    await uow.outbox.send(actor.chat_id, message(text("repair.register_first")))
    return False
