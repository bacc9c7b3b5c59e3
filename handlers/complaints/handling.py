"""The owner handles the complaint: triage, reply, route, resolve, or explain why it is invalid.

First-contact responsibility: whoever triages first owns the complaint, the card says so, and only
the owner (or a supervisor) speaks for the estate on it, so the resident gets one answer. Replies,
routing and resolutions are typed in a private chat with the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from conversations.steps import Answers, Outcome
from handlers.actor import Actor, TapAnswer
from handlers.complaints.common import (
    DECIDING_ROLES,
    EXPLAIN_BREACH,
    KIND,
    OVERSEEING_ROLES,
    REPLY_BREACH,
    REPLY_WARN,
    RESOLVE_BREACH,
    RESOLVE_WARN,
    SUBJECT,
    SURVEY,
    add_to_thread,
    number,
    record,
    refresh_card,
    tell_managers,
    topic_label,
)
from handlers.complaints.policy import SEVERITIES, ComplaintPolicy, warning_time
from handlers.messages import MessageBody, button, message, moment, text, verbatim
from handlers.reach import can_message
from handlers.rules.lifecycle import COMPLAINT
from storage.models import Staff, Ticket
from storage.uow import UnitOfWork

TapHandler = Callable[..., Awaitable[TapAnswer]]
Hook = Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]
REPLY_FLOW = "complaint_reply"
ROUTE_FLOW = "complaint_route"
RESOLVE_FLOW = "complaint_resolve"
EXPLAIN_FLOW = "complaint_explain"
VISIT_FLOW = "complaint_visit"


async def _staff_and_ticket(
    uow: UnitOfWork, actor: Actor, ticket_id: int
) -> tuple[Staff, Ticket] | TapAnswer:
    """The acting staff member and the complaint, or why they may not act on it."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None or staff.role not in DECIDING_ROLES:
        return TapAnswer(text("complaint.error.front_desk_only"), alert=True)
    ticket = await uow.tickets.get(ticket_id, KIND)
    if ticket is None:
        return TapAnswer(text("error.record_not_found"), alert=True)
    return staff, ticket


def _is_owner(staff: Staff, ticket: Ticket) -> bool:
    return ticket.assignee_user_id == staff.telegram_user_id or staff.role in OVERSEEING_ROLES


def _state_refusal(ticket: Ticket) -> TapAnswer:
    owner = ticket.details.get("owner_name")
    if owner:
        return TapAnswer(
            text(
                "complaint.error.owned",
                number=number(ticket),
                owner=verbatim(owner),
                status=text(f"complaint.status.{ticket.status}"),
            ),
            alert=True,
        )
    return TapAnswer(
        text(
            "complaint.error.state",
            number=number(ticket),
            status=text(f"complaint.status.{ticket.status}"),
        ),
        alert=True,
    )


async def schedule_deadline(
    uow: UnitOfWork, ticket: Ticket, warn: str, breach: str, due: datetime
) -> None:
    await uow.timers.schedule(
        warn, warning_time(uow.now, due), subject_type=SUBJECT, subject_id=ticket.id
    )
    await uow.timers.schedule(breach, due, subject_type=SUBJECT, subject_id=ticket.id)


def triage(policy: ComplaintPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int, severity: str) -> TapAnswer:
        """Classify: the first to do so owns it; the severity sets both deadlines."""
        found = await _staff_and_ticket(uow, actor, ticket_id)
        if isinstance(found, TapAnswer):
            return found
        staff, ticket = found
        if severity not in SEVERITIES:
            return TapAnswer(text("error.button_invalid"), alert=True)
        reply_due = policy.reply_due(uow.now, severity)
        resolve_due = policy.resolve_due(uow.now, severity)
        details = dict(ticket.details)
        details["owner_name"] = staff.name
        moved = await uow.tickets.move(
            ticket,
            COMPLAINT.sources("triage"),
            COMPLAINT.after("new", "triage"),
            assignee_user_id=actor.user_id,
            severity=severity,
            reply_due_at=reply_due,
            resolve_due_at=resolve_due,
            accepted_at=uow.now,
            details=details,
        )
        if not moved:
            return _state_refusal(ticket)
        record(uow, ticket, "triaged", actor.user_id, severity=severity)
        await schedule_deadline(uow, ticket, REPLY_WARN, REPLY_BREACH, reply_due)
        await schedule_deadline(uow, ticket, RESOLVE_WARN, RESOLVE_BREACH, resolve_due)
        await refresh_card(uow, policy, ticket)
        await _tell_reporter(
            uow,
            ticket,
            message(
                text(
                    "complaint.resident.owned",
                    number=number(ticket),
                    owner=verbatim(staff.name),
                    at=moment(reply_due),
                )
            ),
        )
        if severity == "major":
            await tell_managers(
                uow,
                message(
                    text(
                        "complaint.managers.major",
                        number=number(ticket),
                        topic=topic_label(policy, ticket.category),
                        owner=verbatim(staff.name),
                    ),
                    text("complaint.card.what", what=verbatim(ticket.details.get("what", ""))),
                ),
            )
            await _tell_reporter(
                uow,
                ticket,
                message(
                    text("complaint.resident.visit_offer", number=number(ticket)),
                    buttons=[
                        [button(text("complaint.button.choose_visit"), "cmp.visit", ticket.id)]
                    ],
                ),
            )
        return TapAnswer(text("complaint.toast.owned", number=number(ticket)))

    return handler


async def _tell_reporter(uow: UnitOfWork, ticket: Ticket, body: MessageBody) -> None:
    if ticket.reporter_user_id is not None:
        await uow.outbox.send(ticket.reporter_user_id, body)


def claim_invalid(policy: ComplaintPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """Not a valid complaint: the claimant owns it and must explain why to the resident."""
        found = await _staff_and_ticket(uow, actor, ticket_id)
        if isinstance(found, TapAnswer):
            return found
        staff, ticket = found
        if not can_message(await uow.people.telegram_user(actor.user_id)):
            return TapAnswer(text("complaint.error.open_private_chat"), alert=True)
        details = dict(ticket.details)
        details["owner_name"] = staff.name
        moved = await uow.tickets.move(
            ticket,
            COMPLAINT.sources("claim_invalid"),
            "explaining",
            assignee_user_id=actor.user_id,
            accepted_at=uow.now,
            details=details,
        )
        if not moved:
            return _state_refusal(ticket)
        record(uow, ticket, "claimed_invalid", actor.user_id)
        await uow.timers.schedule(
            EXPLAIN_BREACH, policy.explain_due(uow.now), subject_type=SUBJECT, subject_id=ticket.id
        )
        await refresh_card(uow, policy, ticket)
        return TapAnswer(
            text("complaint.toast.explain", number=number(ticket)),
            start_flow=(EXPLAIN_FLOW, {"complaint": ticket.id, "number": number(ticket)}),
        )

    return handler


def owner_form(flow: str, allowed_states: frozenset[str]) -> TapHandler:
    """Reply, Route and Resolve: only the owner (or a supervisor), in a private form."""

    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        found = await _staff_and_ticket(uow, actor, ticket_id)
        if isinstance(found, TapAnswer):
            return found
        staff, ticket = found
        if not _is_owner(staff, ticket):
            return TapAnswer(
                text(
                    "complaint.error.not_owner",
                    number=number(ticket),
                    owner=verbatim(ticket.details.get("owner_name", "")),
                ),
                alert=True,
            )
        if ticket.status not in allowed_states:
            return _state_refusal(ticket)
        if not can_message(await uow.people.telegram_user(actor.user_id)):
            return TapAnswer(text("complaint.error.open_private_chat"), alert=True)
        return TapAnswer(
            text("complaint.toast.form", number=number(ticket)),
            start_flow=(flow, {"complaint": ticket.id, "number": number(ticket)}),
        )

    return handler


async def _owned(
    uow: UnitOfWork, actor: Actor, answers: Answers, states: set[str]
) -> Ticket | None:
    """The complaint a private form is about, if the author still may act on it."""
    ticket = await uow.tickets.get(int(answers["complaint"]), KIND)
    staff = await uow.people.staff_member(actor.user_id)
    if ticket is None or staff is None or not _is_owner(staff, ticket):
        await uow.outbox.send(actor.chat_id, message(text("complaint.error.not_owner_plain")))
        return None
    if ticket.status not in states:
        await uow.outbox.send(
            actor.chat_id,
            message(
                text(
                    "complaint.error.state",
                    number=number(ticket),
                    status=text(f"complaint.status.{ticket.status}"),
                )
            ),
        )
        return None
    return ticket


def send_reply(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The owner's reply reaches the resident, joins the thread, and stops the reply clock."""
        ticket = await _owned(uow, actor, answers, {"open", "resolved"})
        if ticket is None:
            return Outcome.FINISH
        add_to_thread(uow, ticket, actor.user_id, "staff", answers["reply"])
        await _tell_reporter(
            uow,
            ticket,
            message(
                text(
                    "complaint.resident.reply",
                    number=number(ticket),
                    owner=verbatim(ticket.details.get("owner_name", "")),
                ),
                verbatim(answers["reply"]),
                buttons=[[button(text("complaint.button.add_info"), "cmp.info", ticket.id)]],
            ),
        )
        if ticket.replied_at is None:
            ticket.replied_at = uow.now
            await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id, kind=REPLY_WARN)
            await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id, kind=REPLY_BREACH)
        record(uow, ticket, "replied", actor.user_id)
        await refresh_card(uow, policy, ticket)
        await uow.outbox.send(
            actor.chat_id, message(text("complaint.reply_sent", number=number(ticket)))
        )
        return Outcome.FINISH

    return hook


def route(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """Send the complaint to the department that must fix the cause; the owner stays."""
        ticket = await _owned(uow, actor, answers, {"open"})
        if ticket is None:
            return Outcome.FINISH
        department = await uow.people.department(str(answers["department"]))
        if department is None or department.chat_id is None:
            await uow.outbox.send(actor.chat_id, message(text("complaint.error.no_group")))
            return Outcome.FINISH
        details = dict(ticket.details)
        details["routed_to"] = department.name
        ticket.details = details
        record(uow, ticket, "routed", actor.user_id, department=department.key)
        await uow.outbox.send(
            department.chat_id,
            message(
                text(
                    "complaint.routed.title",
                    number=number(ticket),
                    owner=verbatim(details.get("owner_name", "")),
                ),
                text("complaint.card.topic", topic=topic_label(policy, ticket.category)),
                text("complaint.card.what", what=verbatim(details.get("what", ""))),
                text("complaint.card.wish", wish=verbatim(details.get("wish", ""))),
                text("complaint.routed.ask"),
            ),
            group=True,
        )
        await refresh_card(uow, policy, ticket)
        await uow.outbox.send(
            actor.chat_id,
            message(
                text(
                    "complaint.routed_done",
                    number=number(ticket),
                    department=verbatim(department.name),
                )
            ),
        )
        return Outcome.FINISH

    return hook


def resolve(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """Resolved: the resident hears what was done; the callback is due within 3 working days."""
        ticket = await _owned(uow, actor, answers, {"open"})
        if ticket is None:
            return Outcome.FINISH
        details = dict(ticket.details)
        details["resolution"] = answers["resolution"]
        moved = await uow.tickets.move(
            ticket,
            COMPLAINT.sources("resolve"),
            "resolved",
            resolved_at=uow.now,
            details=details,
        )
        if not moved:
            return Outcome.FINISH
        record(uow, ticket, "resolved", actor.user_id)
        add_to_thread(uow, ticket, actor.user_id, "staff", answers["resolution"])
        for kind in (RESOLVE_WARN, RESOLVE_BREACH):
            await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id, kind=kind)
        await uow.timers.schedule(
            SURVEY, policy.callback_due(uow.now), subject_type=SUBJECT, subject_id=ticket.id
        )
        await refresh_card(uow, policy, ticket)
        await _tell_reporter(
            uow,
            ticket,
            message(
                text("complaint.resident.resolved", number=number(ticket)),
                verbatim(answers["resolution"]),
            ),
        )
        await uow.outbox.send(
            actor.chat_id, message(text("complaint.resolved_done", number=number(ticket)))
        )
        return Outcome.FINISH

    return hook


def explain(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The reason it is not a valid complaint reaches the resident, and it is closed."""
        ticket = await _owned(uow, actor, answers, {"explaining"})
        if ticket is None:
            return Outcome.FINISH
        details = dict(ticket.details)
        details["invalid_reason"] = answers["reason"]
        if not await uow.tickets.move(
            ticket, {"explaining"}, "invalid", closed_at=uow.now, details=details
        ):
            return Outcome.FINISH
        record(uow, ticket, "explained", actor.user_id)
        add_to_thread(uow, ticket, actor.user_id, "staff", answers["reason"])
        await uow.timers.cancel(subject_type=SUBJECT, subject_id=ticket.id, kind=EXPLAIN_BREACH)
        await refresh_card(uow, policy, ticket)
        await _tell_reporter(
            uow,
            ticket,
            message(
                text("complaint.resident.invalid", number=number(ticket)),
                verbatim(answers["reason"]),
            ),
        )
        await uow.outbox.send(
            actor.chat_id, message(text("complaint.explained_done", number=number(ticket)))
        )
        return Outcome.FINISH

    return hook
