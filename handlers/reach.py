"""Whether the bot may write to someone first: Telegram allows it only after they opened a private
chat with the bot, and never once they blocked it."""

from __future__ import annotations

from storage.models import TelegramUser


def can_message(account: TelegramUser | None) -> bool:
    return (
        account is not None and account.private_chat_at is not None and account.blocked_at is None
    )
