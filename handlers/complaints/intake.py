"""A resident complains: register it, put it before the front desk, and spot group complaints.

Several residents complaining about the same thing within a short time is a crisis in the manual:
the complaints are linked on their cards and management is told at once, with the button that
records its handling plan (handlers/complaints/plan.py), as for a major complaint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers import behalf
from handlers.actor import Actor, TapAnswer
from handlers.behalf import Recording
from handlers.complaints import plan
from handlers.complaints.common import (
    ADD_INFO,
    COMPLAINTS,
    INFO_FORM,
    add_to_thread,
    card,
    number,
    refresh_card,
    tell_owner,
    topic_label,
)
from handlers.complaints.policy import ComplaintPolicy
from handlers.forms import Answers, Outcome
from handlers.messages import message, text, verbatim
from handlers.on_duty import night
from handlers.reach import to_group
from storage.models import Ticket
from storage.uow import UnitOfWork

Hook = Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome]]


def submit(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """Number it, card it to the front desk (and, outside office hours, to the on-duty
        group), and tell the resident what happens next."""
        recording = Recording.of(answers)
        unit = None
        if recording is not None:
            unit = await behalf.unit_of(uow, recording)
            if not await behalf.allowed(uow, actor, behalf.COMPLAINT, common=unit is None):
                return Outcome.FINISH
        ticket = await COMPLAINTS.register(
            uow,
            actor,
            event="received",
            unit=unit,
            at_home=recording is None,
            behalf=recording,
            department_key="front_desk",
            category=answers["topic"],
            details={
                "what": answers["what"],
                "wish": answers["wish"],
                "photos": answers.get("photos") or [],
            },
        )
        add_to_thread(uow, ticket, actor.user_id, "resident", answers["what"])
        shown = await card(uow, policy, ticket)
        front_desk = await uow.people.department("front_desk")
        if front_desk is not None and front_desk.chat_id is not None:
            ticket.card_outbox_id = await uow.outbox.send(front_desk.chat_id, shown, group=True)
        await night.take_in(uow, policy.on_duty, ticket, number(ticket), shown)
        await link_group(uow, policy, ticket)
        received = message(
            text("complaint.received", number=number(ticket)),
            text("complaint.received_next"),
            buttons=[[ADD_INFO.button(text("complaint.button.add_info"), ticket.id)]],
        )
        if recording is None:
            await uow.outbox.send(actor.chat_id, received)
        else:
            await behalf.announce(uow, actor, ticket, number(ticket), received)
        return Outcome.FINISH

    return hook


async def link_group(uow: UnitOfWork, policy: ComplaintPolicy, ticket: Ticket) -> None:
    """Link recent complaints on the same topic from different residents; alert at the threshold."""
    recent = await uow.tickets.recent_on_topic(
        COMPLAINTS.kind,
        ticket.category or "",
        since=uow.now - policy.group_window,
        closed=COMPLAINTS.lifecycle.final,
    )
    residents = {t.reporter_user_id for t in recent}
    if len(residents) < policy.group_size:
        return
    already_alerted = any(t.details.get("group") for t in recent if t.id != ticket.id)
    numbers = [number(t) for t in recent]
    for linked in recent:
        details = dict(linked.details)
        details["group"] = numbers
        linked.details = details
        await refresh_card(uow, policy, linked)
    COMPLAINTS.record(uow, ticket, "group", None, numbers=numbers)
    if already_alerted:  # a further resident joins a group complaint already raised: linked only
        return
    alert = text(
        "complaint.group_alert",
        count=len(residents),
        topic=topic_label(policy, ticket.category),
        numbers=", ".join(numbers),
    )
    await to_group(uow, ("front_desk",), message(alert), urgent=True)
    # An urgent complaint: management decides the plan, recorded on the one that made it a group
    # (outside office hours the on-duty group hears it too).
    await plan.alert(
        uow,
        ticket,
        alert,
        text("complaint.managers.group", number=number(ticket)),
        duty=policy.on_duty,
    )


async def offer_info(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
    """The resident's "Add information" button: open while the complaint is not closed."""
    ticket = await COMPLAINTS.followed(uow, actor, ticket_id)
    if isinstance(ticket, TapAnswer):
        return ticket
    if not COMPLAINTS.allows(ticket, "add_info"):
        return TapAnswer(text("complaint.error.closed", number=number(ticket)), alert=True)
    return await COMPLAINTS.open_form(
        uow, actor, INFO_FORM, ticket, text("complaint.toast.add_info", number=number(ticket))
    )


def add_info(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """More from the resident: into the thread, and to the owner (or the front desk)."""
        ticket = await COMPLAINTS.form_ticket(uow, answers)
        if ticket is None or not await uow.tickets.is_follower(ticket, actor.user_id):
            return Outcome.FINISH
        if not COMPLAINTS.allows(ticket, "add_info"):
            await uow.outbox.send(
                actor.chat_id, message(text("complaint.error.closed", number=number(ticket)))
            )
            return Outcome.FINISH
        add_to_thread(uow, ticket, actor.user_id, "resident", answers["info"])
        await tell_owner(
            uow,
            ticket,
            message(
                text(
                    "complaint.owner.more_info",
                    number=number(ticket),
                    info=verbatim(answers["info"]),
                )
            ),
        )
        await uow.outbox.send(
            actor.chat_id, message(text("complaint.info_added", number=number(ticket)))
        )
        return Outcome.FINISH

    return hook
