"""A resident says they have paid; finance (or a supervisor) confirms or did not receive it.

**I have paid** on a notice puts a card in the finance department's group (the front desk's when
finance has none). **Confirm** settles every open balance of the unit and stops the ladder; the
unit's residents are told. **Not received** tells the resident who said so, politely, and the
ladder goes on.
"""

from __future__ import annotations

from handlers.actor import Actor, TapAnswer
from handlers.fees.common import (
    CASES,
    CONFIRM,
    NOT_RECEIVED,
    balance_lines,
    number,
    unit_of,
)
from handlers.fees.ladder import settle
from handlers.fees.policy import FeePolicy
from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.reach import reach
from handlers.roles import FINANCE_ROLES
from handlers.tickets import Acting, TapHandler
from storage.models import Ticket
from storage.uow import UnitOfWork

FINANCE_ONLY = text("fee.error.finance_only")


def claim(policy: FeePolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TapAnswer:
        """I have paid: finance is asked to check, on a card in its group."""
        ticket = await CASES.get(uow, ticket_id)
        homes = {
            unit.id: resident for resident, unit in await uow.people.residents_of(actor.user_id)
        }
        if ticket is None or ticket.unit_id not in homes:
            return TapAnswer(text("error.record_not_found"), alert=True)
        if CASES.lifecycle.is_final(ticket.status):
            return TapAnswer(text("fee.toast.already_settled"), alert=True)
        if ticket.details.get("claim_by"):
            return TapAnswer(text("fee.toast.with_finance"))
        await ask_finance(uow, policy, ticket, actor.user_id, homes[ticket.unit_id].name)
        return TapAnswer(text("fee.toast.claimed"))

    return handler


async def ask_finance(
    uow: UnitOfWork, policy: FeePolicy, ticket: Ticket, claimant: int, name: str
) -> None:
    """Someone says the unit paid (a resident, or the officer who visited): finance's card."""
    details = dict(ticket.details)
    details["claim_by"] = claimant
    details["claim_name"] = name
    ticket.details = details
    CASES.record(uow, ticket, "claimed_paid", claimant)
    ticket.card_outbox_id = await _post_card(uow, policy, await _card(uow, ticket, None))


async def _post_card(uow: UnitOfWork, policy: FeePolicy, card: MessageBody) -> int | None:
    """The card in finance's group (the front desk's when finance has none); its outbox id."""
    for key in (policy.department, "front_desk"):
        department = await uow.people.department(key)
        if department is not None and department.chat_id is not None:
            return await uow.outbox.send(department.chat_id, card, group=True)
    return None


async def _card(uow: UnitOfWork, ticket: Ticket, decided: TextBody | None) -> MessageBody:
    arrears = await uow.arrears.open_of(ticket.unit_id or 0)
    lines = [
        text("fee.card.title", number=number(ticket), unit=unit_of(ticket)),
        text("fee.card.claimed", name=verbatim(ticket.details.get("claim_name", ""))),
        *balance_lines(arrears),
    ]
    if decided is not None:
        return message(*lines, decided)
    claimant = int(ticket.details["claim_by"])
    return message(
        *lines,
        text("fee.card.check"),
        buttons=[
            [
                CONFIRM.button(text("fee.button.confirm"), ticket.id),
                NOT_RECEIVED.button(text("fee.button.not_received"), ticket.id, claimant),
            ]
        ],
    )


def confirm(policy: FeePolicy) -> TapHandler:
    @CASES.staff_action(refusal=FINANCE_ONLY, roles=FINANCE_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
        """Received: the unit's balance is settled, the ladder stops, its residents are told."""
        ticket = acting.ticket
        if CASES.lifecycle.is_final(ticket.status):
            return TapAnswer(text("fee.toast.already_settled"), alert=True)
        decided = text("fee.card.confirmed", name=verbatim(acting.staff.name))
        card = await _card(uow, ticket, decided)  # the amounts as they were confirmed
        await uow.arrears.settle_unit(ticket.unit_id or 0)
        if not await settle(uow, ticket, actor.user_id, "payment_confirmed"):
            return TapAnswer(text("fee.toast.already_settled"), alert=True)
        if ticket.card_outbox_id is not None:
            await uow.outbox.edit(ticket.card_outbox_id, card)
        said = message(text("fee.resident.confirmed", unit=unit_of(ticket)))
        for resident in await uow.people.linked_residents_at(ticket.unit_id or 0):
            assert resident.telegram_user_id is not None
            await reach(uow, resident.telegram_user_id, said)
        return TapAnswer(text("fee.toast.confirmed", number=number(ticket)))

    return handler


def not_received(policy: FeePolicy) -> TapHandler:
    @CASES.staff_action(refusal=FINANCE_ONLY, roles=FINANCE_ROLES)
    async def handler(uow: UnitOfWork, actor: Actor, acting: Acting, resident: int) -> TapAnswer:
        """Not received: the resident who said they paid is told politely; the ladder goes on."""
        ticket = acting.ticket
        if CASES.lifecycle.is_final(ticket.status):
            return TapAnswer(text("fee.toast.already_settled"), alert=True)
        if ticket.details.get("claim_by") != resident:
            return TapAnswer(text("fee.toast.decided"), alert=True)
        decided = text("fee.card.not_received", name=verbatim(acting.staff.name))
        card = await _card(uow, ticket, decided)
        details = dict(ticket.details)
        details.pop("claim_by", None)
        ticket.details = details
        CASES.record(uow, ticket, "not_received", actor.user_id, resident=resident)
        if ticket.card_outbox_id is not None:
            await uow.outbox.edit(ticket.card_outbox_id, card)
        if await uow.people.staff_member(resident) is not None:  # said at a home visit
            said = message(text("fee.staff.not_received", number=number(ticket)))
        else:
            said = message(
                text("fee.resident.not_received", unit=unit_of(ticket)),
                text("fee.how_to_pay", how=policy.how_to_pay()),
            )
        await reach(uow, resident, said)
        return TapAnswer(text("fee.toast.not_received", number=number(ticket)))

    return handler
