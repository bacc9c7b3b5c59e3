"""Registration requests waiting for the front desk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RegistrationRequest


class RegistrationRepository:
    """Stages requests and decides them with a compare-and-set, so two taps cannot both win."""

    def __init__(self, session: AsyncSession, now: datetime, estate_id: int) -> None:
        self._session = session
        self._now = now
        self._estate_id = estate_id

    async def add(self, request: RegistrationRequest) -> RegistrationRequest:
        request.estate_id = self._estate_id
        request.created_at = self._now
        self._session.add(request)
        await self._session.flush()
        return request

    async def get(self, request_id: int) -> RegistrationRequest | None:
        request = await self._session.get(RegistrationRequest, request_id)
        if request is None or request.estate_id != self._estate_id:
            return None
        return request

    async def pending_for(self, user_id: int) -> RegistrationRequest | None:
        return await self._session.scalar(
            select(RegistrationRequest).where(
                RegistrationRequest.estate_id == self._estate_id,
                RegistrationRequest.telegram_user_id == user_id,
                RegistrationRequest.status == "pending",
            )
        )

    async def decide(self, request_id: int, status: str, by: int) -> bool:
        """Move a pending request to approved/rejected; False if it was no longer pending."""
        result = await self._session.execute(
            update(RegistrationRequest)
            .where(RegistrationRequest.id == request_id, RegistrationRequest.status == "pending")
            .values(status=status, decided_by=by, decided_at=self._now)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1
