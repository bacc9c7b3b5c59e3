"""Who gets which report, when: the weekly and monthly timers, /report and /export.

The manual: the front desk counts requests and callbacks every week and the departments analyse
theirs; every month the complaints are summarised for management. So the weekly report (the
week that ended, against the week before) goes to the front desk and each department's group on
the configured weekday, and the monthly one (the month that ended) to the managers' group on the
1st, or to the front desk when the estate has no managers' group. Both are timer rows, kept one
pending per kind, so a report missed while the bot was down goes out when it is back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from handlers.actor import Actor
from handlers.messages import MessageBody, document, message, text
from handlers.reports.compose import gather, messages
from handlers.reports.export import tickets_of, workbook
from handlers.reports.figures import ReportSections
from handlers.reports.period import Kind, Period, last_complete, parse
from handlers.reports.policy import ReportPolicy
from handlers.roles import OVERSEEING_ROLES
from storage.models import Timer
from storage.uow import UnitOfWork

WEEKLY = "report.weekly"
MONTHLY = "report.monthly"
SUBJECT = "estate"
NOT_WEEKLY = frozenset({"managers"})
"""Groups the weekly report does not go to (the managers read the monthly one)."""
TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]


async def build(uow: UnitOfWork, sections: ReportSections, period: Period) -> list[MessageBody]:
    """The report's messages: the chart and its caption, then a message per section."""
    report = await gather(uow, sections, period)
    return messages(report, so_far=period.end > uow.now)


async def schedule(uow: UnitOfWork, policy: ReportPolicy) -> None:
    """Exactly one weekly and one monthly report pending (at start-up and after each)."""
    pending = {t.kind for t in await uow.timers.pending_for(SUBJECT, uow.estate_id)}
    for kind, due in (
        (WEEKLY, policy.next_weekly(uow.now)),
        (MONTHLY, policy.next_monthly(uow.now)),
    ):
        if kind not in pending:
            await uow.timers.schedule(kind, due, subject_type=SUBJECT, subject_id=uow.estate_id)


def on_timer(
    policy: ReportPolicy, sections: ReportSections, kind: Kind, groups: Sequence[str]
) -> TimerHandler:
    async def handler(uow: UnitOfWork, timer: Timer) -> None:
        """The last whole week or month, to its groups; the next one scheduled."""
        period = last_complete(kind, uow.now, policy.timezone)
        bodies = await build(uow, sections, period)
        for chat_id in await _chats(uow, groups, kind):
            for body in bodies:
                await uow.outbox.send(chat_id, body, group=True)
        await schedule(uow, policy)

    return handler


async def _chats(uow: UnitOfWork, groups: Sequence[str], kind: Kind) -> list[int]:
    chats: list[int] = []
    for key in groups:
        department = await uow.people.department(key)
        if department is not None and department.chat_id is not None:
            chats.append(department.chat_id)
        if chats and kind == "month":
            break  # the managers' group, or the front desk when there is none
    return list(dict.fromkeys(chats))


def weekly_groups(departments: Sequence[str]) -> tuple[str, ...]:
    """The front desk first, then every other department except the managers."""
    rest = [d for d in departments if d != "front_desk" and d not in NOT_WEEKLY]
    return ("front_desk", *rest)


MONTHLY_GROUPS = ("managers", "front_desk")


async def _asked(
    uow: UnitOfWork, policy: ReportPolicy, actor: Actor, words: str, group: bool
) -> Period | None:
    """The period `/report` or `/export` names, if a supervisor or admin asked for one."""
    staff = await uow.people.staff_member(actor.user_id)
    if staff is None or staff.role not in OVERSEEING_ROLES:
        await uow.outbox.send(actor.chat_id, message(text("report.error.roles")), group=group)
        return None
    kind, _, rest = words.strip().partition(" ")
    try:
        if kind not in ("week", "month"):
            raise ValueError(kind)
        return parse(kind, rest, uow.now, policy.timezone)  # type: ignore[arg-type]
    except ValueError:
        await uow.outbox.send(actor.chat_id, message(text("report.error.usage")), group=group)
        return None


async def on_demand(
    uow: UnitOfWork,
    policy: ReportPolicy,
    sections: ReportSections,
    actor: Actor,
    words: str,
    group: bool,
) -> None:
    """/report week | month [YYYY-MM]: the report, where it was asked for."""
    period = await _asked(uow, policy, actor, words or "week", group)
    if period is None:
        return
    for body in await build(uow, sections, period):
        await uow.outbox.send(actor.chat_id, body, group=group)


async def export(
    uow: UnitOfWork, policy: ReportPolicy, actor: Actor, words: str, group: bool
) -> None:
    """/export [week | month [YYYY-MM]]: the period's tickets as a spreadsheet."""
    period = await _asked(uow, policy, actor, words or "month", group)
    if period is None:
        return
    data = workbook(await tickets_of(uow, period), policy.timezone)
    await uow.outbox.send(
        actor.chat_id,
        message(
            text("report.export.caption", period=period.label),
            document=document(f"tickets-{period.label}.xlsx", data),
        ),
        group=group,
    )
