"""Read-only objects tests inspect: the bot's messages, callback answers and recorded API calls.

``SandboxMessage`` is a live view: it always shows the message's current state, so a test that
kept a reference sees later edits (``.edits`` counts them) and deletion (``.deleted``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .entities import to_html
from .state import StoredMessage


class SandboxMessage:
    """A message in a sandbox chat, as a Telegram user would see it now."""

    def __init__(self, stored: StoredMessage) -> None:
        self._stored = stored

    @property
    def message_id(self) -> int:
        """The message's id in its chat."""
        return self._stored.message_id

    @property
    def chat_id(self) -> int:
        """The chat the message is in."""
        return self._stored.chat_id

    @property
    def from_bot(self) -> bool:
        """True for the bot's messages, False for a user's."""
        return self._stored.from_bot

    @property
    def raw(self) -> dict[str, Any]:
        """A copy of the Bot API ``Message`` object as it is now."""
        return copy.deepcopy(self._stored.data)

    @property
    def text(self) -> str:
        """Plain text (tags stripped) of the text, or of the caption of a media message."""
        data = self._stored.data
        return data.get("text") or data.get("caption") or ""

    @property
    def caption(self) -> str | None:
        """The caption of a media message."""
        return self._stored.data.get("caption")

    @property
    def html(self) -> str:
        """The text (or caption) with its formatting, as Telegram HTML."""
        data = self._stored.data
        if "text" in data:
            return to_html(data["text"], data.get("entities"))
        return to_html(data.get("caption") or "", data.get("caption_entities"))

    @property
    def entities(self) -> list[dict[str, Any]]:
        """The text's (or caption's) entities."""
        data = self._stored.data
        return copy.deepcopy(data.get("entities") or data.get("caption_entities") or [])

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """The inline keyboard's buttons (full objects), ``[]`` when there is none."""
        markup = self._stored.data.get("reply_markup") or {}
        return copy.deepcopy(markup.get("inline_keyboard", []))

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row."""
        return [[button["text"] for button in row] for row in self.inline_keyboard]

    @property
    def callback_data(self) -> list[list[str | None]]:
        """``callback_data`` of the inline keyboard, row by row (``None`` for URL buttons)."""
        return [[button.get("callback_data") for button in row] for row in self.inline_keyboard]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard this message showed, or ``None``."""
        keyboard = self._stored.keyboard
        if not keyboard or "keyboard" not in keyboard:
            return None
        return [[button["text"] for button in row] for row in keyboard["keyboard"]]

    @property
    def removes_keyboard(self) -> bool:
        """True if the message was sent with ``ReplyKeyboardRemove``."""
        return bool(self._stored.keyboard and self._stored.keyboard.get("remove_keyboard"))

    @property
    def photos(self) -> list[dict[str, Any]]:
        """The ``PhotoSize`` list of a photo message (largest last), ``[]`` otherwise."""
        return copy.deepcopy(self._stored.data.get("photo", []))

    @property
    def document(self) -> dict[str, Any] | None:
        """The ``Document`` of a document message."""
        return copy.deepcopy(self._stored.data.get("document"))

    @property
    def media_group_id(self) -> str | None:
        """The album this message belongs to."""
        return self._stored.data.get("media_group_id")

    @property
    def reply_to_message_id(self) -> int | None:
        """The message this one replies to."""
        reply = self._stored.data.get("reply_to_message")
        return reply["message_id"] if reply else None

    @property
    def edits(self) -> int:
        """How many times the bot edited this message."""
        return self._stored.edits

    @property
    def deleted(self) -> bool:
        """True once the message was deleted."""
        return self._stored.deleted

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        buttons = " ".join(f"[{label}]" for row in self.buttons for label in row)
        return f"<SandboxMessage #{self.message_id} in {self.chat_id}: {text!r} {buttons}>".replace(
            " >", ">"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SandboxMessage) and other._stored is self._stored

    def __hash__(self) -> int:
        return hash((self.chat_id, self.message_id))


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (``answerCallbackQuery``)."""

    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int = 0


@dataclass
class ApiCall:
    """One HTTP request to the Bot API, as received and as answered."""

    method: str
    params: dict[str, Any]
    received_at: float
    http_method: str = "POST"
    status: int | None = None
    description: str | None = None
    result: Any = None
    finished_at: float | None = None
    disconnected: bool = False
    uploads: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when Telegram would have answered ``ok: true``."""
        return self.status == 200
