"""Durable conversation state: the step a user is on and their answers so far."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation


class ConversationRepository:
    """One row per (chat, user); written in the same transaction as the answer that moved it."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._session = session
        self._now = now

    async def get(self, chat_id: int, user_id: int) -> Conversation | None:
        return await self._session.scalar(
            select(Conversation).where(
                Conversation.chat_id == chat_id, Conversation.user_id == user_id
            )
        )

    async def start(
        self, chat_id: int, user_id: int, flow: str, step: str, answers: dict[str, Any]
    ) -> Conversation:
        conversation = await self.get(chat_id, user_id)
        if conversation is None:
            conversation = Conversation(chat_id=chat_id, user_id=user_id, revision=0)
            self._session.add(conversation)
        conversation.flow = flow
        conversation.step = step
        conversation.answers = dict(answers)
        conversation.revision = (conversation.revision or 0) + 1
        conversation.updated_at = self._now
        return conversation

    def move(self, conversation: Conversation, step: str, answers: dict[str, Any]) -> None:
        conversation.step = step
        conversation.answers = dict(answers)
        conversation.revision += 1
        conversation.updated_at = self._now

    async def end(self, conversation: Conversation) -> None:
        await self._session.delete(conversation)
