"""The ticket toolkit: the shape every staff action on a ticket has, written once.

Who acts -> may they -> compare-and-set transition (the lifecycle decides where) -> record ->
refresh the card -> tell people. Repairs, complaints and the features after them declare a
`TicketKind` (its number prefix, its lifecycle, its card) and use these steps instead of writing
them out again, so they cannot drift apart: a survey to a resident who blocked the bot becomes a
phone task for the front desk in every feature, a private form needs an open private chat in
every feature.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.actions import Form
from handlers.actor import Actor, TapAnswer
from handlers.behalf import Recording, columns, resident_for
from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.reach import Fallback, can_message, reach, to_group
from handlers.rules.lifecycle import Lifecycle
from storage.models import Staff, Ticket, Unit
from storage.uow import UnitOfWork

SUBJECT = "ticket"
CardBuilder = Callable[[UnitOfWork, Ticket], Awaitable[MessageBody]]
TapHandler = Callable[..., Awaitable[TapAnswer]]
"""A button's handler: (unit of work, who tapped, ticket id, *further arguments)."""
ActingHandler = Callable[..., Awaitable[TapAnswer]]
"""A staff action once its checks passed: (unit of work, who tapped, `Acting`, *arguments)."""
Permission = Callable[[Staff, Ticket], TapAnswer | None]
"""May this staff member act on this ticket? None if so, else the refusal they are shown."""


@dataclass(frozen=True)
class Acting:
    """A staff member allowed to act on a ticket, and the ticket, as loaded for this update."""

    staff: Staff
    ticket: Ticket


@dataclass(frozen=True)
class TicketKind:
    """One kind of ticket: its name in the database, its number prefix, its lifecycle."""

    kind: str
    prefix: str
    lifecycle: Lifecycle

    def number(self, ticket: Ticket) -> str:
        return f"{self.prefix}-{ticket.number:04d}"

    def status_label(self, ticket: Ticket) -> TextBody:
        return text(f"{self.kind}.status.{ticket.status}")

    async def register(
        self,
        uow: UnitOfWork,
        actor: Actor,
        *,
        event: str,
        details: dict[str, Any],
        unit: Unit | None = None,
        at_home: bool = True,
        data: dict[str, Any] | None = None,
        behalf: Recording | None = None,
        **fields: Any,
    ) -> Ticket:
        """A new ticket from a resident: numbered, in the lifecycle's first state, followed by its
        reporter, and in its history. It concerns `unit`, or their (first) home when `at_home`,
        or no home at all (a common area).

        Recorded `behalf` of someone by staff, the reporter is the unit's resident who uses the
        bot (none for a common area or a unit nobody registered), and the ticket keeps its
        channel and who recorded it."""
        if behalf is None:
            homes = await uow.people.residents_of(actor.user_id)
            resident = homes[0][0] if homes else None
            if unit is None and at_home and homes:
                unit = homes[0][1]
            reporter: int | None = actor.user_id
            name = resident.name if resident else actor.full_name
        else:
            in_bot, resident = await resident_for(uow, unit)
            reporter = in_bot.telegram_user_id if in_bot else None
            name = resident.name if resident else "—"
            details = {**details, "recorded_by": behalf.recorder_name}
            fields.update(columns(behalf))
        details = {"reporter_name": name, **details}
        if unit is not None:
            details.setdefault("unit", [unit.building, unit.entrance, unit.room])
        ticket = await uow.tickets.add(
            Ticket(
                kind=self.kind,
                number=await uow.tickets.next_number(self.kind),
                status=self.lifecycle.start,
                resident_id=resident.id if resident else None,
                unit_id=unit.id if unit else None,
                reporter_user_id=reporter,
                details=details,
                **fields,
            )
        )
        if reporter is not None:
            await uow.tickets.follow(ticket, reporter, resident.id if resident else None)
        if behalf is not None:
            data = {**(data or {}), "channel": behalf.channel}
        self.record(uow, ticket, event, actor.user_id, **(data or {}))
        return ticket

    async def get(self, uow: UnitOfWork, ticket_id: int) -> Ticket | None:
        return await uow.tickets.get(ticket_id, self.kind)

    def record(
        self, uow: UnitOfWork, ticket: Ticket, event: str, actor: int | None, **data: Any
    ) -> None:
        """Into the ticket's history (the event log), with its number for people reading it."""
        number = self.number(ticket)
        uow.events.record(
            f"{self.kind}.{event}", SUBJECT, ticket.id, actor=actor, number=number, **data
        )

    def allows(self, ticket: Ticket, action: str) -> bool:
        return self.lifecycle.allows(ticket.status, action)

    async def transition(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        action: str,
        *,
        actor: int | None,
        event: str | None = None,
        data: dict[str, Any] | None = None,
        **values: Any,
    ) -> bool:
        """Move the ticket by `action` from the state it was read in, and record it.

        The lifecycle decides the target; the write is a compare-and-set on the state as read, so
        of two people acting at once one wins and the other gets False (nothing written).
        """
        if (ticket.status, action) not in self.lifecycle.moves:
            return False
        target = self.lifecycle.after(ticket.status, action)
        if not await uow.tickets.move(ticket, {ticket.status}, target, **values):
            return False
        self.record(uow, ticket, event or action, actor, **(data or {}))
        return True

    async def staff_on(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket_id: int,
        *,
        roles: Iterable[str] | None = None,
        refusal: TextBody,
    ) -> Acting | TapAnswer:
        """The staff member tapping and the ticket, or the refusal they are shown.

        Callback data only names a ticket: whether this person is staff (with one of `roles`, if
        given) is decided here, from the roster.
        """
        staff = await uow.people.staff_member(actor.user_id)
        if staff is None or (roles is not None and staff.role not in set(roles)):
            return TapAnswer(refusal, alert=True)
        ticket = await self.get(uow, ticket_id)
        if ticket is None:
            return TapAnswer(text("error.record_not_found"), alert=True)
        return Acting(staff, ticket)

    def staff_action(
        self,
        *,
        refusal: TextBody,
        roles: Iterable[str] | None = None,
        may: Permission | None = None,
    ) -> Callable[[ActingHandler], TapHandler]:
        """Wrap a staff button's handler in the checks every one needs: the person is staff
        (with one of `roles`), the ticket exists, and `may` allows this person on this ticket.
        The handler then receives the `Acting` pair instead of the ticket id."""

        def wrap(handler: ActingHandler) -> TapHandler:
            @functools.wraps(handler)
            async def tap(uow: UnitOfWork, actor: Actor, ticket_id: int, *args: Any) -> TapAnswer:
                acting = await self.staff_on(uow, actor, ticket_id, roles=roles, refusal=refusal)
                if isinstance(acting, TapAnswer):
                    return acting
                if may is not None and (refused := may(acting.staff, acting.ticket)) is not None:
                    return refused
                return await handler(uow, actor, acting, *args)

            return tap

        return wrap

    async def take(
        self,
        uow: UnitOfWork,
        acting: Acting,
        action: str,
        *,
        name_field: str,
        event: str,
        data: dict[str, Any] | None = None,
        **values: Any,
    ) -> bool:
        """The acting staff member takes the ticket by `action` (accepts a job, owns a
        complaint): they become its assignee, named on the card under `name_field`."""
        details = dict(acting.ticket.details)
        details[name_field] = acting.staff.name
        return await self.transition(
            uow,
            acting.ticket,
            action,
            actor=acting.staff.telegram_user_id,
            event=event,
            data=data,
            assignee_user_id=acting.staff.telegram_user_id,
            accepted_at=uow.now,
            details=details,
            **values,
        )

    def opens_form(
        self,
        form: Form,
        action: str,
        *,
        toast: Callable[[Ticket], TextBody],
        refused: Callable[[Ticket], TapAnswer],
        refusal: TextBody,
        roles: Iterable[str] | None = None,
        may: Permission | None = None,
    ) -> TapHandler:
        """A staff button that opens a private form about the ticket (Reply, Done, Record the
        plan): the checks of `staff_action`, then the form while the lifecycle allows `action`;
        otherwise the person reads `refused(ticket)`."""

        @self.staff_action(refusal=refusal, roles=roles, may=may)
        async def handler(uow: UnitOfWork, actor: Actor, acting: Acting) -> TapAnswer:
            ticket = acting.ticket
            if not self.allows(ticket, action):
                return refused(ticket)
            return await self.open_form(uow, actor, form, ticket, toast(ticket))

        return handler

    async def followed(self, uow: UnitOfWork, actor: Actor, ticket_id: int) -> Ticket | TapAnswer:
        """The ticket, if this resident follows it; someone else's looks like no ticket at all."""
        ticket = await self.get(uow, ticket_id)
        if ticket is None or not await uow.tickets.is_follower(ticket, actor.user_id):
            return TapAnswer(text("error.record_not_found"), alert=True)
        return ticket

    async def open_form(
        self,
        uow: UnitOfWork,
        actor: Actor,
        form: Form,
        ticket: Ticket,
        toast: TextBody,
        **answers: Any,
    ) -> TapAnswer:
        """Open a private form about the ticket with whoever tapped, if the bot may write to
        them; the form's answers carry the ticket's id and number (and any further `answers`
        its steps read)."""
        if not can_message(await uow.people.telegram_user(actor.user_id)):
            return TapAnswer(text("ticket.error.open_private_chat"), alert=True)
        opened = form.open(ticket=ticket.id, number=self.number(ticket), **answers)
        return TapAnswer(toast, start_flow=opened)

    async def form_ticket(self, uow: UnitOfWork, answers: dict[str, Any]) -> Ticket | None:
        """The ticket a private form (opened by `open_form`) is about."""
        # Complaint forms opened before their answers were named like every other form's
        # carry the id as "complaint"; a form left open across the upgrade still submits.
        return await self.get(uow, int(answers.get("ticket", answers.get("complaint", 0))))

    async def form_staff(
        self,
        uow: UnitOfWork,
        actor: Actor,
        answers: dict[str, Any],
        *,
        roles: Iterable[str],
        refusal: TextBody,
    ) -> Acting | None:
        """The ticket a staff form is about and its author, if they still hold one of `roles`;
        otherwise the author is told `refusal` and None comes back."""
        ticket = await self.form_ticket(uow, answers)
        staff = await uow.people.staff_member(actor.user_id)
        if ticket is None or staff is None or staff.role not in set(roles):
            await uow.outbox.send(actor.chat_id, message(refusal))
            return None
        return Acting(staff, ticket)

    async def refresh_card(self, uow: UnitOfWork, ticket: Ticket, card: CardBuilder) -> None:
        """Edit the ticket's card in place to show it as it is now."""
        if ticket.card_outbox_id is not None:
            await uow.outbox.edit(ticket.card_outbox_id, await card(uow, ticket))

    async def schedule(self, uow: UnitOfWork, ticket: Ticket, timer: str, due: datetime) -> None:
        await uow.timers.schedule(timer, due, subject_type=SUBJECT, subject_id=ticket.id)

    async def cancel(self, uow: UnitOfWork, ticket: Ticket, *timers: str) -> None:
        """Cancel the ticket's pending timers of these kinds (all of them when none is named)."""
        await uow.timers.cancel(
            subject_type=SUBJECT, subject_id=ticket.id, kinds=timers if timers else None
        )

    async def timer_ticket(self, uow: UnitOfWork, subject_id: int | None) -> Ticket | None:
        return await self.get(uow, int(subject_id or 0))

    async def tell_followers(self, uow: UnitOfWork, ticket: Ticket, body: MessageBody) -> None:
        """Everyone affected hears about progress: the reporter and those who joined."""
        for user_id in await uow.tickets.followers(ticket):
            await reach(uow, user_id, body)

    async def tell_reporter(
        self, uow: UnitOfWork, ticket: Ticket, body: MessageBody, fallback: Fallback | None = None
    ) -> None:
        if ticket.reporter_user_id is not None:
            await reach(uow, ticket.reporter_user_id, body, fallback or Fallback())

    async def tell_assignee(self, uow: UnitOfWork, ticket: Ticket, body: MessageBody) -> None:
        """The person holding the ticket privately, else their department's group."""
        group = ticket.department_key or "front_desk"
        fallback = Fallback((group, "front_desk"))
        if ticket.assignee_user_id is not None:
            await reach(uow, ticket.assignee_user_id, body, fallback)
        else:
            await to_group(uow, fallback.groups, body)

    async def resident_unreachable(self, uow: UnitOfWork, user_id: int) -> None:
        """A resident blocked the bot: whoever works on their open tickets must reach them
        another way (the group of the department holding each one). A feature's `on_blocked`."""
        user = await uow.people.telegram_user(user_id)
        name = " ".join(filter(None, (user.first_name, user.last_name))) if user else str(user_id)
        for ticket in await uow.tickets.of_user(self.kind, user_id, limit=20):
            if self.lifecycle.is_final(ticket.status):
                continue
            said = message(
                text("ticket.unreachable", number=self.number(ticket), name=verbatim(name))
            )
            if await to_group(uow, (ticket.department_key or "front_desk",), said):
                self.record(uow, ticket, "resident_unreachable", user_id)
