"""A chase case's history as staff read it: each step, message and outcome, newest last.

Read from the event log the ladder writes, so what a visitor, a supervisor or the managers read
is what happened, not a copy kept beside it.
"""

from __future__ import annotations

from typing import Any

from handlers.messages import TextBody, day, moment, text, verbatim
from handlers.tickets import SUBJECT
from storage.models import Event, Ticket
from storage.uow import UnitOfWork

SHOWN = 10
"""The latest events shown; older ones are summarised by their count."""


def _step(name: Any) -> TextBody:
    return text(f"fee.{name}.name")


def describe(event: Event) -> TextBody | None:
    """What one event says, or None for events that repeat another (a step's own move)."""
    data = event.data or {}
    name = event.action.removeprefix("fee.")
    if name == "opened":
        return text("fee.event.opened", owed=str(data.get("owed", "")))
    if name in {"notice_sent", "chase_sent", "deadline_sent"}:
        step = name.removesuffix("_sent")
        return text("fee.event.sent", step=_step(step), count=int(data.get("residents", 0)))
    if name == "visit_task":
        return text("fee.event.in_person", step=_step(data.get("step", "notice")))
    if name == "claimed_paid":
        return text("fee.event.claimed_paid")
    if name == "not_received":
        return text("fee.event.not_received")
    if name == "visit_assigned":
        to = data.get("to")
        return text(
            "fee.event.visit_assigned",
            step=_step(data.get("step")),
            to=verbatim(to) if to else text("fee.event.front_desk"),
        )
    if name == "visit_recorded":
        outcome = data.get("outcome", "not_home")
        return text(
            f"fee.event.visit.{outcome}",
            step=_step(data.get("step")),
            by=verbatim(str(data.get("by", ""))),
            promised=day(str(data.get("promised", ""))) if data.get("promised") else "",
            reason=verbatim(str(data.get("reason", ""))),
        )
    if name == "promise_passed":
        return text("fee.event.promise_passed", promised=day(str(data.get("promised", ""))))
    if name == "reassigned":
        return text("fee.event.reassigned", to=verbatim(str(data.get("to", ""))))
    if name == "to_director":
        return text("fee.event.to_director")
    if name in {"payment_confirmed", "settled_by_list"}:
        return text(f"fee.event.{name}")
    return None


async def history_lines(uow: UnitOfWork, ticket: Ticket) -> list[TextBody]:
    described = [
        (event, said)
        for event in await uow.events.for_subject(SUBJECT, ticket.id)
        if (said := describe(event)) is not None
    ]
    lines: list[TextBody] = []
    if len(described) > SHOWN:
        lines.append(text("fee.history.earlier", count=len(described) - SHOWN))
    lines += [
        text("fee.history.line", at=moment(event.at), what=said)
        for event, said in described[-SHOWN:]
    ]
    return lines
