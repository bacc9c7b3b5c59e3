"""Arrears: the open balances finance reported, per unit, fee type and period."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Arrear, Event, FeeOfficer

IMPORTED = "arrears.imported"
"""The event every import records; once there is one, the estate keeps fee data in the bot."""


class ArrearsRepository:
    """Reads and stages the arrears of one estate."""

    def __init__(self, session: AsyncSession, now: datetime, estate_id: int) -> None:
        self._session = session
        self._now = now
        self._estate_id = estate_id

    async def ever_imported(self) -> bool:
        """Whether finance's list was ever imported here (even one that owed nothing)."""
        row = await self._session.scalar(
            select(Arrear.id).where(Arrear.estate_id == self._estate_id).limit(1)
        )
        if row is not None:
            return True
        event = await self._session.scalar(
            select(Event.id)
            .where(Event.estate_id == self._estate_id, Event.action == IMPORTED)
            .limit(1)
        )
        return event is not None

    async def all(self) -> list[Arrear]:
        """Every arrear of the estate, open or settled."""
        rows = await self._session.scalars(
            select(Arrear).where(Arrear.estate_id == self._estate_id).order_by(Arrear.id)
        )
        return list(rows)

    async def open_of(self, unit_id: int) -> list[Arrear]:
        """The unit's open balances, oldest period first."""
        rows = await self._session.scalars(
            select(Arrear)
            .where(
                Arrear.estate_id == self._estate_id,
                Arrear.unit_id == unit_id,
                Arrear.settled_at.is_(None),
            )
            .order_by(Arrear.period, Arrear.fee_type)
        )
        return list(rows)

    async def owed_by(self, unit_id: int) -> Decimal:
        """The unit's open total (0 when it owes nothing)."""
        total = await self._session.scalar(
            select(func.sum(Arrear.amount)).where(
                Arrear.estate_id == self._estate_id,
                Arrear.unit_id == unit_id,
                Arrear.settled_at.is_(None),
            )
        )
        return Decimal(total or 0).quantize(Decimal("0.01"))

    async def owing_units(self) -> list[int]:
        """The ids of the units with an open balance, in id order."""
        rows = await self._session.scalars(
            select(Arrear.unit_id)
            .where(Arrear.estate_id == self._estate_id, Arrear.settled_at.is_(None))
            .group_by(Arrear.unit_id)
            .having(func.sum(Arrear.amount) > 0)
            .order_by(Arrear.unit_id)
        )
        return list(rows)

    def add(self, arrear: Arrear) -> None:
        arrear.estate_id = self._estate_id
        arrear.created_at = self._now
        arrear.updated_at = self._now
        self._session.add(arrear)

    async def settle_unit(self, unit_id: int) -> int:
        """Settle every open balance of the unit (finance confirmed the payment); how many."""
        result = await self._session.execute(
            update(Arrear)
            .where(
                Arrear.estate_id == self._estate_id,
                Arrear.unit_id == unit_id,
                Arrear.settled_at.is_(None),
            )
            .values(settled_at=self._now, updated_at=self._now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)

    async def since(self, moment: datetime) -> list[Arrear]:
        """Every balance open now or settled at or after `moment` (what a report reads)."""
        rows = await self._session.scalars(
            select(Arrear)
            .where(
                Arrear.estate_id == self._estate_id,
                (Arrear.settled_at.is_(None)) | (Arrear.settled_at >= moment),
            )
            .order_by(Arrear.id)
        )
        return list(rows)

    async def officer_overrides(self) -> dict[int, int]:
        """Unit id -> the officer a supervisor handed it to (units kept by their building's
        officer are not here)."""
        rows = await self._session.execute(
            select(FeeOfficer.unit_id, FeeOfficer.officer_user_id).where(
                FeeOfficer.estate_id == self._estate_id
            )
        )
        return {unit_id: officer for unit_id, officer in rows.all()}

    async def hand_to(self, unit_id: int, officer_user_id: int, by: int) -> None:
        """The unit is chased by `officer_user_id` from now on."""
        row = await self._session.scalar(
            select(FeeOfficer).where(
                FeeOfficer.estate_id == self._estate_id, FeeOfficer.unit_id == unit_id
            )
        )
        if row is None:
            row = FeeOfficer(estate_id=self._estate_id, unit_id=unit_id)
            self._session.add(row)
        row.officer_user_id = officer_user_id
        row.assigned_by = by
