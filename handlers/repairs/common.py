"""What every repair step shares: the ticket's number, its dispatch card, and who to tell."""

from __future__ import annotations

from typing import Any

from handlers.messages import (
    ButtonBody,
    MessageBody,
    TextBody,
    button,
    day,
    localized,
    message,
    moment,
    text,
    verbatim,
)
from handlers.reach import can_message
from handlers.registration import unit_label
from handlers.repairs.policy import SLOTS, RepairPolicy
from storage.models import Ticket
from storage.uow import UnitOfWork

KIND = "repair"
SUBJECT = "ticket"

# Timer kinds: the repair clock, in the order a job meets them.
ACCEPT_SLA = "repair.accept_sla"  # not accepted in time: ping the group, tell supervisors
WINDOW_END = "repair.window_end"  # the agreed visit window passed and it is not done
CONFIRM_TIMEOUT = "repair.confirm_timeout"  # the resident's silence counts as confirmed
SURVEY = "repair.survey"  # the callback survey
FIXING_ROLES = frozenset({"supervisor", "admin"})  # may act on any department's job


def number(ticket: Ticket) -> str:
    return f"R-{ticket.number:04d}"


def category_label(policy: RepairPolicy, key: str | None) -> TextBody:
    category = policy.category(key or "")
    return localized(category.names) if category else verbatim(key or "?")


def place_label(ticket: Ticket) -> TextBody:
    details = ticket.details
    if details.get("unit"):
        return unit_label(*details["unit"])
    return text("repair.place.common", place=verbatim(details.get("place", "")))


def window_label(ticket: Ticket) -> TextBody:
    details = ticket.details
    slot = details.get("slot", "")
    start, end = SLOTS.get(slot, (None, None))
    return text(
        "repair.window",
        day=day(details["day"]) if details.get("day") else "",
        slot=text(f"repair.slot.{slot}") if slot in SLOTS else verbatim(slot),
        start=f"{start:%H:%M}" if start else "",
        end=f"{end:%H:%M}" if end else "",
    )


def fees_line(ticket: Ticket) -> TextBody:
    details = ticket.details
    return text(
        "repair.fees",
        labour=details.get("labour_fee", "0.00"),
        material=details.get("material_fee", "0.00"),
    )


async def card(
    uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket, *, superseded: bool = False
) -> MessageBody:
    """The dispatch card as it should read now: facts, state, and the buttons that apply.

    A `superseded` card (the job was reopened and re-posted) keeps its facts and loses its
    buttons, so nobody acts on the old one.
    """
    details = ticket.details
    followers = len(await uow.tickets.followers(ticket))
    lines: list[TextBody] = [
        text("repair.card.title", number=number(ticket))
        if not ticket.urgent
        else text("repair.card.title_urgent", number=number(ticket)),
        text("repair.card.category", category=category_label(policy, ticket.category)),
        text("repair.card.place", place=place_label(ticket)),
        text("repair.card.visit", window=window_label(ticket)),
        text("repair.card.description", description=verbatim(details.get("description", ""))),
        text(
            "repair.card.reporter",
            name=verbatim(details.get("reporter_name", "")),
            count=followers,
        ),
    ]
    if ticket.reopened:
        lines.append(text("repair.card.reopened", times=ticket.reopened))
    buttons: list[list[ButtonBody]] = []
    if superseded:
        lines.append(text("repair.card.superseded"))
    elif ticket.status == "open":
        lines.append(text("repair.card.waiting"))
        buttons = [[button(text("repair.button.accept"), "rep.accept", ticket.id)]]
    elif ticket.status == "accepted":
        lines.append(
            text(
                "repair.card.accepted",
                name=verbatim(details.get("assignee_name", "")),
                at=moment(ticket.accepted_at or uow.now),
            )
        )
        if details.get("contact_pending"):
            lines.append(
                text(
                    "repair.card.open_private_chat", name=verbatim(details.get("assignee_name", ""))
                )
            )
        buttons = [
            [
                button(text("repair.button.done"), "rep.done", ticket.id),
                button(text("repair.button.hand_back"), "rep.handback", ticket.id),
            ]
        ]
    else:
        lines.append(
            text(
                "repair.card.done",
                name=verbatim(details.get("assignee_name", "")),
                at=moment(ticket.done_at or uow.now),
            )
        )
        lines.append(text("repair.card.result", result=verbatim(details.get("result", ""))))
        lines.append(fees_line(ticket))
        lines.append(text("repair.card.status", status=text(f"repair.status.{ticket.status}")))
        if details.get("auto_confirmed"):
            lines.append(text("repair.card.auto_confirmed"))
    return message(*lines, buttons=buttons, photos=list(details.get("photos") or []))


async def post_card(uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket) -> None:
    """Put a fresh card in the department's group (a new job, or one reopened)."""
    department = await uow.people.department(ticket.department_key or "front_desk")
    if department is None or department.chat_id is None:
        department = await uow.people.department("front_desk")
    if department is None or department.chat_id is None:
        return
    ticket.card_outbox_id = await uow.outbox.send(
        department.chat_id, await card(uow, policy, ticket), group=True, urgent=ticket.urgent
    )


async def refresh_card(uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket) -> None:
    """Edit the card in place to show the ticket as it is now."""
    if ticket.card_outbox_id is not None:
        await uow.outbox.edit(ticket.card_outbox_id, await card(uow, policy, ticket))


async def tell_residents(uow: UnitOfWork, ticket: Ticket, body: MessageBody) -> None:
    """Everyone affected hears about progress: the reporter and those who joined."""
    for user_id in await uow.tickets.followers(ticket):
        await uow.outbox.send(user_id, body)


async def alert_supervisors(uow: UnitOfWork, body: MessageBody) -> int:
    """Escalations go to each supervisor privately (and to the managers' group if there is one)."""
    told = 0
    for member in await uow.people.staff_with_roles({"supervisor"}):
        if can_message(await uow.people.telegram_user(member.telegram_user_id)):
            await uow.outbox.send(member.telegram_user_id, body)
            told += 1
    managers = await uow.people.department("managers")
    if managers is not None and managers.chat_id is not None:
        await uow.outbox.send(managers.chat_id, body, group=True)
        told += 1
    if told == 0:  # no supervisor can be reached privately: the front desk must see it
        front_desk = await uow.people.department("front_desk")
        if front_desk is not None and front_desk.chat_id is not None:
            await uow.outbox.send(front_desk.chat_id, body, group=True)
            told += 1
    return told


def record(uow: UnitOfWork, ticket: Ticket, action: str, actor: int | None, **data: Any) -> None:
    uow.events.record(
        f"repair.{action}", SUBJECT, ticket.id, actor=actor, number=number(ticket), **data
    )


async def resident_unreachable(uow: UnitOfWork, user_id: int) -> None:
    """A resident blocked the bot: whoever works on their open jobs must reach them another way."""
    user = await uow.people.telegram_user(user_id)
    name = " ".join(filter(None, (user.first_name, user.last_name))) if user else str(user_id)
    for ticket in await uow.tickets.of_user(KIND, user_id, limit=20):
        if ticket.status == "closed":
            continue
        department = await uow.people.department(ticket.department_key or "front_desk")
        if department is None or department.chat_id is None:
            continue
        await uow.outbox.send(
            department.chat_id,
            message(text("repair.unreachable", number=number(ticket), name=verbatim(name))),
            group=True,
        )
        record(uow, ticket, "resident_unreachable", user_id)
