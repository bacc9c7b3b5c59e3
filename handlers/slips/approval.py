"""The front desk issues or refuses a slip; an estate may let clear cases be issued at once.

Issuing gives the slip its gate code: long, random and used once. The resident receives the slip
with a QR code holding a deep link to the bot, so a guard scans it with any phone camera; a copy
of someone else's slip is worth nothing more than the real one, because the guard sees the home and
the carrier the slip was issued for.
"""

from __future__ import annotations

import secrets

from handlers.actor import Actor, TapAnswer
from handlers.forms import Answers, Hook, Outcome
from handlers.messages import MessageBody, message, text, verbatim
from handlers.roles import FRONT_DESK_ROLES, OVERSEEING_ROLES
from handlers.slips.common import (
    CANCEL,
    EXPIRE,
    REJECT_FORM,
    SLIPS,
    START_PREFIX,
    facts,
    number,
    refresh_card,
)
from handlers.slips.policy import SlipPolicy
from handlers.tickets import Acting, TapHandler
from storage.models import Staff, Ticket
from storage.uow import UnitOfWork

FRONT_DESK_ONLY = text("slip.error.front_desk_only")


def new_code() -> str:
    """A gate code: 128 random bits, URL-safe, fits a /start payload (64 characters at most)."""
    return secrets.token_urlsafe(16)


async def issue(
    uow: UnitOfWork, policy: SlipPolicy, ticket: Ticket, by: int | None, name: str | None
) -> bool:
    """Issue the slip: its code, the resident's copy with the QR code, the expiry timer."""
    details = dict(ticket.details)
    details["issued_by"] = name or ""
    details["auto_approved"] = by is None
    if not await SLIPS.transition(
        uow,
        ticket,
        "approve",
        actor=by,
        event="approved",
        data={"automatic": by is None},
        assignee_user_id=by,
        accepted_at=uow.now,
        code=new_code(),
        details=details,
    ):
        return False
    _start, end = policy.window(details["day"], details["slot"])
    await SLIPS.schedule(uow, ticket, EXPIRE, end)
    await refresh_card(uow, policy, ticket)
    await SLIPS.tell_followers(uow, ticket, slip_copy(ticket))
    return True


def slip_copy(ticket: Ticket) -> MessageBody:
    """The resident's half of the slip: the facts, who issued it, and the QR code to show."""
    return message(
        text("slip.resident.issued", number=number(ticket)),
        *facts(ticket),
        text("slip.resident.issued_by", name=verbatim(ticket.details.get("issued_by") or "—")),
        text("slip.resident.show_qr"),
        buttons=[[CANCEL.button(text("slip.button.cancel"), ticket.id)]],
        qr=f"{START_PREFIX}{ticket.code}",
    )


def approve(policy: SlipPolicy) -> TapHandler:
    @SLIPS.staff_action(refusal=FRONT_DESK_ONLY, roles=FRONT_DESK_ROLES, may=_special_case)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Identity and fees checked: the slip is issued."""
        ticket = acting.ticket
        if not await issue(uow, policy, ticket, actor.user_id, acting.staff.name):
            return decided(ticket)
        return TapAnswer(text("slip.toast.issued", number=number(ticket)))

    return handler


def is_special(ticket: Ticket) -> bool:
    """The manual sends special cases to the customer-service supervisor: an applicant who is
    not a verified resident of the home, or a home that owes fees."""
    fees = ticket.details.get("fees")
    return not ticket.details.get("verified") or fees not in (None, "0")


def _special_case(staff: Staff, ticket: Ticket) -> TapAnswer | None:
    if is_special(ticket) and staff.role not in OVERSEEING_ROLES:
        return TapAnswer(text("slip.error.supervisor_decides"), alert=True)
    return None


def decided(ticket: Ticket) -> TapAnswer:
    return TapAnswer(
        text("slip.error.state", number=number(ticket), status=SLIPS.status_label(ticket)),
        alert=True,
    )


def reject(policy: SlipPolicy) -> TapHandler:
    @SLIPS.staff_action(refusal=FRONT_DESK_ONLY, roles=FRONT_DESK_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Refuse: the reason the resident will read is asked for in a private form."""
        ticket = acting.ticket
        if not SLIPS.allows(ticket, "reject"):
            return decided(ticket)
        return await SLIPS.open_form(
            uow, actor, REJECT_FORM, ticket, text("slip.toast.reason", number=number(ticket))
        )

    return handler


def rejected(policy: SlipPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """The reason is in: the request is refused and the resident reads why."""
        acting = await SLIPS.form_staff(
            uow, actor, answers, roles=FRONT_DESK_ROLES, refusal=FRONT_DESK_ONLY
        )
        if acting is None:
            return Outcome.FINISH
        ticket, staff = acting.ticket, acting.staff
        details = dict(ticket.details)
        details["reject_reason"] = answers["reason"]
        details["issued_by"] = staff.name
        if not await SLIPS.transition(
            uow,
            ticket,
            "reject",
            actor=actor.user_id,
            event="rejected",
            assignee_user_id=actor.user_id,
            closed_at=uow.now,
            details=details,
        ):
            await uow.outbox.send(actor.chat_id, message(decided(ticket).text))
            return Outcome.FINISH
        await SLIPS.cancel(uow, ticket)
        await refresh_card(uow, policy, ticket)
        await SLIPS.tell_followers(
            uow,
            ticket,
            message(
                text("slip.resident.rejected", number=number(ticket)),
                verbatim(answers["reason"]),
            ),
        )
        await uow.outbox.send(
            actor.chat_id, message(text("slip.rejected_done", number=number(ticket)))
        )
        return Outcome.FINISH

    return hook
