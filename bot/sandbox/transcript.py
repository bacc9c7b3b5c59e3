"""A readable log of every conversation, for test failure messages and ``estate-bot demo``.

Each event is recorded when it happens (so edits and deletions appear in order, and earlier
versions stay visible) as one line per event::

    [Alice] Alice: /start
    [Alice] bot: Welcome! [Report a repair] [My tickets]
    [Front desk] bot (edited): Ticket #1 approved
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TranscriptEntry:
    """One event in one chat."""

    chat_id: int
    chat_label: str
    speaker: str
    text: str
    at: float

    def render(self) -> str:
        """``[chat] speaker: text``, continuation lines indented."""
        prefix = f"[{self.chat_label}] {self.speaker}: "
        lines = self.text.split("\n") or [""]
        return "\n".join([prefix + lines[0], *("    " + line for line in lines[1:])])


class Transcript:
    """Events of all chats, in the order they happened."""

    def __init__(self) -> None:
        self.entries: list[TranscriptEntry] = []

    def add(self, chat_id: int, chat_label: str, speaker: str, text: str) -> None:
        """Record an event."""
        self.entries.append(TranscriptEntry(chat_id, chat_label, speaker, text, time.time()))

    def render(self, chat_id: int | None = None) -> str:
        """All events (or one chat's) as text."""
        return "\n".join(
            entry.render() for entry in self.entries if chat_id is None or entry.chat_id == chat_id
        )


def _buttons(markup: dict[str, Any] | None) -> str:
    if not markup:
        return ""
    if "inline_keyboard" in markup:
        labels = [f"[{b.get('text', '')}]" for row in markup["inline_keyboard"] for b in row]
        return " ".join(labels)
    if "keyboard" in markup:
        labels = [f"[{b.get('text', '')}]" for row in markup["keyboard"] for b in row]
        return "keyboard: " + " ".join(labels)
    if markup.get("remove_keyboard"):
        return "(keyboard removed)"
    if markup.get("force_reply"):
        return "(reply requested)"
    return ""


def describe(data: dict[str, Any], keyboard: dict[str, Any] | None = None) -> str:
    """A one-glance rendering of a Bot API ``Message``: content, then its buttons."""
    parts: list[str] = []
    caption = data.get("caption")
    if "photo" in data:
        parts.append("[photo]")
    elif "document" in data:
        parts.append(f"[document {data['document'].get('file_name', '')}]".replace(" ]", "]"))
    elif "video" in data:
        parts.append("[video]")
    elif "audio" in data:
        parts.append("[audio]")
    elif "sticker" in data:
        parts.append(f"[sticker {data['sticker'].get('emoji', '')}]".replace(" ]", "]"))
    elif "contact" in data:
        contact = data["contact"]
        parts.append(f"[contact {contact.get('first_name', '')} {contact.get('phone_number', '')}]")
    elif "location" in data:
        location = data["location"]
        parts.append(f"[location {location.get('latitude')}, {location.get('longitude')}]")
    if "forward_origin" in data:
        parts.insert(0, "(forwarded)")
    if data.get("text"):
        parts.append(data["text"])
    if caption:
        parts.append(caption)
    buttons = _buttons(data.get("reply_markup")) or _buttons(keyboard)
    text = " ".join(parts)
    if buttons:
        text = f"{text} {buttons}" if text else buttons
    return text
