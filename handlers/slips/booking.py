"""A resident books a slip: it is registered, and the front desk checks identity and fees.

Only verified residents book (the front desk knows who they are); the card shows the applicant's
homes and the unit's fee status. An estate may let a verified resident whose unit owes nothing be
issued the slip at once; the card then says it was issued automatically.
"""

from __future__ import annotations

from typing import Any

from handlers.actor import Actor
from handlers.forms import Answers, Hook, Outcome
from handlers.messages import message, text
from handlers.reach import alert_management
from handlers.slips.approval import is_special, issue
from handlers.slips.common import SLIPS, card, number
from handlers.slips.policy import SlipPolicy
from storage.models import Unit
from storage.uow import UnitOfWork


async def homes(uow: UnitOfWork, actor: Actor) -> list[list[Any]]:
    """The resident's verified units, as answers a flow can carry: [unit id, building, ...]."""
    return [
        [unit.id, unit.building, unit.entrance, unit.room]
        for _, unit in await uow.people.residents_of(actor.user_id)
    ]


async def fees_owed(uow: UnitOfWork, unit: Unit | None) -> str | None:
    """What the unit owes, as a decimal string ("0" when settled); None when the estate keeps
    no fee records in the bot (no arrears list was ever imported: the card then says there is
    no fee data to check)."""
    if unit is None or not await uow.arrears.ever_imported():
        return None
    owed = await uow.arrears.owed_by(unit.id)
    return "0" if owed == 0 else str(owed)


def submit(policy: SlipPolicy) -> Hook:
    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        """Confirmed: number the request, card it to the front desk (or issue it at once)."""
        residencies = await uow.people.residents_of(actor.user_id)
        chosen = str(answers.get("unit", ""))
        resident, unit = next(
            ((r, u) for r, u in residencies if f"unit:{u.id}" == chosen),
            residencies[0] if residencies else (None, None),  # one home: asked about none
        )
        fees = await fees_owed(uow, unit)
        details: dict[str, Any] = {
            "items": answers["items"],
            "photos": answers.get("photo") or [],
            "day": answers["day"],
            "slot": answers["slot"],
            "plate": answers.get("plate") or "",
            "verified": resident is not None and resident.verified_at is not None,
            "reporter_phone": resident.phone if resident else "",
            "fees": fees,
        }
        if answers.get("carrier") == "other":
            details["carrier"] = {
                "name": answers["carrier_name"],
                "phone": answers["carrier_phone"],
            }
        ticket = await SLIPS.register(
            uow,
            actor,
            event="requested",
            details=details,
            unit=unit,
            department_key="front_desk",
        )
        front_desk = await uow.people.department("front_desk")
        if front_desk is not None and front_desk.chat_id is not None:
            ticket.card_outbox_id = await uow.outbox.send(
                front_desk.chat_id, await card(uow, policy, ticket), group=True
            )
        if is_special(ticket):
            await alert_management(
                uow, message(text("slip.supervisor.special", number=number(ticket)))
            )
        if policy.auto_approve and not is_special(ticket):
            await uow.outbox.send(
                actor.chat_id, message(text("slip.received_auto", number=number(ticket)))
            )
            await issue(uow, policy, ticket, None, None)
            return Outcome.FINISH
        await uow.outbox.send(
            actor.chat_id,
            message(text("slip.received", number=number(ticket)), text("slip.received_next")),
        )
        return Outcome.FINISH

    return hook
