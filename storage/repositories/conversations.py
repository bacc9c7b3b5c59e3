"""Durable conversation state: the step a user is on and their answers so far."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation

_ROW = select(Conversation).where(
    Conversation.chat_id == bindparam("chat"), Conversation.user_id == bindparam("user")
)
"""Built once: every message in a private chat reads its form."""


class ConversationRepository:
    """One row per (chat, user); written in the same transaction as the answer that moved it.

    The row outlives the forms it holds: ending a form marks it ended and keeps its revision, and
    the next form in that chat carries on counting from there. So a revision is never given to
    two questions, and a button packed with one cannot be mistaken for a later form's.
    """

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._session = session
        self._now = now

    async def get(self, chat_id: int, user_id: int) -> Conversation | None:
        """The form open in this chat, if any."""
        row = await self._row(chat_id, user_id)
        return row if row is not None and row.ended_at is None else None

    async def _row(self, chat_id: int, user_id: int) -> Conversation | None:
        return await self._session.scalar(_ROW, {"chat": chat_id, "user": user_id})

    async def start(
        self, chat_id: int, user_id: int, flow: str, step: str, answers: dict[str, Any]
    ) -> Conversation:
        """Open a form (replacing any open one) at a revision no earlier button carries."""
        conversation = await self._row(chat_id, user_id)
        if conversation is None:
            conversation = Conversation(chat_id=chat_id, user_id=user_id, revision=0)
            self._session.add(conversation)
        conversation.flow = flow
        conversation.step = step
        conversation.answers = dict(answers)
        conversation.revision = (conversation.revision or 0) + 1
        conversation.updated_at = self._now
        conversation.ended_at = None
        return conversation

    def move(self, conversation: Conversation, step: str, answers: dict[str, Any]) -> None:
        conversation.step = step
        conversation.answers = dict(answers)
        conversation.revision += 1
        conversation.updated_at = self._now

    async def end(self, conversation: Conversation) -> None:
        """The form is over: its answers go, its revision moves past every button it showed."""
        conversation.answers = {}
        conversation.revision += 1
        conversation.updated_at = self._now
        conversation.ended_at = self._now
