"""Who is acting, and what a tap gets back: what every staff handler takes and returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from handlers.messages import TextBody


@dataclass(frozen=True)
class Actor:
    """The person behind an update, as far as the domain cares: not a Telegram type."""

    user_id: int
    chat_id: int
    first_name: str
    last_name: str | None = None
    language: str = "en"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() if self.last_name else self.first_name


@dataclass(frozen=True)
class Upload:
    """A file someone sent the bot (a document): its name, whether it came in a group or
    privately, and how to read its bytes. Only a feature that wants the file reads it, so the
    files staff share in their groups all day are never downloaded."""

    name: str
    group: bool
    read: Callable[[], Awaitable[bytes]]
    caption: str = ""


@dataclass(frozen=True)
class Invocation:
    """How a slash command was sent: in a group or privately, and the words after it."""

    group: bool
    args: str = ""


@dataclass(frozen=True)
class FlowStart:
    """A command's request to open a form with the person who sent it, answers pre-filled."""

    flow: str
    answers: dict[str, Any]


@dataclass(frozen=True)
class TapAnswer:
    """The short notice shown to whoever tapped a button: a toast, or an alert to dismiss.

    `start_flow` asks the desk to open a private form with the person who tapped (a technician
    recording a finished job), with the given answers already filled in.
    """

    text: TextBody
    alert: bool = False
    start_flow: tuple[str, dict[str, Any]] | None = None
