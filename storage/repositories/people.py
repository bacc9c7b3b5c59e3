"""Who is who: Telegram accounts, residents and their units, staff and departments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Department, Resident, Staff, TelegramUser, Unit

_USERS = select(TelegramUser).where(TelegramUser.id.in_(bindparam("ids", expanding=True)))
"""Built once: the sender reads the accounts it writes to (language, blocked) at every pass."""


class PeopleRepository:
    """Reads and stages the people tables; matching rules live in handlers, not here."""

    def __init__(self, session: AsyncSession, now: datetime, estate_id: int) -> None:
        self._session = session
        self._now = now
        self.estate_id = estate_id
        self._staff: dict[int, Staff | None] = {}

    async def telegram_user(self, user_id: int) -> TelegramUser | None:
        return await self._session.get(TelegramUser, user_id)

    async def telegram_users(self, user_ids: list[int]) -> dict[int, TelegramUser]:
        if not user_ids:
            return {}
        rows = await self._session.scalars(_USERS, {"ids": user_ids})
        return {user.id: user for user in rows}

    async def has_blocked_bot(self, user_id: int) -> bool:
        user = await self._session.get(TelegramUser, user_id)
        return user is not None and user.blocked_at is not None

    async def seen(
        self,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> TelegramUser:
        """Create or refresh the account row of someone who just wrote to the bot."""
        user = await self._session.get(TelegramUser, user_id)
        if user is None:
            user = TelegramUser(id=user_id, first_name=first_name, created_at=self._now)
            self._session.add(user)
        user.first_name = first_name
        user.last_name = last_name
        user.username = username
        user.language_code = language_code
        user.blocked_at = None
        return user

    async def staff_member(self, user_id: int) -> Staff | None:
        """The active staff member with this account; read once per unit of work, as one update
        asks it at several steps (may they act, who acted, whom to tell)."""
        if user_id not in self._staff:
            self._staff[user_id] = await self._session.scalar(
                select(Staff).where(
                    Staff.estate_id == self.estate_id,
                    Staff.telegram_user_id == user_id,
                    Staff.active.is_(True),
                )
            )
        return self._staff[user_id]

    async def staff_in(self, department_key: str) -> list[Staff]:
        rows = await self._session.scalars(
            select(Staff).where(
                Staff.estate_id == self.estate_id,
                Staff.department_key == department_key,
                Staff.active.is_(True),
            )
        )
        return list(rows)

    async def staff_with_roles(self, roles: set[str]) -> list[Staff]:
        rows = await self._session.scalars(
            select(Staff)
            .where(
                Staff.estate_id == self.estate_id,
                Staff.role.in_(sorted(roles)),
                Staff.active.is_(True),
            )
            .order_by(Staff.id)
        )
        return list(rows)

    async def department(self, key: str) -> Department | None:
        return await self._session.scalar(
            select(Department).where(Department.estate_id == self.estate_id, Department.key == key)
        )

    async def department_by_chat(self, chat_id: int) -> Department | None:
        return await self._session.scalar(
            select(Department).where(
                Department.estate_id == self.estate_id, Department.chat_id == chat_id
            )
        )

    async def residents_of(self, user_id: int) -> list[tuple[Resident, Unit]]:
        """The verified residencies of a Telegram account, with their units."""
        rows = await self._session.execute(
            select(Resident, Unit)
            .join(Unit, Unit.id == Resident.unit_id)
            .where(Resident.estate_id == self.estate_id, Resident.telegram_user_id == user_id)
            .order_by(Resident.id)
        )
        return [(r, u) for r, u in rows]

    async def residents_at(self, unit_id: int) -> list[Resident]:
        """Everyone on record at the unit, registered in the bot or not."""
        rows = await self._session.scalars(
            select(Resident)
            .where(Resident.estate_id == self.estate_id, Resident.unit_id == unit_id)
            .order_by(Resident.id)
        )
        return list(rows)

    async def linked_residents_at(self, unit_id: int) -> list[Resident]:
        """The unit's residents who have a Telegram account (registered in the bot)."""
        rows = await self._session.scalars(
            select(Resident)
            .where(
                Resident.estate_id == self.estate_id,
                Resident.unit_id == unit_id,
                Resident.telegram_user_id.is_not(None),
            )
            .order_by(Resident.id)
        )
        return list(rows)

    async def roster_by_phone(self, phone: str) -> list[Resident]:
        rows = await self._session.scalars(
            select(Resident)
            .where(Resident.estate_id == self.estate_id, Resident.phone == phone)
            .order_by(Resident.id)
        )
        return list(rows)

    async def unit(self, building: str, entrance: str, room: str, *, create: bool) -> Unit | None:
        unit = await self._session.scalar(
            select(Unit).where(
                Unit.estate_id == self.estate_id,
                Unit.building == building,
                Unit.entrance == entrance,
                Unit.room == room,
            )
        )
        if unit is None and create:
            unit = Unit(estate_id=self.estate_id, building=building, entrance=entrance, room=room)
            self._session.add(unit)
            await self._session.flush()
        return unit

    async def units(self) -> list[Unit]:
        """Every unit of the estate on record (the roster's, and any an import named)."""
        rows = await self._session.scalars(
            select(Unit).where(Unit.estate_id == self.estate_id).order_by(Unit.id)
        )
        return list(rows)

    async def unit_by_id(self, unit_id: int) -> Unit | None:
        return await self._session.get(Unit, unit_id)

    async def resident_at(self, unit_id: int, phone: str) -> Resident | None:
        return await self._session.scalar(
            select(Resident).where(Resident.unit_id == unit_id, Resident.phone == phone)
        )

    def add_resident(self, resident: Resident) -> None:
        self._session.add(resident)
