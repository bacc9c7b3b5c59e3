"""A major complaint's callback is a home visit (the manual: "minor: by phone or message; major: a
home visit booked in advance").

When a major complaint is resolved, the callback's first ask is the offer of a visit: the
resident picks a day and a time of day, which stops the callback's reminder and phone task (the
visit is the callback now). The owner gets the visit on the day with the resident's verdict as
two buttons; an unhappy verdict reopens the complaint to the same owner, as an unhappy answer in
the bot does. Unbooked, the offer is made again a working day later and then the front desk
calls, as for every callback (handlers/callbacks.py). A visit whose verdict is still not recorded
`complaint_visit_verdict` after its time of day ended is chased: the owner gets the task again
and the supervisors' `/callbacks` list shows it until the verdict is in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from handlers.actor import Actor, TapAnswer
from handlers.callbacks import VERDICT_OVERDUE
from handlers.complaints.callback import CALLBACK
from handlers.complaints.common import (
    COMPLAINTS,
    VERDICT,
    VERDICT_DUE,
    VISIT_FORM,
    VISIT_REMINDER,
    number,
    refresh_card,
    tell_owner,
    visit_label,
)
from handlers.complaints.followup import settle
from handlers.complaints.handling import owns
from handlers.complaints.policy import ComplaintPolicy
from handlers.forms import Answers, Outcome
from handlers.messages import MessageBody, message, text
from handlers.roles import FRONT_DESK_ROLES
from handlers.rules.visits import SLOTS
from handlers.tickets import Acting, TapHandler
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

NOT_THE_OWNER = text("complaint.error.not_owner_plain")


async def offer_visit(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
    """The resident picks the day of the home visit their resolved major complaint gets."""
    ticket = await COMPLAINTS.get(uow, ticket_id)
    if ticket is None or ticket.reporter_user_id != actor.user_id or ticket.severity != "major":
        return TapAnswer(text("error.record_not_found"), alert=True)
    if not COMPLAINTS.allows(ticket, "survey") or ticket.details.get("visit"):
        return TapAnswer(text("ticket.error.already_answered"), alert=True)
    return await COMPLAINTS.open_form(
        uow, actor, VISIT_FORM, ticket, text("complaint.toast.visit", number=number(ticket))
    )


def book_visit(
    policy: ComplaintPolicy,
) -> Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The agreed day becomes the owner's home-visit task, with a reminder that morning;
        the callback's reminder and phone task are no longer needed."""
        ticket = await COMPLAINTS.form_ticket(uow, answers)
        if ticket is None or ticket.reporter_user_id != actor.user_id:
            return Outcome.FINISH
        if not COMPLAINTS.allows(ticket, "survey") or ticket.details.get("visit"):
            await uow.outbox.send(actor.chat_id, message(text("ticket.error.already_answered")))
            return Outcome.FINISH
        details = dict(ticket.details)
        details["visit"] = {"day": answers["day"], "slot": answers["slot"]}
        ticket.details = details
        COMPLAINTS.record(
            uow, ticket, "visit_agreed", actor.user_id, day=answers["day"], slot=answers["slot"]
        )
        await CALLBACK.done(uow, ticket)
        await COMPLAINTS.schedule(
            uow,
            ticket,
            VISIT_REMINDER,
            _visit_reminder_time(policy, answers["day"], answers["slot"], uow.now),
        )
        await COMPLAINTS.schedule(
            uow,
            ticket,
            VERDICT_DUE,
            policy.calendar.add(
                _visit_end(policy, answers["day"], answers["slot"]), policy.visit_verdict
            ),
        )
        await refresh_card(uow, policy, ticket)
        when = visit_label(details["visit"])
        await tell_owner(
            uow, ticket, message(text("complaint.owner.visit", number=number(ticket), when=when))
        )
        await uow.outbox.send(
            actor.chat_id,
            message(text("complaint.resident.visit_booked", number=number(ticket), when=when)),
        )
        return Outcome.FINISH

    return hook


def _visit_reminder_time(policy: ComplaintPolicy, day_: str, slot: str, now: datetime) -> datetime:
    """Two hours before the visit window opens (at once if that is already past)."""
    start = datetime.combine(date.fromisoformat(day_), SLOTS[slot][0], tzinfo=policy.timezone)
    return max(now, start - timedelta(hours=2))


def _visit_end(policy: ComplaintPolicy, day_: str, slot: str) -> datetime:
    """When the agreed time of day ends: the verdict may be recorded from then on."""
    return datetime.combine(date.fromisoformat(day_), SLOTS[slot][1], tzinfo=policy.timezone)


def _task(ticket: Ticket, *, overdue: bool = False) -> MessageBody:
    """The visit with the verdict's two buttons: on the day, or again once it is overdue."""
    about = {"number": number(ticket), "when": visit_label(ticket.details["visit"])}
    title = (
        text("complaint.owner.visit_overdue", **about)
        if overdue
        else text("complaint.owner.visit_today", **about)
    )
    return message(
        title,
        text("complaint.owner.visit_verdict"),
        buttons=[
            [
                VERDICT.button(text("complaint.button.visit_satisfied"), ticket.id, 1),
                VERDICT.button(text("complaint.button.visit_unsatisfied"), ticket.id, 0),
            ]
        ],
    )


async def remind_visit(uow: UnitOfWork, timer: Timer) -> None:
    """The owner's home-visit task, on the day, with the verdict to record after it."""
    ticket = await COMPLAINTS.timer_ticket(uow, timer.subject_id)
    if ticket is None or not ticket.details.get("visit") or not COMPLAINTS.allows(ticket, "survey"):
        return
    await tell_owner(uow, ticket, _task(ticket))


async def chase_verdict(uow: UnitOfWork, timer: Timer) -> None:
    """The visit's time is long past and no verdict is recorded: the owner is asked again, and
    the history marks it so that the supervisors' follow-up list (`/callbacks`) shows it."""
    ticket = await COMPLAINTS.timer_ticket(uow, timer.subject_id)
    if ticket is None or not ticket.details.get("visit") or not COMPLAINTS.allows(ticket, "survey"):
        return
    surveys = await uow.tickets.surveys_of([ticket.id])
    if surveys and surveys[-1].answered_at is not None:
        return
    COMPLAINTS.record(uow, ticket, VERDICT_OVERDUE, None)
    await tell_owner(uow, ticket, _task(ticket, overdue=True))


def record_verdict(policy: ComplaintPolicy) -> TapHandler:
    @COMPLAINTS.staff_action(refusal=NOT_THE_OWNER, roles=FRONT_DESK_ROLES, may=owns)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting, satisfied: int) -> TapAnswer:
        """What the resident said at the visit, recorded as their callback answer."""
        ticket, staff = acting.ticket, acting.staff
        if satisfied not in (0, 1):
            return TapAnswer(text("error.record_not_found"), alert=True)
        if not COMPLAINTS.allows(ticket, "survey") or not ticket.details.get("visit"):
            return TapAnswer(text("ticket.error.already_answered"), alert=True)
        comment = f"home visit: {staff.name}"
        if not await CALLBACK.record_verdict(
            uow, ticket, bool(satisfied), actor.user_id, comment, "visit"
        ):
            return TapAnswer(text("ticket.error.already_answered"), alert=True)
        await COMPLAINTS.cancel(uow, ticket, VERDICT_DUE)
        await settle(uow, policy, ticket, bool(satisfied), actor.user_id)
        said = "satisfied" if satisfied else "unsatisfied"
        return TapAnswer(text(f"complaint.visit.recorded_{said}", number=number(ticket)))

    return handler
