"""The simulated Telegram world: the bot, users, chats and the messages in them.

Both sides change it: the HTTP API (the bot sending and editing) and the actors (tests making
users write and click). Records here are plain data with helpers to render the Bot API objects
(``User``, ``Chat``, ``Message``) that both sides see.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from .files import FileStore
from .notifier import Notifier
from .transcript import Transcript
from .updates import UpdateQueue


@dataclass
class UserRecord:
    """A simulated Telegram user and their relationship with the bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone: str | None = None
    started: bool = True
    blocked: bool = False

    @property
    def full_name(self) -> str:
        """First and last name, as Telegram apps show it."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def as_user(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class StoredMessage:
    """A message in a chat: its current Bot API form and its history."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    data: dict[str, Any]
    keyboard: dict[str, Any] | None = None  # non-inline reply markup it was sent with
    changed_version: int = 0
    edits: int = 0
    deleted: bool = False


@dataclass
class ChatRecord:
    """A private chat with a user, or a supergroup the bot is in."""

    id: int
    type: str
    title: str | None = None
    user: UserRecord | None = None
    username: str | None = None
    bot_is_admin: bool = False
    bot_removed: bool = False
    members: dict[int, str] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None
    reply_keyboard_message_id: int | None = None
    wait_cursor: int = 0  # tests' wait_for_message only sees changes after this version

    @property
    def label(self) -> str:
        """How the transcript names this chat."""
        if self.user is not None:
            return self.user.full_name
        return self.title or str(self.id)

    @property
    def is_private(self) -> bool:
        """True for a one-to-one chat with a user."""
        return self.type == "private"

    def as_chat(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object."""
        if self.user is not None:
            chat: dict[str, Any] = {"id": self.id, "type": "private"}
            chat["first_name"] = self.user.first_name
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
            return chat
        chat = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            chat["username"] = self.username
        return chat

    def live_messages(self) -> list[StoredMessage]:
        """Messages not deleted, oldest first."""
        return [m for m in self.messages.values() if not m.deleted]


@dataclass
class CallbackQueryRecord:
    """A button press waiting for the bot's ``answerCallbackQuery``."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answer: dict[str, Any] | None = None
    answered: asyncio.Future[dict[str, Any]] | None = None


class SandboxState:
    """Everything the fake Telegram knows, shared by the HTTP API and the test actors."""

    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        privacy_mode: bool,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.privacy_mode = privacy_mode
        self.notifier = Notifier()
        self.updates = UpdateQueue(self.notifier)
        self.files = FileStore()
        self.transcript = Transcript()
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self._next_user_id = 1001
        self._next_group_seq = 1
        self._next_query = 1
        self._next_media_group = 1

    # -- identities -------------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` object (the ``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def get_me(self) -> dict[str, Any]:
        """What ``getMe`` answers."""
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone: str | None = None,
        user_id: int | None = None,
        started: bool = True,
    ) -> UserRecord:
        """Create a user and their private chat with the bot."""
        if user_id is None:
            while self._next_user_id in self.users:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        if user_id in self.users or user_id in self.chats or user_id == self.bot_id:
            raise ValueError(f"user id {user_id} is already taken")
        user = UserRecord(user_id, first_name, last_name, username, language_code, phone, started)
        self.users[user_id] = user
        self.chats[user_id] = ChatRecord(id=user_id, type="private", user=user)
        self.notifier.changed()
        return user

    def add_group(
        self, title: str, *, chat_id: int | None = None, bot_is_admin: bool = False
    ) -> ChatRecord:
        """Create a supergroup with the bot in it."""
        if chat_id is None:
            while (chat_id := -1001000000000 - self._next_group_seq) in self.chats:
                self._next_group_seq += 1
            self._next_group_seq += 1
        if chat_id in self.chats:
            raise ValueError(f"chat id {chat_id} is already taken")
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = ChatRecord(id=chat_id, type="supergroup", title=title, bot_is_admin=bot_is_admin)
        self.chats[chat_id] = chat
        self.notifier.changed()
        return chat

    # -- messages ---------------------------------------------------------------------------

    def new_message(
        self,
        chat: ChatRecord,
        *,
        sender: UserRecord | None,
        content: dict[str, Any],
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        """Store a new message from the bot (``sender=None``) or a user; return it."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        data: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot_user() if sender is None else sender.as_user(),
            "chat": chat.as_chat(),
            "date": int(time.time()),
        }
        if reply_to is not None:
            data["reply_to_message"] = {
                k: v for k, v in reply_to.data.items() if k != "reply_to_message"
            }
        data.update(content)
        stored = StoredMessage(
            chat_id=chat.id,
            message_id=message_id,
            from_bot=sender is None,
            sender_id=self.bot_id if sender is None else sender.id,
            data=data,
        )
        chat.messages[message_id] = stored
        self.touch(stored)
        return stored

    def touch(self, message: StoredMessage) -> None:
        """Mark a message as changed now (new, edited or deleted) and wake waiters."""
        self.notifier.changed()
        message.changed_version = self.notifier.version

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A live message by chat and id."""
        chat = self.chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        return None if message is None or message.deleted else message

    def bot_sees(self, chat: ChatRecord, data: dict[str, Any]) -> bool:
        """Whether a user's group message reaches the bot under privacy mode.

        With privacy mode on (BotFather's default) and the bot not an administrator, the bot
        gets only commands, messages mentioning it and replies to its own messages.
        """
        if chat.is_private or not self.privacy_mode or chat.bot_is_admin:
            return True
        text = data.get("text") or data.get("caption") or ""
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            if "@" in command:
                return command.split("@", 1)[1].lower() == self.bot_username.lower()
            return True
        if f"@{self.bot_username}".lower() in text.lower():
            return True
        reply = data.get("reply_to_message") or {}
        return bool(reply.get("from", {}).get("id") == self.bot_id)

    def sender_name(self, message: StoredMessage) -> str:
        """The first name of a message's sender, ``bot`` for the bot."""
        if message.from_bot:
            return "bot"
        user = self.users.get(message.sender_id)
        return user.first_name if user else str(message.sender_id)

    def next_query_id(self) -> str:
        """A fresh callback query id (a long decimal string, as Telegram's are)."""
        self._next_query += 1
        return str(self.bot_id * 1_000_000_000 + self._next_query)

    def next_media_group_id(self) -> str:
        """A fresh ``media_group_id``."""
        self._next_media_group += 1
        return str(13_900_000_000_000_000 + self._next_media_group)

    def chat_instance(self, chat_id: int) -> str:
        """The stable ``chat_instance`` of callback queries from this chat."""
        mixed = (chat_id * 2654435761 + self.bot_id) % 9_000_000_000_000_000_000
        return str(mixed - 4_500_000_000_000_000_000)


def member_object(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """A ``ChatMember`` of the given status with every field the Bot API marks required."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member
