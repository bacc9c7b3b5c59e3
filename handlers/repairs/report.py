"""A resident reports a repair: register it, dispatch it, and never dispatch the same job twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from handlers import behalf
from handlers.actor import Actor
from handlers.behalf import Recording
from handlers.forms import Answers, Outcome
from handlers.messages import MessageBody, message, text
from handlers.on_duty import night
from handlers.repairs.common import (
    ACCEPT_SLA,
    REPAIRS,
    card,
    category_label,
    number,
    post_card,
    refresh_card,
)
from handlers.repairs.policy import RepairPolicy
from storage.models import Ticket
from storage.uow import UnitOfWork

Hook = Callable[[UnitOfWork, Actor, Answers], Awaitable[Outcome | None]]


async def homes(uow: UnitOfWork, actor: Actor) -> list[list[Any]]:
    """The resident's verified units, as answers a flow can carry: [unit id, building, ...]."""
    return [
        [unit.id, unit.building, unit.entrance, unit.room]
        for _, unit in await uow.people.residents_of(actor.user_id)
    ]


def place_key(answers: Answers) -> str:
    """Where the fault is, normalised so two residents describing one place match."""
    if answers.get("where", "").startswith("unit:"):
        return answers["where"]
    return "common:" + " ".join(str(answers.get("place", "")).lower().split())


def find_duplicate(policy: RepairPolicy) -> Hook:
    """After a common-area place is named: is the same fault there already being handled?"""

    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        answers.pop("_duplicate", None)
        open_ticket = await uow.tickets.open_at_place(
            REPAIRS.kind,
            answers["category"],
            place_key(answers),
            since=uow.now - policy.duplicate_window,
            closed=REPAIRS.lifecycle.final,
        )
        if open_ticket is not None:
            answers["_duplicate"] = open_ticket.id
            answers["_duplicate_number"] = number(open_ticket)
        return Outcome.CONTINUE

    return hook


def join_duplicate(policy: RepairPolicy) -> Hook:
    """The resident chose to join the open job instead of reporting it again."""

    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        if answers.get("join") != "join":
            return Outcome.CONTINUE
        ticket = await REPAIRS.get(uow, int(answers["_duplicate"]))
        if ticket is None or not REPAIRS.allows(ticket, "join"):
            answers["join"] = "new"
            return Outcome.CONTINUE
        if Recording.of(answers) is None:  # staff recording a patrol's find do not follow it
            homes_of = await uow.people.residents_of(actor.user_id)
            await uow.tickets.follow(ticket, actor.user_id, homes_of[0][0].id if homes_of else None)
        REPAIRS.record(uow, ticket, "joined", actor.user_id)
        await refresh_card(uow, policy, ticket)
        count = len(await uow.tickets.followers(ticket))
        joined = (
            text("repair.joined", number=number(ticket), count=count)
            if Recording.of(answers) is None
            else text("behalf.joined", number=number(ticket))  # staff join nobody to it
        )
        await uow.outbox.send(actor.chat_id, message(joined))
        return Outcome.FINISH

    return hook


def submit(policy: RepairPolicy) -> Hook:
    """Confirmed: number the job, dispatch the card at once (an urgent one outside office hours
    to the on-duty group too), start the acceptance clock."""

    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome:
        category = policy.category(answers["category"])
        details: dict[str, Any] = {
            "description": answers["description"],
            "photos": answers.get("photos") or [],
            "day": answers["day"],
            "slot": answers["slot"],
        }
        unit = None
        at_home = str(answers.get("where", "")).startswith("unit:")
        recording = Recording.of(answers)
        if recording is not None and not await behalf.allowed(
            uow, actor, behalf.REPAIR, common=not at_home
        ):
            return Outcome.FINISH
        if at_home:
            homes = (
                await uow.people.residents_of(actor.user_id)
                if recording is None
                else [(None, await behalf.unit_of(uow, recording))]
            )
            unit = next((u for _, u in homes if u and f"unit:{u.id}" == answers["where"]), None)
        else:
            details["place"] = answers.get("place", "")
        urgent = answers.get("urgency") == "urgent"
        ticket = await REPAIRS.register(
            uow,
            actor,
            event="reported",
            data={"urgent": urgent},
            details=details,
            unit=unit,
            at_home=at_home,
            department_key=category.department if category else "front_desk",
            category=answers["category"],
            place_key=place_key(answers),
            urgent=urgent,
            behalf=recording,
        )
        await post_card(uow, policy, ticket)
        if ticket.urgent:
            await night.take_in(
                uow, policy.on_duty, ticket, number(ticket), await card(uow, policy, ticket)
            )
        await REPAIRS.schedule(uow, ticket, ACCEPT_SLA, policy.accept_due(uow.now, ticket.urgent))
        if recording is None:
            await uow.outbox.send(actor.chat_id, received(policy, ticket))
        else:
            await behalf.announce(uow, actor, ticket, number(ticket), received(policy, ticket))
        return Outcome.FINISH

    return hook


def received(policy: RepairPolicy, ticket: Ticket) -> MessageBody:
    return message(
        text("repair.received", number=number(ticket)),
        text("repair.card.category", category=category_label(policy, ticket.category)),
        text("repair.received_next"),
    )
