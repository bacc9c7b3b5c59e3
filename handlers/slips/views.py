"""A resident's own slips in /my, and cancelling one that is not used yet."""

from __future__ import annotations

from handlers.actor import Actor, TapAnswer
from handlers.messages import ButtonBody, TextBody, message, text
from handlers.slips.common import CANCEL, EXPIRE, SLIPS, number, refresh_card, window_label
from handlers.slips.policy import SlipPolicy
from handlers.tickets import TapHandler
from storage.uow import UnitOfWork


async def my_slips(uow: UnitOfWork, actor: Actor) -> None:
    """The resident's slips (none of anyone else's), newest first, with Cancel where it applies."""
    tickets = await uow.tickets.of_user(SLIPS.kind, actor.user_id)
    if not tickets:
        return
    lines: list[TextBody] = [text("slip.my.title")]
    buttons: list[list[ButtonBody]] = []
    for ticket in tickets:
        lines.append(
            text(
                "slip.my.item",
                number=number(ticket),
                window=window_label(ticket),
                status=SLIPS.status_label(ticket),
            )
        )
        if SLIPS.allows(ticket, "cancel"):
            buttons.append(
                [CANCEL.button(text("slip.button.cancel_number", number=number(ticket)), ticket.id)]
            )
    await uow.outbox.send(actor.chat_id, message(*lines, buttons=buttons))


def cancel(policy: SlipPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """The resident no longer needs the slip: it can no longer open the gate."""
        ticket = await SLIPS.followed(uow, actor, ticket_id)
        if isinstance(ticket, TapAnswer):
            return ticket
        if not await SLIPS.transition(
            uow, ticket, "cancel", actor=actor.user_id, event="cancelled", closed_at=uow.now
        ):
            return TapAnswer(
                text("slip.error.state", number=number(ticket), status=SLIPS.status_label(ticket)),
                alert=True,
            )
        await SLIPS.cancel(uow, ticket, EXPIRE)
        await refresh_card(uow, policy, ticket)
        await uow.outbox.send(actor.chat_id, message(text("slip.cancelled", number=number(ticket))))
        return TapAnswer(text("slip.cancelled", number=number(ticket)))

    return handler
