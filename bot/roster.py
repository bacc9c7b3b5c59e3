"""Mirror the estate config's departments and staff into the database at start-up.

The config file is where an estate manager edits the roster; the tables are what handlers query
in their transactions. Staff removed from the file are deactivated, never deleted: the event log
still names them.
"""

from __future__ import annotations

from sqlalchemy import select

from handlers.config import EstateConfig
from storage.database import Database
from storage.models import Department, Staff


async def sync_roster(db: Database, estate_id: int, config: EstateConfig) -> None:
    async with db.sessions() as session, session.begin():
        departments = {
            d.key: d
            for d in await session.scalars(
                select(Department).where(Department.estate_id == estate_id)
            )
        }
        for item in config.departments:
            row = departments.get(item.key)
            if row is None:
                row = Department(estate_id=estate_id, key=item.key)
                session.add(row)
            row.name = item.name
            row.chat_id = item.chat_id
        staff = {
            s.telegram_user_id: s
            for s in await session.scalars(select(Staff).where(Staff.estate_id == estate_id))
        }
        listed = set()
        for member in config.staff:
            listed.add(member.telegram_id)
            row = staff.get(member.telegram_id)
            if row is None:
                row = Staff(estate_id=estate_id, telegram_user_id=member.telegram_id)
                session.add(row)
            row.name = member.name
            row.role = str(member.role)
            row.department_key = member.department
            row.active = True
        for telegram_id, row in staff.items():
            if telegram_id not in listed:
                row.active = False
