"""The security manager's daily reconciliation, and the slips' own clock.

The manual: the security manager reconciles all slips every day and signs off. Every evening at
the configured time the day's slips are counted from their history (issued, released, expired
unused, turned back) and listed, as a message and a CSV file, with a Checked button that records
who signed off. A day nobody checked is brought back the next morning.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta

from handlers.actor import Actor, TapAnswer
from handlers.messages import MessageBody, TextBody, day, document, message, text, verbatim
from handlers.reach import reach, to_group
from handlers.roles import MANAGEMENT_ROLES, OVERSEEING_ROLES
from handlers.slips.common import (
    CHECKED,
    RECONCILE,
    RECONCILE_REMINDER,
    SLIPS,
    number,
    refresh_card,
)
from handlers.slips.policy import SlipPolicy
from handlers.tickets import TapHandler
from storage.models import Timer
from storage.uow import UnitOfWork

TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]
SUBJECT = "estate"
COUNTED = {
    f"{SLIPS.kind}.approved": "issued",
    f"{SLIPS.kind}.released": "released",
    f"{SLIPS.kind}.expired": "expired",
    f"{SLIPS.kind}.turned_back": "turned_back",
}
DAY_CHECKED = f"{SLIPS.kind}.day_checked"
MORNING = time(9)


async def schedule_next(uow: UnitOfWork, policy: SlipPolicy) -> None:
    """Exactly one reconciliation pending (called at start-up and after each)."""
    pending = await uow.timers.pending_for(SUBJECT, uow.estate_id)
    if any(t.kind == RECONCILE for t in pending):
        return
    await uow.timers.schedule(
        RECONCILE, policy.reconcile_due(uow.now), subject_type=SUBJECT, subject_id=uow.estate_id
    )


def reconcile(policy: SlipPolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """Count and list the day's slips for the security manager, with Checked.

        A day without any slip has nothing to sign off, and nothing is sent."""
        today = policy.local_day(timer.due_at)
        await uow.timers.schedule(
            RECONCILE,
            policy.reconcile_due(timer.due_at + timedelta(minutes=1)),
            subject_type=SUBJECT,
            subject_id=uow.estate_id,
        )
        if not await send_day(uow, policy, today):
            return
        morning = datetime.combine(today + timedelta(days=1), MORNING, tzinfo=policy.timezone)
        await uow.timers.schedule(
            RECONCILE_REMINDER,
            max(morning, uow.now),
            subject_type=SUBJECT,
            subject_id=uow.estate_id,
            payload={"day": today.isoformat()},
        )

    return on_timer


async def send_day(uow: UnitOfWork, policy: SlipPolicy, on: date) -> bool:
    """Send the day's reconciliation; False (and nothing sent) when the day had no slips."""
    start, end = policy.day_bounds(on)
    events = await uow.events.between(COUNTED, start, end)
    tickets = {
        t.id: t for t in await uow.tickets.many(SLIPS.kind, [e.subject_id or 0 for e in events])
    }
    counts = dict.fromkeys(COUNTED.values(), 0)
    rows: list[list[str]] = []
    lines: list[TextBody] = [text("slip.day.title", day=day(on.isoformat()))]
    for event in events:
        ticket = tickets.get(event.subject_id or 0)
        if ticket is None:
            continue
        what = COUNTED[event.action]
        counts[what] += 1
        unit = ticket.details.get("unit") or ["", "", ""]
        rows.append(
            [
                number(ticket),
                what,
                event.at.astimezone(policy.timezone).strftime("%Y-%m-%d %H:%M"),
                "-".join(str(part) for part in unit),
                ticket.details.get("items", ""),
                ticket.details.get("day", ""),
                ticket.details.get("slot", ""),
                ticket.details.get("issued_by") or "",
                ticket.details.get("released_by") or "",
                ticket.details.get("mismatch") or "",
            ]
        )
        lines.append(
            text(
                f"slip.day.item_{what}",
                number=number(ticket),
                items=verbatim(_short(ticket.details.get("items", ""))),
            )
        )
    if not rows:
        return False
    lines.insert(1, text("slip.day.counts", **counts))
    body = message(
        *lines,
        buttons=[[CHECKED.button(text("slip.button.checked"), on.isoformat())]],
        document=document(f"slips-{on.isoformat()}.csv", _csv(rows)),
    )
    await _to_managers(uow, policy, body)
    return True


def _short(items: str, limit: int = 60) -> str:
    flat = " ".join(items.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "slip",
            "event",
            "at",
            "unit",
            "items",
            "day",
            "window",
            "issued_by",
            "released_by",
            "mismatch",
        ]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # with a BOM, so spreadsheet programs read CJK


async def _to_managers(uow: UnitOfWork, policy: SlipPolicy, body: MessageBody) -> None:
    """The security department's supervisors privately; its group if none can be written to."""
    told = 0
    for member in await uow.people.staff_with_roles(set(MANAGEMENT_ROLES)):
        if member.department_key == policy.department and await reach(
            uow, member.telegram_user_id, body
        ):
            told += 1
    if told == 0:
        await to_group(uow, (policy.department, "front_desk"), body)


def checked(policy: SlipPolicy) -> TapHandler:
    async def handler(uow: UnitOfWork, actor: Actor, on: str) -> TapAnswer:
        """The security manager signs the day off: who, and when."""
        staff = await uow.people.staff_member(actor.user_id)
        if staff is None or staff.role not in OVERSEEING_ROLES:
            return TapAnswer(text("slip.error.managers_only"), alert=True)
        try:
            date.fromisoformat(on)
        except ValueError:
            return TapAnswer(text("error.button_invalid"), alert=True)
        if await _checked_by(uow, on):
            return TapAnswer(text("slip.day.already_checked", day=day(on)), alert=True)
        uow.events.record(DAY_CHECKED, SUBJECT, uow.estate_id, actor=actor.user_id, day=on)
        await uow.outbox.send(
            actor.chat_id,
            message(text("slip.day.checked", day=day(on), name=verbatim(staff.name))),
            group=actor.chat_id != actor.user_id,
        )
        return TapAnswer(text("slip.day.checked", day=day(on), name=verbatim(staff.name)))

    return handler


async def _checked_by(uow: UnitOfWork, on: str) -> bool:
    signed = await uow.events.of_action(DAY_CHECKED, SUBJECT, uow.estate_id)
    return any(event.data.get("day") == on for event in signed)


def remind(policy: SlipPolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """Yesterday's slips are still unchecked: send the day again."""
        on = str((timer.payload or {}).get("day", ""))
        if not on or await _checked_by(uow, on):
            return
        await _to_managers(uow, policy, message(text("slip.day.unchecked", day=day(on))))
        await send_day(uow, policy, date.fromisoformat(on))

    return on_timer


def expire(policy: SlipPolicy) -> TimerHandler:
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """The window (with its grace) is over and the slip was not used."""
        ticket = await SLIPS.timer_ticket(uow, timer.subject_id)
        if ticket is None or not SLIPS.allows(ticket, "expire"):
            return
        if await SLIPS.transition(
            uow, ticket, "expire", actor=None, event="expired", closed_at=uow.now
        ):
            await refresh_card(uow, policy, ticket)
            await SLIPS.tell_followers(
                uow, ticket, message(text("slip.resident.expired", number=number(ticket)))
            )

    return on_timer
