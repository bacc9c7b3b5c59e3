"""What every complaint step shares: its number, its triage card, its thread, who to tell."""

from __future__ import annotations

from typing import Any

from handlers.complaints.policy import SEVERITIES, ComplaintPolicy
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
from handlers.repairs.policy import SLOTS
from storage.models import Ticket
from storage.uow import UnitOfWork

KIND = "complaint"
SUBJECT = "ticket"
DECIDING_ROLES = frozenset({"front_desk", "supervisor", "admin"})  # may triage and own
OVERSEEING_ROLES = frozenset({"supervisor", "admin"})  # may act on anyone's complaint

# Timer kinds.
REPLY_WARN = "complaint.reply_warn"
REPLY_BREACH = "complaint.reply_breach"
RESOLVE_WARN = "complaint.resolve_warn"
RESOLVE_BREACH = "complaint.resolve_breach"
EXPLAIN_BREACH = "complaint.explain_breach"
SURVEY = "complaint.survey"
VISIT_REMINDER = "complaint.visit_reminder"
MONTHLY = "complaint.monthly"


def number(ticket: Ticket) -> str:
    return f"C-{ticket.number:04d}"


def topic_label(policy: ComplaintPolicy, key: str | None) -> TextBody:
    topic = policy.topic(key or "")
    return localized(topic.names) if topic else verbatim(key or "?")


def record(uow: UnitOfWork, ticket: Ticket, action: str, actor: int | None, **data: Any) -> None:
    uow.events.record(
        f"complaint.{action}", SUBJECT, ticket.id, actor=actor, number=number(ticket), **data
    )


def add_to_thread(uow: UnitOfWork, ticket: Ticket, author: int, side: str, said: str) -> None:
    """Every resident message and staff reply is kept, in order, in the complaint's thread."""
    record(uow, ticket, "message", author, side=side, text=said)


async def card(uow: UnitOfWork, policy: ComplaintPolicy, ticket: Ticket) -> MessageBody:
    """The front desk's card: the facts, the owner and deadlines, and the buttons that apply."""
    details = ticket.details
    lines: list[TextBody] = [
        text("complaint.card.title", number=number(ticket)),
        text("complaint.card.topic", topic=topic_label(policy, ticket.category)),
        text(
            "complaint.card.from",
            name=verbatim(details.get("reporter_name", "")),
            unit=unit_label(*details["unit"]) if details.get("unit") else verbatim("—"),
        ),
        text("complaint.card.what", what=verbatim(details.get("what", ""))),
        text("complaint.card.wish", wish=verbatim(details.get("wish", ""))),
    ]
    if details.get("group"):
        lines.append(text("complaint.card.group", numbers=", ".join(details["group"])))
    buttons: list[list[ButtonBody]] = []
    if ticket.status == "new":
        lines.append(text("complaint.card.waiting"))
        buttons = [
            [
                button(text(f"complaint.severity.{s}"), "cmp.triage", ticket.id, s)
                for s in SEVERITIES
            ],
            [button(text("complaint.button.invalid"), "cmp.invalid", ticket.id)],
        ]
    else:
        owner = verbatim(details.get("owner_name", ""))
        if ticket.severity:
            lines.append(
                text(
                    "complaint.card.owned",
                    owner=owner,
                    severity=text(f"complaint.severity.{ticket.severity}"),
                )
            )
            lines.append(_deadline_line("reply", ticket.reply_due_at, ticket.replied_at))
            lines.append(_deadline_line("resolve", ticket.resolve_due_at, ticket.resolved_at))
        else:
            lines.append(text("complaint.card.owned_invalid", owner=owner))
        if details.get("routed_to"):
            lines.append(text("complaint.card.routed", department=verbatim(details["routed_to"])))
        if details.get("visit"):
            lines.append(text("complaint.card.visit", when=visit_label(details["visit"])))
        lines.append(
            text("complaint.card.status", status=text(f"complaint.status.{ticket.status}"))
        )
        if ticket.status == "open":
            buttons = [
                [
                    button(text("complaint.button.reply"), "cmp.reply", ticket.id),
                    button(text("complaint.button.route"), "cmp.route", ticket.id),
                    button(text("complaint.button.resolve"), "cmp.resolve", ticket.id),
                ]
            ]
    return message(*lines, buttons=buttons, photos=list(details.get("photos") or []))


def visit_label(visit: dict[str, str]) -> TextBody:
    """The agreed home visit: a day and a part of the day, in the reader's words."""
    start, end = SLOTS[visit["slot"]]
    return text(
        "repair.window",
        day=day(visit["day"]),
        slot=text(f"repair.slot.{visit['slot']}"),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
    )


def _deadline_line(which: str, due: Any, met: Any) -> TextBody:
    if met is not None:
        return text(f"complaint.card.{which}_met", at=moment(met))
    return text(f"complaint.card.{which}_due", at=moment(due)) if due else verbatim("")


async def refresh_card(uow: UnitOfWork, policy: ComplaintPolicy, ticket: Ticket) -> None:
    if ticket.card_outbox_id is not None:
        await uow.outbox.edit(ticket.card_outbox_id, await card(uow, policy, ticket))


async def front_desk_chat(uow: UnitOfWork) -> int | None:
    department = await uow.people.department("front_desk")
    return department.chat_id if department is not None else None


async def tell_managers(uow: UnitOfWork, body: MessageBody) -> None:
    """Management hears at once: its group if there is one, and each supervisor privately."""
    managers = await uow.people.department("managers")
    if managers is not None and managers.chat_id is not None:
        await uow.outbox.send(managers.chat_id, body, group=True, urgent=True)
    for member in await uow.people.staff_with_roles({"supervisor"}):
        await uow.outbox.send(member.telegram_user_id, body)


async def tell_owner(uow: UnitOfWork, ticket: Ticket, body: MessageBody) -> None:
    """The owner privately if the bot may write to them, else the front desk group."""
    owner = ticket.assignee_user_id
    if owner is not None and can_message(await uow.people.telegram_user(owner)):
        await uow.outbox.send(owner, body)
        return
    chat = await front_desk_chat(uow)
    if chat is not None:
        await uow.outbox.send(chat, body, group=True)
