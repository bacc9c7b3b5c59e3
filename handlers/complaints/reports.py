"""What management reads: open complaints by deadline, and the monthly summary.

The manual asks for every complaint to be summarised monthly (causes, and what was done) for
management: counts by topic and severity, deadline breaches, average reply and resolution times,
satisfaction from the callbacks, and the most frequent causes. It goes to the managers' group on
the 1st, and to whoever asks with /summary.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from handlers.actor import Actor
from handlers.complaints.common import (
    COMPLAINTS,
    MONTHLY,
    number,
    topic_label,
)
from handlers.complaints.lifecycle import INVALID
from handlers.complaints.policy import SEVERITIES, ComplaintPolicy
from handlers.messages import MessageBody, TextBody, message, moment, text, verbatim
from handlers.roles import FRONT_DESK_ROLES
from storage.models import Ticket, Timer
from storage.uow import UnitOfWork

SUMMARY_ROLES = FRONT_DESK_ROLES


async def open_complaints(uow: UnitOfWork, actor: Actor, chat_id: int, group: bool) -> None:
    """Staff's /complaints: everything not closed, the nearest deadline first."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None:
        await uow.outbox.send(chat_id, message(text("complaint.error.staff_only")), group=group)
        return
    tickets = await uow.tickets.with_statuses(COMPLAINTS.kind, COMPLAINTS.lifecycle.open_states)
    if not tickets:
        await uow.outbox.send(chat_id, message(text("complaint.list.empty")), group=group)
        return
    far = uow.now + timedelta(days=3650)

    def next_deadline(ticket: Ticket) -> datetime:
        reply = ticket.reply_due_at if ticket.replied_at is None else None
        return min((d for d in (reply, ticket.resolve_due_at) if d is not None), default=far)

    lines: list[TextBody] = [text("complaint.list.title", count=len(tickets))]
    for ticket in sorted(tickets, key=next_deadline):
        due = next_deadline(ticket)
        lines.append(
            text(
                "complaint.list.item",
                number=number(ticket),
                status=COMPLAINTS.status_label(ticket),
                owner=verbatim(ticket.details.get("owner_name") or "—"),
                due=moment(due) if due != far else verbatim("—"),
            )
        )
    await uow.outbox.send(chat_id, message(*lines), group=group)


async def my_complaints(uow: UnitOfWork, policy: ComplaintPolicy, actor: Actor) -> None:
    """A resident's own complaints (none of anyone else's), with their status and owner."""
    tickets = await uow.tickets.of_user(COMPLAINTS.kind, actor.user_id)
    if not tickets:
        return
    lines: list[TextBody] = [text("complaint.my.title")]
    for ticket in tickets:
        lines.append(
            text(
                "complaint.my.item",
                number=number(ticket),
                topic=topic_label(policy, ticket.category),
                status=COMPLAINTS.status_label(ticket),
                owner=verbatim(ticket.details.get("owner_name") or "—"),
            )
        )
    await uow.outbox.send(actor.chat_id, message(*lines))


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


async def summary(
    uow: UnitOfWork, policy: ComplaintPolicy, start: datetime, end: datetime, title: TextBody
) -> MessageBody:
    """The figures of the complaints received in [start, end)."""
    tickets = await uow.tickets.created_between(COMPLAINTS.kind, start, end)
    by_topic = Counter(t.category for t in tickets)
    by_severity = Counter(t.severity or "untriaged" for t in tickets)
    breaches = await uow.events.count("complaint.breach", "ticket", [t.id for t in tickets])
    replies = [(t.replied_at - t.created_at) for t in tickets if t.replied_at]
    resolutions = [(t.resolved_at - t.created_at) for t in tickets if t.resolved_at]
    surveys = await uow.tickets.surveys_of([t.id for t in tickets])
    answered = [s for s in surveys if s.answered_at is not None]
    satisfied = sum(1 for s in answered if (s.rating or 0) >= 4)
    lines: list[TextBody] = [title, text("complaint.summary.total", count=len(tickets))]
    if tickets:
        lines.append(
            text(
                "complaint.summary.by_severity",
                **{s: by_severity.get(s, 0) for s in (*SEVERITIES, "untriaged")},
                invalid=sum(1 for t in tickets if t.status == INVALID),
            )
        )
        lines.append(text("complaint.summary.topics_title"))
        for key, count in by_topic.most_common():
            lines.append(
                text("complaint.summary.topic", topic=topic_label(policy, key), count=count)
            )
        lines.append(text("complaint.summary.breaches", count=breaches))
        lines.append(text("complaint.summary.reply_time", hours=_hours(replies)))
        lines.append(text("complaint.summary.resolve_time", hours=_hours(resolutions)))
        lines.append(
            text(
                "complaint.summary.satisfaction",
                satisfied=satisfied,
                answered=len(answered),
                percent=round(100 * satisfied / len(answered)) if answered else 0,
                sent=len(surveys),
            )
        )
        still_open = sum(1 for t in tickets if not COMPLAINTS.lifecycle.is_final(t.status))
        lines.append(text("complaint.summary.open", count=still_open))
    return message(*lines)


def _hours(spans: list[timedelta]) -> str:
    if not spans:
        return "—"
    return f"{sum(s.total_seconds() for s in spans) / len(spans) / 3600:.1f}"


def _local_midnight(policy: ComplaintPolicy, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=policy.timezone)


async def on_demand(
    uow: UnitOfWork, policy: ComplaintPolicy, actor: Actor, chat_id: int, group: bool
) -> None:
    """/summary: this month so far."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None or staff.role not in SUMMARY_ROLES:
        await uow.outbox.send(chat_id, message(text("complaint.error.summary_roles")), group=group)
        return
    today = uow.now.astimezone(policy.timezone).date()
    start = _local_midnight(policy, month_start(today))
    body = await summary(
        uow,
        policy,
        start,
        uow.now,
        text("complaint.summary.title_so_far", month=today.strftime("%Y-%m")),
    )
    await uow.outbox.send(chat_id, body, group=group)


def monthly(policy: ComplaintPolicy):
    async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
        """On the 1st: last month's summary to the managers, and the next one scheduled."""
        today = uow.now.astimezone(policy.timezone).date()
        this_month = month_start(today)
        last_month = month_start(this_month - timedelta(days=1))
        body = await summary(
            uow,
            policy,
            _local_midnight(policy, last_month),
            _local_midnight(policy, this_month),
            text("complaint.summary.title", month=last_month.strftime("%Y-%m")),
        )
        managers = await uow.people.department("managers")
        target = managers if managers is not None and managers.chat_id else None
        if target is None:
            target = await uow.people.department("front_desk")
        if target is not None and target.chat_id is not None:
            await uow.outbox.send(target.chat_id, body, group=True)
        await schedule_monthly(uow, policy)

    return on_timer


async def schedule_monthly(uow: UnitOfWork, policy: ComplaintPolicy) -> None:
    """Make sure exactly one monthly summary is pending (called at start-up and after each)."""
    pending = [
        t for t in await uow.timers.pending_for("estate", uow.estate_id) if t.kind == MONTHLY
    ]
    if pending:
        return
    today = uow.now.astimezone(policy.timezone).date()
    first = datetime.combine(next_month(today), time(9), tzinfo=policy.timezone)
    await uow.timers.schedule(MONTHLY, first, subject_type="estate", subject_id=uow.estate_id)
