"""What every complaint step shares: the ticket kind, its buttons and timers, card and thread."""

from __future__ import annotations

from typing import Any

from handlers.actions import Action, Form
from handlers.behalf import card_lines
from handlers.complaints.lifecycle import COMPLAINT
from handlers.complaints.policy import SEVERITIES, ComplaintPolicy
from handlers.messages import (
    ButtonBody,
    MessageBody,
    TextBody,
    configured,
    day,
    message,
    moment,
    text,
    verbatim,
)
from handlers.rules.visits import SLOTS
from handlers.tickets import CardBuilder, TicketKind
from handlers.units import unit_label
from storage.models import Ticket
from storage.uow import UnitOfWork

COMPLAINTS = TicketKind("complaint", "C", COMPLAINT)

# Timer kinds.
REPLY_WARN = "complaint.reply_warn"
REPLY_BREACH = "complaint.reply_breach"
RESOLVE_WARN = "complaint.resolve_warn"
RESOLVE_BREACH = "complaint.resolve_breach"
EXPLAIN_BREACH = "complaint.explain_breach"
SURVEY = "complaint.survey"
SURVEY_REMIND = "complaint.survey_remind"  # the callback is not answered: asked again
SURVEY_PHONE = "complaint.survey_phone"  # still not answered: the front desk calls
VISIT_REMINDER = "complaint.visit_reminder"
VERDICT_DUE = "complaint.verdict_due"  # the home visit's verdict is still not recorded

# What the buttons on the card and the resident's messages do, and the forms they open.
TRIAGE = Action("cmp.triage", (int, str))
INVALID = Action("cmp.invalid")
REPLY = Action("cmp.reply")
ROUTE = Action("cmp.route")
RESOLVE = Action("cmp.resolve")
ADD_INFO = Action("cmp.info")
SATISFIED = Action("cmp.sat", (int, int))
CALL = Action("cmp.call")  # the front desk: show me the resident's phone (privately)
SURVEY_BY_PHONE = Action("cmp.cbphone", (int, int))  # the callback's answer (ticket, satisfied)
VISIT = Action("cmp.visit")
VERDICT = Action("cmp.verdict", (int, int))  # the home visit's verdict (ticket, satisfied 1/0)
PLAN = Action("cmp.plan")  # management records the handling plan
COMPLAINT_FORM = Form("complaint")
REPLY_FORM = Form("complaint_reply")
ROUTE_FORM = Form("complaint_route")
RESOLVE_FORM = Form("complaint_resolve")
EXPLAIN_FORM = Form("complaint_explain")
VISIT_FORM = Form("complaint_visit")
INFO_FORM = Form("complaint_info")
PLAN_FORM = Form("complaint_plan")


number = COMPLAINTS.number


def state_refusal(ticket: Ticket) -> TextBody:
    """Why an action does not apply to the complaint in the state it is in now."""
    return text(
        "complaint.error.state", number=number(ticket), status=COMPLAINTS.status_label(ticket)
    )


def form_toast(ticket: Ticket) -> TextBody:
    """What a tap that opened a private form about the complaint says."""
    return text("complaint.toast.form", number=number(ticket))


def topic_label(policy: ComplaintPolicy, key: str | None) -> TextBody:
    topic = policy.topic(key or "")
    return configured(topic.names if topic else None, key)


def add_to_thread(uow: UnitOfWork, ticket: Ticket, author: int, side: str, said: str) -> None:
    """Every resident message and staff reply is kept, in order, in the complaint's thread."""
    COMPLAINTS.record(uow, ticket, "message", author, side=side, text=said)


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
        *card_lines(ticket),
        text("complaint.card.what", what=verbatim(details.get("what", ""))),
        text("complaint.card.wish", wish=verbatim(details.get("wish", ""))),
    ]
    if details.get("group"):
        lines.append(text("complaint.card.group", numbers=", ".join(details["group"])))
    buttons: list[list[ButtonBody]] = []
    if COMPLAINTS.allows(ticket, "triage"):
        lines.append(text("complaint.card.waiting"))
        buttons = [
            [TRIAGE.button(text(f"complaint.severity.{s}"), ticket.id, s) for s in SEVERITIES],
            [INVALID.button(text("complaint.button.invalid"), ticket.id)],
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
        if plan := details.get("plan"):
            lines.append(text("complaint.card.plan", by=verbatim(plan.get("by", ""))))
            lines.append(verbatim(plan.get("text", "")))
        if details.get("explained") == "in_person":
            lines.append(text("complaint.card.explained_in_person"))
        if details.get("routed_to"):
            lines.append(text("complaint.card.routed", department=verbatim(details["routed_to"])))
        if details.get("visit"):
            lines.append(text("complaint.card.visit", when=visit_label(details["visit"])))
        lines.append(text("complaint.card.status", status=COMPLAINTS.status_label(ticket)))
        if COMPLAINTS.allows(ticket, "resolve"):
            buttons = [
                [
                    REPLY.button(text("complaint.button.reply"), ticket.id),
                    ROUTE.button(text("complaint.button.route"), ticket.id),
                    RESOLVE.button(text("complaint.button.resolve"), ticket.id),
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


def card_builder(policy: ComplaintPolicy) -> CardBuilder:
    async def build(uow: UnitOfWork, ticket: Ticket) -> MessageBody:
        return await card(uow, policy, ticket)

    return build


async def refresh_card(uow: UnitOfWork, policy: ComplaintPolicy, ticket: Ticket) -> None:
    await COMPLAINTS.refresh_card(uow, ticket, card_builder(policy))


async def tell_owner(uow: UnitOfWork, ticket: Ticket, body: MessageBody) -> None:
    """The owner privately if the bot may write to them, else the front desk group."""
    await COMPLAINTS.tell_assignee(uow, ticket, body)
