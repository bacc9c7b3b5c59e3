"""Callbacks (回访) as the manual has them: asked in the bot, reminded, then called.

The manual: the front desk calls back every repair and every resolved complaint (the callback
rate must reach 100%), and silence is not an answer. So the survey goes to the resident in the
bot; unanswered, it is asked again a working day later; still unanswered a working day after
that, the front desk's group gets a phone task. The task never shows the phone number in the
group: whoever taps **Show the phone number** sees it in a pop-up only they can read, and the
answer they record (satisfied or not) counts as the resident's own. A resident the bot cannot
write to is that phone task at once.

Features keep their own question and what an answer does; this module owns the clock and the
task, for repairs and complaints alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from handlers.actions import Action
from handlers.actor import Actor, TapAnswer
from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.reach import can_message, post_task
from handlers.roles import FRONT_DESK_ROLES
from handlers.rules.calendar import WorkingCalendar
from handlers.rules.durations import Duration
from handlers.tickets import Acting, TapHandler, TicketKind
from storage.models import Resident, Survey, Ticket, Timer
from storage.uow import UnitOfWork

FRONT_DESK_ONLY = text("callback.error.front_desk_only")

VERDICT_RATING = {True: 5, False: 1}
"""A yes/no verdict (the front desk's call, the complaint callback) as an overall rating, so the
reports count a "satisfied" given that way as a satisfied resident."""

Ask = Callable[[Ticket, Survey], MessageBody]
"""A feature's survey question for one ticket, with its answer buttons."""
Answered = Callable[[UnitOfWork, Ticket, bool, int], Awaitable[None]]
"""What a feature does with an answer given on the phone: (ticket, satisfied, who recorded)."""
TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]


@dataclass(frozen=True)
class Callback:
    """One ticket kind's callback: its timers, its phone-task buttons, its question."""

    kind: TicketKind
    ask_timer: str
    remind_timer: str
    phone_timer: str
    call: Action  # show the phone number (ticket)
    by_phone: Action  # the answer given on the phone (ticket, satisfied 1/0)
    ask: Ask

    async def schedule(
        self,
        uow: UnitOfWork,
        calendar: WorkingCalendar,
        ticket: Ticket,
        first: datetime,
        wait: Duration,
        by: datetime | None = None,
    ) -> None:
        """Ask at `first`, again `wait` later (the estate's `callback_reminder`), then the phone
        task as long after that, or at `by` (the end of the manual's window) if that is sooner."""
        remind = calendar.add(first, wait)
        phone = calendar.add(remind, wait)
        if by is not None:
            phone = max(remind, min(phone, by))
        await self.kind.schedule(uow, ticket, self.ask_timer, first)
        await self.kind.schedule(uow, ticket, self.remind_timer, remind)
        await self.kind.schedule(uow, ticket, self.phone_timer, phone)

    async def done(self, uow: UnitOfWork, ticket: Ticket) -> None:
        """Answered: no reminder, no phone task."""
        await self.kind.cancel(uow, ticket, self.remind_timer, self.phone_timer)

    def asking(self) -> TimerHandler:
        async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
            """The first ask, in the bot; a resident the bot cannot write to is called now."""
            ticket = await self.kind.timer_ticket(uow, timer.subject_id)
            if ticket is None or not self.kind.allows(ticket, "survey"):
                return
            reporter = ticket.reporter_user_id
            if reporter is None or not can_message(await uow.people.telegram_user(reporter)):
                await self.kind.cancel(uow, ticket, self.remind_timer, self.phone_timer)
                await self._phone_task(uow, ticket, None)
                return
            survey = await uow.tickets.add_survey(ticket, reporter)
            self.kind.record(uow, ticket, "survey_sent", None, survey=survey.id)
            await uow.outbox.send(reporter, self.ask(ticket, survey))

        return on_timer

    def reminding(self) -> TimerHandler:
        async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
            """Not answered after a working day: asked once more, saying so."""
            ticket, survey = await self._unanswered(uow, timer)
            if ticket is None or survey is None:
                return
            self.kind.record(uow, ticket, "survey_reminded", None, survey=survey.id)
            asked = self.ask(ticket, survey)
            reminder = message(
                text("callback.reminder", number=self.kind.number(ticket)),
                *asked.get("lines", []),
                buttons=asked.get("buttons", []),
            )
            await uow.outbox.send(survey.telegram_user_id, reminder)

        return on_timer

    def phoning(self) -> TimerHandler:
        async def on_timer(uow: UnitOfWork, timer: Timer) -> None:
            """Still no answer: the front desk calls before the window closes."""
            ticket, survey = await self._unanswered(uow, timer)
            if ticket is not None:
                await self._phone_task(uow, ticket, survey)

        return on_timer

    async def _unanswered(
        self, uow: UnitOfWork, timer: Timer
    ) -> tuple[Ticket | None, Survey | None]:
        ticket = await self.kind.timer_ticket(uow, timer.subject_id)
        if ticket is None or not self.kind.allows(ticket, "survey"):
            return None, None
        surveys = await uow.tickets.surveys_of([ticket.id])
        latest = surveys[-1] if surveys else None
        if latest is not None and latest.answered_at is not None:
            return None, None
        return ticket, latest

    async def _phone_task(self, uow: UnitOfWork, ticket: Ticket, survey: Survey | None) -> None:
        self.kind.record(uow, ticket, "survey_by_phone", None)
        unreachable = survey is None
        task = self._task(ticket, unreachable)
        await post_task(uow, ticket, "callback_task", task, callback_unreachable=unreachable)

    def _task(
        self, ticket: Ticket, unreachable: bool, outcome: TextBody | None = None
    ) -> MessageBody:
        who = {
            "number": self.kind.number(ticket),
            "name": verbatim(ticket.details.get("reporter_name", "")),
        }
        lines: list[TextBody] = [
            text("callback.task.unreachable", **who)
            if unreachable
            else text("callback.task.unanswered", **who)
        ]
        if outcome is not None:
            return message(*lines, outcome)
        return message(
            *lines,
            buttons=[
                [self.call.button(text("callback.button.number"), ticket.id)],
                [
                    self.by_phone.button(text("callback.button.satisfied"), ticket.id, 1),
                    self.by_phone.button(text("callback.button.unsatisfied"), ticket.id, 0),
                ],
            ],
        )

    def show_number(self) -> TapHandler:
        @self.kind.staff_action(refusal=FRONT_DESK_ONLY, roles=FRONT_DESK_ROLES)
        async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
            """The resident's phone, in a pop-up only the person who tapped sees; recorded."""
            ticket = acting.ticket
            phone = await phone_of(uow, ticket)
            self.kind.record(uow, ticket, "phone_shown", actor.user_id)
            number = self.kind.number(ticket)
            if phone is None:
                return TapAnswer(text("callback.no_number", number=number), alert=True)
            name = verbatim(ticket.details.get("reporter_name", ""))
            return TapAnswer(
                text("callback.number", number=number, name=name, phone=phone), alert=True
            )

        return handler

    async def record_verdict(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        satisfied: bool,
        actor: int,
        comment: str,
        via: str,
    ) -> bool:
        """The resident's verdict as staff heard it (on the phone, at a home visit), recorded as
        their answer to the callback: the open survey (or a new one) is answered, the history
        says how (`via`: "phone" or "visit"), and no reminder or phone task follows. False if
        it was already answered."""
        surveys = await uow.tickets.surveys_of([ticket.id])
        survey = surveys[-1] if surveys else None
        if survey is not None and survey.answered_at is not None:
            return False
        if survey is None:
            survey = await uow.tickets.add_survey(ticket, ticket.reporter_user_id or 0)
        survey.answered_at = uow.now
        survey.by_phone = via == "phone"
        survey.rating = VERDICT_RATING[satisfied]
        survey.comment = comment
        how = {f"by_{via}": True}
        self.kind.record(uow, ticket, "survey_answered", actor, satisfied=satisfied, **how)
        await self.done(uow, ticket)
        return True

    def answered_by_phone(self, answered: Answered) -> TapHandler:
        @self.kind.staff_action(refusal=FRONT_DESK_ONLY, roles=FRONT_DESK_ROLES)
        async def handler(
            uow: UnitOfWork, actor: Actor, acting: Acting, satisfied: int
        ) -> TapAnswer:
            """The answer the resident gave on the phone, recorded as theirs."""
            ticket, staff = acting.ticket, acting.staff
            if satisfied not in (0, 1):
                return TapAnswer(text("error.record_not_found"), alert=True)
            if not self.kind.allows(ticket, "survey"):
                return TapAnswer(text("ticket.error.already_answered"), alert=True)
            recorded = await self.record_verdict(
                uow,
                ticket,
                bool(satisfied),
                actor.user_id,
                f"by phone: {staff.name}",
                "phone",
            )
            if not recorded:
                return TapAnswer(text("ticket.error.already_answered"), alert=True)
            await answered(uow, ticket, bool(satisfied), actor.user_id)
            name = verbatim(staff.name)
            outcome = (
                text("callback.recorded.satisfied", name=name)
                if satisfied
                else text("callback.recorded.unsatisfied", name=name)
            )
            if task := ticket.details.get("callback_task"):
                unreachable = bool(ticket.details.get("callback_unreachable"))
                await uow.outbox.edit(int(task), self._task(ticket, unreachable, outcome))
            return TapAnswer(text("callback.toast.recorded", number=self.kind.number(ticket)))

        return handler


async def phone_of(uow: UnitOfWork, ticket: Ticket) -> str | None:
    """The reporter's phone: the roster's, else the one their Telegram account shared."""
    if ticket.resident_id is not None:
        resident = await uow.session.get(Resident, ticket.resident_id)
        if resident is not None and resident.phone:
            return resident.phone
    if ticket.reporter_user_id is not None:
        account = await uow.people.telegram_user(ticket.reporter_user_id)
        if account is not None and account.phone:
            return account.phone
    return None


LISTED_DAYS = 30
"""How far back the follow-up list looks."""
VERDICT_OVERDUE = "verdict_overdue"
"""The history's mark (`<kind>.verdict_overdue`) of a callback made in person whose verdict
staff have not recorded in time (a major complaint's home visit): listed like a phone task."""
CHASED = {"survey_by_phone": "callback.list.waiting", VERDICT_OVERDUE: "callback.list.no_verdict"}
"""The marks of callbacks staff still owe an answer for, and how the list names each."""


async def follow_up(
    uow: UnitOfWork,
    actor: Actor,
    group: bool,
    callback: Callback,
    title: TextBody,
    unhappy: Callable[[dict[str, Any]], bool],
    *,
    first: bool = False,
) -> None:
    """One feature's part of `/callbacks` (staff only): the callbacks of the last 30 days still
    waiting for the front desk's call or a visit's verdict, and those that came back unhappy, for
    the supervisor to follow up. The `first` part tells anyone else the list is for staff."""
    if await uow.people.staff_member(actor.user_id) is None:
        if first:
            await uow.outbox.send(actor.chat_id, message(text("callback.error.staff_only")))
        return
    kind = callback.kind
    since = uow.now - timedelta(days=LISTED_DAYS)
    until = uow.now + timedelta(seconds=1)  # what happened at this very moment counts
    marks = [f"{kind.kind}.{mark}" for mark in CHASED]
    events = await uow.events.between((*marks, f"{kind.kind}.survey_answered"), since, until)
    chased = {
        e.subject_id: CHASED[e.action.split(".", 1)[1]]
        for e in events
        if e.action in marks and e.subject_id is not None
    }
    unhappy_ids = {
        e.subject_id for e in events if e.action.endswith("answered") and unhappy(e.data or {})
    }
    latest = {s.ticket_id: s for s in await uow.tickets.surveys_of(sorted(chased))}
    waiting = [i for i in sorted(chased) if i not in latest or not latest[i].answered_at]
    tickets = {t.id: t for t in await uow.tickets.many(kind.kind, [*waiting, *unhappy_ids])}
    lines: list[TextBody] = [title]
    for unanswered, ids in ((True, waiting), (False, unhappy_ids)):
        for ticket_id in sorted(i for i in ids if i in tickets):
            ticket = tickets[ticket_id]
            about = {
                "number": kind.number(ticket),
                "name": verbatim(ticket.details.get("reporter_name", "")),
                "status": kind.status_label(ticket),
            }
            unhappy_line = text("callback.list.unhappy", **about)
            lines.append(text(chased[ticket_id], **about) if unanswered else unhappy_line)
    if len(lines) == 1:
        lines.append(text("callback.list.none", days=LISTED_DAYS))
    await uow.outbox.send(actor.chat_id, message(*lines), group=group)
