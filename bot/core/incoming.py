"""An update as the core sees it: the few facts any engine can fill in from its library's types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Incoming:
    """One update from one person. Everything the core needs; nothing from a Telegram library."""

    update_id: int
    user_id: int | None = None
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    chat_id: int | None = None
    chat_type: str | None = None  # private, group, supergroup, channel
    text: str | None = None
    contact_phone: str | None = None
    contact_user_id: int | None = None
    photo_file_id: str | None = None
    document_file_id: str | None = None  # a file sent as a document (a scan, an arrears list)
    media_group_id: str | None = None
    document_name: str = ""
    document_size: int | None = None
    caption: str | None = None
    other_content: bool = False  # a sticker, voice note, location... something a step cannot take
    callback_id: str | None = None
    callback_data: str | None = None
    blocked_bot: bool | None = None  # True: they blocked the bot; False: they unblocked it
    edited: bool = False  # a message the person edited after sending it (`edited_message`)

    @property
    def is_private(self) -> bool:
        return self.chat_type == "private"

    @property
    def command(self) -> str | None:
        """`/start@estate_bot args` -> "start"; None for text that is not a command."""
        if not self.text or not self.text.startswith("/"):
            return None
        word = self.text.split(maxsplit=1)[0][1:]
        return word.split("@", 1)[0].lower() or None

    @property
    def command_args(self) -> str:
        """`/check ABC123` -> "ABC123"; `/start slip_x` (a deep link) -> "slip_x"."""
        if self.command is None or self.text is None:
            return ""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""
