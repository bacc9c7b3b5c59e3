"""Management's handling plan for a major or urgent complaint (the manual: "major or urgent
complaints are reported to management at once; management decides the plan"; "group complaints
are a crisis: escalate immediately").

The first alert management receives about a complaint (it was triaged major, or it made several
residents' complaints a group complaint) carries **Record the plan**: a supervisor (or admin)
writes the plan in a private form; the owner (the front desk until someone owns it) receives it,
the front desk's card shows it, and the history keeps every version (a plan may be revised while
the complaint is open). Later alerts about the same complaint come without a second button.
"""

from __future__ import annotations

from handlers.actor import Actor, TapAnswer
from handlers.complaints.common import (
    COMPLAINTS,
    PLAN,
    PLAN_FORM,
    form_toast,
    number,
    refresh_card,
    state_refusal,
    tell_owner,
)
from handlers.complaints.policy import ComplaintPolicy
from handlers.forms import Answers, Hook, Outcome
from handlers.messages import TextBody, message, text, verbatim
from handlers.on_duty import night
from handlers.on_duty.policy import OnDuty
from handlers.roles import OVERSEEING_ROLES
from handlers.tickets import TapHandler
from storage.models import Ticket
from storage.uow import UnitOfWork

MANAGERS_ONLY = text("complaint.error.managers_only")


PLAN_ASKED = "plan_asked"
"""Set on a complaint once management got the alert with its **Record the plan** button."""


async def alert(
    uow: UnitOfWork, ticket: Ticket, *lines: TextBody, duty: OnDuty | None = None
) -> None:
    """Management hears at once (and, outside office hours, the on-duty group of `duty`); the
    first alert about this complaint carries the button that records the plan (one card per
    complaint, however many alerts follow)."""
    buttons = []
    if not ticket.details.get(PLAN_ASKED):
        buttons = [[PLAN.button(text("complaint.button.plan"), ticket.id)]]
        ticket.details = {**ticket.details, PLAN_ASKED: True}
    await night.escalate(uow, duty, message(*lines, buttons=buttons), urgent=True)


def open_plan() -> TapHandler:
    """A manager opens the plan form privately, while the complaint is being handled."""
    return COMPLAINTS.opens_form(
        PLAN_FORM,
        "plan",
        toast=form_toast,
        refused=lambda ticket: TapAnswer(state_refusal(ticket), alert=True),
        refusal=MANAGERS_ONLY,
        roles=OVERSEEING_ROLES,
    )


def record_plan(policy: ComplaintPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The plan is kept on the complaint, shown on its card and sent to its owner."""
        acting = await COMPLAINTS.form_staff(
            uow, actor, answers, roles=OVERSEEING_ROLES, refusal=MANAGERS_ONLY
        )
        if acting is None:
            return Outcome.FINISH
        ticket, staff = acting.ticket, acting.staff
        if not COMPLAINTS.allows(ticket, "plan"):
            await uow.outbox.send(actor.chat_id, message(state_refusal(ticket)))
            return Outcome.FINISH
        plan = str(answers["plan"])
        details = dict(ticket.details)
        details["plan"] = {"text": plan, "by": staff.name}
        ticket.details = details
        COMPLAINTS.record(uow, ticket, "plan", actor.user_id, plan=plan)
        await refresh_card(uow, policy, ticket)
        by = verbatim(staff.name)
        await tell_owner(
            uow,
            ticket,
            message(text("complaint.owner.plan", number=number(ticket), by=by), verbatim(plan)),
        )
        await uow.outbox.send(
            actor.chat_id, message(text("complaint.plan_done", number=number(ticket)))
        )
        return Outcome.FINISH

    return hook
