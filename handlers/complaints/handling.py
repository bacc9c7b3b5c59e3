"""The owner handles the complaint: triage, reply, route, resolve, or explain why it is invalid.

First-contact responsibility: whoever triages first owns the complaint, the card says so, and only
the owner (or a supervisor) speaks for the estate on it, so the resident gets one answer. Replies,
routing and resolutions are typed in a private chat with the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from handlers.actions import Form
from handlers.actor import Actor, TapAnswer
from handlers.complaints import callback, plan
from handlers.complaints.common import (
    ADD_INFO,
    COMPLAINTS,
    EXPLAIN_BREACH,
    EXPLAIN_FORM,
    REPLY_BREACH,
    REPLY_WARN,
    RESOLVE_BREACH,
    RESOLVE_WARN,
    add_to_thread,
    form_toast,
    number,
    refresh_card,
    state_refusal,
    topic_label,
)
from handlers.complaints.policy import SEVERITIES, ComplaintPolicy, warning_time
from handlers.forms import Answers, Outcome
from handlers.messages import message, moment, text, verbatim
from handlers.reach import can_message, to_group
from handlers.roles import FRONT_DESK_ROLES, OVERSEEING_ROLES
from handlers.tickets import Acting
from storage.models import Staff, Ticket
from storage.uow import UnitOfWork

TapHandler = Callable[..., Awaitable[TapAnswer]]
Hook = Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]


FRONT_DESK_ONLY = text("complaint.error.front_desk_only")


def _is_owner(staff: Staff, ticket: Ticket) -> bool:
    return ticket.assignee_user_id == staff.telegram_user_id or staff.role in OVERSEEING_ROLES


def owns(staff: Staff, ticket: Ticket) -> TapAnswer | None:
    """One owner speaks for the estate (a supervisor may stand in)."""
    if _is_owner(staff, ticket):
        return None
    return TapAnswer(
        text(
            "complaint.error.not_owner",
            number=number(ticket),
            owner=verbatim(ticket.details.get("owner_name", "")),
        ),
        alert=True,
    )


def refusal(ticket: Ticket) -> TapAnswer:
    """Why an action does not apply to the complaint as it is now: its owner, or its state."""
    owner = ticket.details.get("owner_name")
    if owner:
        return TapAnswer(
            text(
                "complaint.error.owned",
                number=number(ticket),
                owner=verbatim(owner),
                status=COMPLAINTS.status_label(ticket),
            ),
            alert=True,
        )
    return TapAnswer(state_refusal(ticket), alert=True)


async def schedule_deadline(
    uow: UnitOfWork, ticket: Ticket, warn: str, breach: str, due: datetime
) -> None:
    await COMPLAINTS.schedule(uow, ticket, warn, warning_time(uow.now, due))
    await COMPLAINTS.schedule(uow, ticket, breach, due)


def triage(policy: ComplaintPolicy) -> TapHandler:
    @COMPLAINTS.staff_action(refusal=FRONT_DESK_ONLY, roles=FRONT_DESK_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting, severity: str) -> TapAnswer:
        """Classify: the first to do so owns it; the severity sets both deadlines."""
        staff, ticket = acting.staff, acting.ticket
        if severity not in SEVERITIES:
            return TapAnswer(text("error.button_invalid"), alert=True)
        reply_due = policy.reply_due(uow.now, severity)
        resolve_due = policy.resolve_due(uow.now, severity)
        if not await COMPLAINTS.take(
            uow,
            acting,
            "triage",
            name_field="owner_name",
            event="triaged",
            data={"severity": severity},
            severity=severity,
            reply_due_at=reply_due,
            resolve_due_at=resolve_due,
        ):
            return refusal(ticket)
        await schedule_deadline(uow, ticket, REPLY_WARN, REPLY_BREACH, reply_due)
        await schedule_deadline(uow, ticket, RESOLVE_WARN, RESOLVE_BREACH, resolve_due)
        await refresh_card(uow, policy, ticket)
        await COMPLAINTS.tell_reporter(
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
        if severity == "major":  # management decides the plan (handlers/complaints/plan.py)
            await plan.alert(
                uow,
                ticket,
                text(
                    "complaint.managers.major",
                    number=number(ticket),
                    topic=topic_label(policy, ticket.category),
                    owner=verbatim(staff.name),
                ),
                text("complaint.card.what", what=verbatim(ticket.details.get("what", ""))),
            )
        return TapAnswer(text("complaint.toast.owned", number=number(ticket)))

    return handler


def claim_invalid(policy: ComplaintPolicy) -> TapHandler:
    @COMPLAINTS.staff_action(refusal=FRONT_DESK_ONLY, roles=FRONT_DESK_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Not a valid complaint: the claimant owns it and must explain why to the resident."""
        ticket = acting.ticket
        if not can_message(await uow.people.telegram_user(actor.user_id)):
            return TapAnswer(text("ticket.error.open_private_chat"), alert=True)
        if not await COMPLAINTS.take(
            uow, acting, "claim_invalid", name_field="owner_name", event="claimed_invalid"
        ):
            return refusal(ticket)
        await COMPLAINTS.schedule(uow, ticket, EXPLAIN_BREACH, policy.explain_due(uow.now))
        await refresh_card(uow, policy, ticket)
        return await COMPLAINTS.open_form(
            uow, actor, EXPLAIN_FORM, ticket, text("complaint.toast.explain", number=number(ticket))
        )

    return handler


def owner_form(form: Form, action: str) -> TapHandler:
    """Reply, Route and Resolve: only the owner (or a supervisor), in a private form, and only
    while the lifecycle allows `action`."""
    return COMPLAINTS.opens_form(
        form,
        action,
        toast=form_toast,
        refused=refusal,
        refusal=FRONT_DESK_ONLY,
        roles=FRONT_DESK_ROLES,
        may=owns,
    )


async def _owned(uow: UnitOfWork, actor: Actor, answers: Answers, action: str) -> Ticket | None:
    """The complaint a private form is about, if its author still may do `action` on it."""
    ticket = await COMPLAINTS.form_ticket(uow, answers)
    staff = await uow.people.staff_member(actor.user_id)
    if ticket is None or staff is None or not _is_owner(staff, ticket):
        await uow.outbox.send(actor.chat_id, message(text("complaint.error.not_owner_plain")))
        return None
    if not COMPLAINTS.allows(ticket, action):
        await uow.outbox.send(actor.chat_id, message(state_refusal(ticket)))
        return None
    return ticket


def send_reply(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The owner's reply reaches the resident, joins the thread, and stops the reply clock."""
        ticket = await _owned(uow, actor, answers, "reply")
        if ticket is None:
            return Outcome.FINISH
        add_to_thread(uow, ticket, actor.user_id, "staff", answers["reply"])
        await COMPLAINTS.tell_reporter(
            uow,
            ticket,
            message(
                text(
                    "complaint.resident.reply",
                    number=number(ticket),
                    owner=verbatim(ticket.details.get("owner_name", "")),
                ),
                verbatim(answers["reply"]),
                buttons=[[ADD_INFO.button(text("complaint.button.add_info"), ticket.id)]],
            ),
        )
        if ticket.replied_at is None:
            ticket.replied_at = uow.now
            await COMPLAINTS.cancel(uow, ticket, REPLY_WARN, REPLY_BREACH)
        COMPLAINTS.record(uow, ticket, "replied", actor.user_id)
        await refresh_card(uow, policy, ticket)
        await uow.outbox.send(
            actor.chat_id, message(text("complaint.reply_sent", number=number(ticket)))
        )
        return Outcome.FINISH

    return hook


def route(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """Send the complaint to the department that must fix the cause; the owner stays."""
        ticket = await _owned(uow, actor, answers, "route")
        if ticket is None:
            return Outcome.FINISH
        department = await uow.people.department(str(answers["department"]))
        if department is None or department.chat_id is None:
            await uow.outbox.send(actor.chat_id, message(text("complaint.error.no_group")))
            return Outcome.FINISH
        details = dict(ticket.details)
        details["routed_to"] = department.name
        ticket.details = details
        COMPLAINTS.record(uow, ticket, "routed", actor.user_id, department=department.key)
        await to_group(
            uow,
            (department.key,),
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
        """Resolved: the resident hears what was done; the callback is due within 3 working days.
        The corrective and preventive action the owner records are for the monthly analysis."""
        ticket = await _conclude(
            uow,
            policy,
            actor,
            answers,
            RESOLVED,
            (RESOLVE_WARN, RESOLVE_BREACH),
            recorded={k: answers[k] for k in ("corrective", "preventive") if answers.get(k)},
            resolved_at=uow.now,
        )
        if ticket is not None:
            await callback.schedule(uow, policy, ticket)
        return Outcome.FINISH

    return hook


EXPLAINED_HOW = ("in_writing", "in_person")
"""How an invalid complaint was explained: in writing (the resident reads the reason), or, the
manual's exception when the cause is the resident's own, in person and not put in writing (it
would only upset them); that choice and what was said are recorded on the complaint only."""


def explain(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The complaint is closed as invalid, its reason told in writing or in person."""
        in_person = answers.get("how") == "in_person"
        await _conclude(
            uow,
            policy,
            actor,
            answers,
            EXPLAINED_IN_PERSON if in_person else EXPLAINED,
            (EXPLAIN_BREACH,),
            recorded={"explained": "in_person" if in_person else "in_writing"},
            closed_at=uow.now,
        )
        return Outcome.FINISH

    return hook


@dataclass(frozen=True)
class Conclusion:
    """A form that ends a stage of the complaint with words the resident reads."""

    action: str  # the lifecycle action
    event: str  # what the history calls it
    field: str  # the form's answer, also added to the complaint's thread
    detail: str  # where the ticket keeps it
    told: str  # catalog key of what the resident reads above the words
    confirmed: str  # catalog key of the owner's confirmation
    shown: bool = True  # False: the words are staff's record only (not told, not in the thread)


RESOLVED = Conclusion(
    "resolve",
    "resolved",
    "resolution",
    "resolution",
    "complaint.resident.resolved",
    "complaint.resolved_done",
)
EXPLAINED = Conclusion(
    "explain",
    "explained",
    "reason",
    "invalid_reason",
    "complaint.resident.invalid",
    "complaint.explained_done",
)
EXPLAINED_IN_PERSON = Conclusion(
    "explain",
    "explained",
    "note",
    "invalid_note",
    "complaint.resident.invalid_in_person",
    "complaint.explained_in_person_done",
    shown=False,
)


async def _conclude(
    uow: UnitOfWork,
    policy: ComplaintPolicy,
    actor: Actor,
    answers: Answers,
    conclusion: Conclusion,
    clocks: tuple[str, ...],
    recorded: dict[str, str] | None = None,
    **values: object,
) -> Ticket | None:
    """The shared end of Resolve and Invalid: move, thread, stop the clocks, refresh the card,
    tell the resident and confirm to the owner; `recorded` answers are kept on the complaint only.
    None if the complaint may not be concluded."""
    ticket = await _owned(uow, actor, answers, conclusion.action)
    if ticket is None:
        return None
    words = answers[conclusion.field]
    details = dict(ticket.details)
    details[conclusion.detail] = words
    details.update(recorded or {})
    if not await COMPLAINTS.transition(
        uow,
        ticket,
        conclusion.action,
        actor=actor.user_id,
        event=conclusion.event,
        details=details,
        **values,
    ):
        return None
    if conclusion.shown:
        add_to_thread(uow, ticket, actor.user_id, "staff", words)
    await COMPLAINTS.cancel(uow, ticket, *clocks)
    await refresh_card(uow, policy, ticket)
    told = text(conclusion.told, number=number(ticket))
    said = (verbatim(words),) if conclusion.shown else ()
    await COMPLAINTS.tell_reporter(uow, ticket, message(told, *said))
    await uow.outbox.send(actor.chat_id, message(text(conclusion.confirmed, number=number(ticket))))
    return ticket
