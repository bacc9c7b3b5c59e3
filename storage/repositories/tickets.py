"""Tickets: numbering, compare-and-set state changes, followers and surveys."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SURVEY_QUESTIONS, Survey, Ticket, TicketCounter, TicketFollower


class TicketRepository:
    """Reads and stages tickets of one estate; a state change succeeds for one caller only."""

    def __init__(self, session: AsyncSession, now: datetime, estate_id: int) -> None:
        self._session = session
        self._now = now
        self._estate_id = estate_id

    async def next_number(self, kind: str) -> int:
        """The next number for `kind`, under the row lock of its counter (no gaps, no twins)."""
        result = await self._session.execute(
            update(TicketCounter)
            .where(TicketCounter.estate_id == self._estate_id, TicketCounter.kind == kind)
            .values(last=TicketCounter.last + 1)
            .returning(TicketCounter.last)
        )
        number = result.scalar()
        if number is None:
            self._session.add(TicketCounter(estate_id=self._estate_id, kind=kind, last=1))
            await self._session.flush()
            number = 1
        return int(number)

    async def add(self, ticket: Ticket) -> Ticket:
        ticket.estate_id = self._estate_id
        ticket.created_at = self._now
        ticket.updated_at = self._now
        self._session.add(ticket)
        await self._session.flush()
        return ticket

    async def get(self, ticket_id: int, kind: str | None = None) -> Ticket | None:
        ticket = await self._session.get(Ticket, ticket_id, populate_existing=True)
        if ticket is None or ticket.estate_id != self._estate_id:
            return None
        if kind is not None and ticket.kind != kind:
            return None
        return ticket

    async def by_number(self, kind: str, number: int) -> Ticket | None:
        return await self._session.scalar(
            select(Ticket).where(
                Ticket.estate_id == self._estate_id, Ticket.kind == kind, Ticket.number == number
            )
        )

    async def by_code(self, kind: str, code: str) -> Ticket | None:
        return await self._session.scalar(
            select(Ticket).where(
                Ticket.estate_id == self._estate_id, Ticket.kind == kind, Ticket.code == code
            )
        )

    async def many(self, kind: str, ticket_ids: Iterable[int]) -> list[Ticket]:
        ids = list(dict.fromkeys(ticket_ids))
        if not ids:
            return []
        rows = await self._session.scalars(
            select(Ticket)
            .where(Ticket.estate_id == self._estate_id, Ticket.kind == kind, Ticket.id.in_(ids))
            .order_by(Ticket.id)
        )
        return list(rows)

    async def move(
        self, ticket: Ticket, sources: Iterable[str], target: str, **values: Any
    ) -> bool:
        """Compare-and-set: move the ticket only if it is still in one of `sources`."""
        result = await self._session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.status.in_(list(sources)))
            .values(status=target, updated_at=self._now, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        await self._session.refresh(ticket)
        return True

    async def follow(self, ticket: Ticket, user_id: int, resident_id: int | None) -> bool:
        """Add an affected resident; False if they already follow the ticket."""
        existing = await self._session.scalar(
            select(TicketFollower).where(
                TicketFollower.ticket_id == ticket.id, TicketFollower.telegram_user_id == user_id
            )
        )
        if existing is not None:
            return False
        self._session.add(
            TicketFollower(
                ticket_id=ticket.id,
                telegram_user_id=user_id,
                resident_id=resident_id,
                joined_at=self._now,
            )
        )
        await self._session.flush()
        return True

    async def followers(self, ticket: Ticket) -> list[int]:
        rows = await self._session.scalars(
            select(TicketFollower.telegram_user_id)
            .where(TicketFollower.ticket_id == ticket.id)
            .order_by(TicketFollower.id)
        )
        return list(rows)

    async def is_follower(self, ticket: Ticket, user_id: int) -> bool:
        return user_id in await self.followers(ticket)

    async def open_at_place(
        self, kind: str, category: str, place_key: str, since: datetime, closed: Iterable[str]
    ) -> Ticket | None:
        """The most recent ticket still being worked on for the same fault at the same place."""
        return await self._session.scalar(
            select(Ticket)
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                Ticket.category == category,
                Ticket.place_key == place_key,
                Ticket.created_at >= since,
                Ticket.status.not_in(list(closed)),
            )
            .order_by(Ticket.id.desc())
            .limit(1)
        )

    async def recent_on_topic(
        self, kind: str, category: str, since: datetime, closed: Iterable[str]
    ) -> list[Ticket]:
        """Tickets of one kind and category opened since `since` and not closed, oldest first."""
        rows = await self._session.scalars(
            select(Ticket)
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                Ticket.category == category,
                Ticket.created_at >= since,
                Ticket.status.not_in(list(closed)),
            )
            .order_by(Ticket.id)
        )
        return list(rows)

    async def with_statuses(self, kind: str, statuses: Iterable[str]) -> list[Ticket]:
        rows = await self._session.scalars(
            select(Ticket)
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                Ticket.status.in_(list(statuses)),
            )
            .order_by(Ticket.id)
        )
        return list(rows)

    async def created_between(self, kind: str, start: datetime, end: datetime) -> list[Ticket]:
        rows = await self._session.scalars(
            select(Ticket)
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                Ticket.created_at >= start,
                Ticket.created_at < end,
            )
            .order_by(Ticket.id)
        )
        return list(rows)

    async def kinds(self) -> list[str]:
        """The kinds of ticket this estate has (repair, complaint, slip, ...), by name."""
        rows = await self._session.scalars(
            select(Ticket.kind).where(Ticket.estate_id == self._estate_id).distinct()
        )
        return sorted(rows)

    async def surveys_of(self, ticket_ids: list[int]) -> list[Survey]:
        if not ticket_ids:
            return []
        rows = await self._session.scalars(
            select(Survey).where(Survey.ticket_id.in_(ticket_ids)).order_by(Survey.id)
        )
        return list(rows)

    async def surveys_answered_between(
        self, kind: str, start: datetime, end: datetime
    ) -> list[Survey]:
        """Callback surveys of one kind of ticket answered in [start, end)."""
        rows = await self._session.scalars(
            select(Survey)
            .join(Ticket, Ticket.id == Survey.ticket_id)
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                Survey.answered_at >= start,
                Survey.answered_at < end,
            )
            .order_by(Survey.id)
        )
        return list(rows)

    async def of_user(self, kind: str, user_id: int, limit: int = 10) -> list[Ticket]:
        """Tickets a resident reported or follows, newest first: nobody else's."""
        followed = select(TicketFollower.ticket_id).where(
            TicketFollower.telegram_user_id == user_id
        )
        rows = await self._session.scalars(
            select(Ticket)
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                or_(Ticket.reporter_user_id == user_id, Ticket.id.in_(followed)),
            )
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def assigned_to(self, kind: str, user_id: int, statuses: Iterable[str]) -> list[Ticket]:
        rows = await self._session.scalars(
            select(Ticket)
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                Ticket.assignee_user_id == user_id,
                Ticket.status.in_(list(statuses)),
            )
            .order_by(Ticket.id)
        )
        return list(rows)

    async def in_department(
        self, kind: str, department_key: str, statuses: Iterable[str]
    ) -> list[Ticket]:
        rows = await self._session.scalars(
            select(Ticket)
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                Ticket.department_key == department_key,
                Ticket.status.in_(list(statuses)),
            )
            .order_by(Ticket.urgent.desc(), Ticket.created_at)
        )
        return list(rows)

    async def held_counts(
        self, kind: str, user_ids: Iterable[int], statuses: Iterable[str]
    ) -> dict[int, int]:
        """How many tickets in `statuses` each of `user_ids` holds (absent: none), in one query."""
        wanted = list(user_ids)
        if not wanted:
            return {}
        rows = await self._session.execute(
            select(Ticket.assignee_user_id, func.count())
            .where(
                Ticket.estate_id == self._estate_id,
                Ticket.kind == kind,
                Ticket.assignee_user_id.in_(wanted),
                Ticket.status.in_(list(statuses)),
            )
            .group_by(Ticket.assignee_user_id)
        )
        return {int(user): int(count) for user, count in rows.all()}

    async def add_survey(self, ticket: Ticket, user_id: int) -> Survey:
        survey = Survey(ticket_id=ticket.id, telegram_user_id=user_id, sent_at=self._now)
        self._session.add(survey)
        await self._session.flush()
        return survey

    async def survey(self, survey_id: int) -> Survey | None:
        return await self._session.get(Survey, survey_id)

    async def score_survey(self, survey: Survey, question: str, score: int) -> bool:
        """Set one question's score if nobody set it first (a double tap, two devices): the
        first answer stands, and only one caller is told it counted."""
        if question not in SURVEY_QUESTIONS:
            raise ValueError(f"no survey question {question!r}")
        column = getattr(Survey, question)
        result = await self._session.execute(
            update(Survey)
            .where(Survey.id == survey.id, column.is_(None), Survey.answered_at.is_(None))
            .values({question: score})
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        await self._session.refresh(survey)
        return True
