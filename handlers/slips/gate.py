"""At the gate: the guard opens a slip by its QR code or its code, checks it, and releases.

The manual: the guard checks the goods against the slip and that the slip is genuine, collects it
and signs it released; goods that do not match, or large items without a slip, are sent back to
the front desk. Here a slip is genuine when its code is on record and it is valid now; a used,
cancelled, refused or expired one is refused with the reason. Only guards (and supervisors) learn
anything from a code, and whoever keeps guessing is made to wait.
"""

from __future__ import annotations

from handlers.actor import Actor, TapAnswer
from handlers.forms import Answers, Hook, Outcome
from handlers.messages import MessageBody, TextBody, message, moment, text, verbatim
from handlers.reach import to_group
from handlers.roles import OVERSEEING_ROLES
from handlers.slips.common import (
    EXPIRE,
    MISMATCH,
    MISMATCH_FORM,
    RELEASE,
    SLIPS,
    facts,
    number,
    refresh_card,
    state_line,
)
from handlers.slips.policy import SlipPolicy
from handlers.tickets import Acting, TapHandler
from storage.models import Staff, Ticket
from storage.uow import UnitOfWork

GATE_ROLES = frozenset({"guard"}) | OVERSEEING_ROLES
GUARDS_ONLY = text("slip.gate.guards_only")
FAILED = "lookup_failed"


async def open_slip(
    uow: UnitOfWork, policy: SlipPolicy, actor: Actor, code: str, *, group: bool
) -> None:
    """Show the slip behind `code` to a guard, with Released / Mismatch; or say why not."""
    said = await _look_up(uow, policy, actor, code.strip())
    await uow.outbox.send(actor.chat_id, said, group=group)


async def _look_up(uow: UnitOfWork, policy: SlipPolicy, actor: Actor, code: str) -> MessageBody:
    since = uow.now - policy.lookup_window
    if await uow.events.count_by(f"{SLIPS.kind}.{FAILED}", actor.user_id, since) >= (
        policy.lookup_attempts
    ):
        return message(text("slip.gate.wait", minutes=_minutes(policy)))
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None or staff.role not in GATE_ROLES:
        _failed(uow, actor, "not_a_guard")
        return message(GUARDS_ONLY)
    ticket = await uow.tickets.by_code(SLIPS.kind, code) if code else None
    if ticket is None:
        _failed(uow, actor, "unknown")
        return message(text("slip.gate.unknown"))
    refusal = _refusal(uow, policy, ticket)
    SLIPS.record(uow, ticket, "checked", actor.user_id, refused=refusal is not None)
    if refusal is not None:
        return message(refusal, *facts(ticket), state_line(ticket))
    return message(
        text("slip.gate.valid", number=number(ticket)),
        *facts(ticket),
        text("slip.gate.check_goods"),
        buttons=[
            [
                RELEASE.button(text("slip.button.release"), ticket.id),
                MISMATCH.button(text("slip.button.mismatch"), ticket.id),
            ]
        ],
        photos=list(ticket.details.get("photos") or []),
    )


def _failed(uow: UnitOfWork, actor: Actor, why: str) -> None:
    uow.events.record(f"{SLIPS.kind}.{FAILED}", "user", actor.user_id, actor=actor.user_id, why=why)


def _minutes(policy: SlipPolicy) -> int:
    return max(1, int(policy.lookup_window.total_seconds() // 60))


def _refusal(uow: UnitOfWork, policy: SlipPolicy, ticket: Ticket) -> TextBody | None:
    """Why this slip does not let goods out now, or None when it does."""
    details = ticket.details
    if not SLIPS.allows(ticket, "release"):
        if details.get("released_by"):
            return text(
                "slip.gate.used",
                number=number(ticket),
                name=verbatim(details["released_by"]),
                at=moment(ticket.closed_at or uow.now),
            )
        return text("slip.gate.not_valid", number=number(ticket), status=SLIPS.status_label(ticket))
    start, end = policy.window(details["day"], details["slot"])
    if uow.now < start:
        return text("slip.gate.too_early", number=number(ticket), at=moment(start))
    if uow.now > end:
        return text("slip.gate.too_late", number=number(ticket), at=moment(end))
    return None


def _on_duty(staff: Staff, _ticket: Ticket) -> TapAnswer | None:
    return None if staff.role in GATE_ROLES else TapAnswer(GUARDS_ONLY, alert=True)


def release(policy: SlipPolicy) -> TapHandler:
    @SLIPS.staff_action(refusal=GUARDS_ONLY, may=_on_duty)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """The goods match: the slip is used (who, when), the resident and the desk hear it."""
        ticket = acting.ticket
        refusal = _refusal(uow, policy, ticket)
        if refusal is not None:
            return TapAnswer(refusal, alert=True)
        details = dict(ticket.details)
        details["released_by"] = acting.staff.name
        if not await SLIPS.transition(
            uow,
            ticket,
            "release",
            actor=actor.user_id,
            event="released",
            closed_at=uow.now,
            details=details,
        ):
            return TapAnswer(_refusal(uow, policy, ticket) or GUARDS_ONLY, alert=True)
        await SLIPS.cancel(uow, ticket, EXPIRE)
        await refresh_card(uow, policy, ticket)
        said = text(
            "slip.released",
            number=number(ticket),
            name=verbatim(acting.staff.name),
            at=moment(uow.now),
        )
        await uow.outbox.send(actor.chat_id, message(said), group=actor.chat_id != actor.user_id)
        await SLIPS.tell_followers(uow, ticket, message(said))
        return TapAnswer(text("slip.toast.released", number=number(ticket)))

    return handler


def mismatch(policy: SlipPolicy) -> TapHandler:
    @SLIPS.staff_action(refusal=GUARDS_ONLY, may=_on_duty)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """The goods do not match: the guard says what, in a private form."""
        ticket = acting.ticket
        if not SLIPS.allows(ticket, "turn_back"):
            return TapAnswer(_refusal(uow, policy, ticket) or GUARDS_ONLY, alert=True)
        return await SLIPS.open_form(
            uow, actor, MISMATCH_FORM, ticket, text("slip.toast.mismatch", number=number(ticket))
        )

    return handler


def turned_back(policy: SlipPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """Turned back: the resident goes to the front desk, and the desk gets a card."""
        acting = await SLIPS.form_staff(uow, actor, answers, roles=GATE_ROLES, refusal=GUARDS_ONLY)
        if acting is None:
            return Outcome.FINISH
        ticket, staff = acting.ticket, acting.staff
        details = dict(ticket.details)
        details["mismatch"] = answers["what"]
        details["released_by"] = None
        if not await SLIPS.transition(
            uow,
            ticket,
            "turn_back",
            actor=actor.user_id,
            event="turned_back",
            data={"what": answers["what"], "guard": staff.name},
            closed_at=uow.now,
            details=details,
        ):
            await uow.outbox.send(
                actor.chat_id,
                message(
                    text(
                        "slip.gate.not_valid",
                        number=number(ticket),
                        status=SLIPS.status_label(ticket),
                    )
                ),
            )
            return Outcome.FINISH
        await SLIPS.cancel(uow, ticket, EXPIRE)
        await refresh_card(uow, policy, ticket)
        await SLIPS.tell_followers(
            uow,
            ticket,
            message(
                text("slip.resident.turned_back", number=number(ticket)),
                verbatim(answers["what"]),
            ),
        )
        await to_group(
            uow,
            ("front_desk",),
            message(
                text("slip.desk.turned_back", number=number(ticket), guard=verbatim(staff.name)),
                text("slip.card.mismatch", what=verbatim(answers["what"])),
                *facts(ticket),
            ),
        )
        await uow.outbox.send(
            actor.chat_id, message(text("slip.turned_back_done", number=number(ticket)))
        )
        return Outcome.FINISH

    return hook
