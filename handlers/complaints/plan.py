"""Management's handling plan for a major complaint (the manual: "major or urgent complaints are
reported to management at once; management decides the plan").

The alert management receives carries **Record the plan**: a supervisor (or admin) writes the
plan in a private form; the owner receives it, the front desk's card shows it, and the history
keeps every version (a plan may be revised while the complaint is open).
"""

from __future__ import annotations

from handlers.actor import Actor, TapAnswer
from handlers.complaints.common import COMPLAINTS, PLAN, PLAN_FORM, number, refresh_card, tell_owner
from handlers.complaints.policy import ComplaintPolicy
from handlers.forms import Answers, Hook, Outcome
from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.roles import OVERSEEING_ROLES
from handlers.tickets import Acting, TapHandler
from storage.models import Ticket
from storage.uow import UnitOfWork

MANAGERS_ONLY = text("complaint.error.managers_only")


def alert(ticket: Ticket, *lines: TextBody) -> MessageBody:
    """The alert to management, with the button that records the plan."""
    return message(
        *lines,
        buttons=[[PLAN.button(text("complaint.button.plan"), ticket.id)]],
    )


def open_plan() -> TapHandler:
    @COMPLAINTS.staff_action(refusal=MANAGERS_ONLY, roles=OVERSEEING_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """A manager opens the plan form privately, while the complaint is being handled."""
        ticket = acting.ticket
        if not COMPLAINTS.allows(ticket, "plan"):
            return TapAnswer(
                text(
                    "complaint.error.state",
                    number=number(ticket),
                    status=COMPLAINTS.status_label(ticket),
                ),
                alert=True,
            )
        return await COMPLAINTS.open_form(
            uow, actor, PLAN_FORM, ticket, text("complaint.toast.form", number=number(ticket))
        )

    return handler


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
            status = COMPLAINTS.status_label(ticket)
            said = text("complaint.error.state", number=number(ticket), status=status)
            await uow.outbox.send(actor.chat_id, message(said))
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
