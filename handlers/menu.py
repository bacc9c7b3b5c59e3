"""The resident menu: what a verified resident can do next, as buttons.

Its entries come from the features (each declares the commands it puts in the menu), so the menu
is filled once by the registry at start-up; handlers that greet a resident send `body()`.
Button text is never parsed back: a tap carries the command's name.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.actions import Action
from handlers.messages import ButtonBody, MessageBody, message, text

MENU = Action("menu", (str,))
ROW = 2


class ResidentMenu:
    """The menu's entries (command names, each labelled `menu.<name>` in the catalogs)."""

    def __init__(self) -> None:
        self._entries: tuple[str, ...] = ()

    @property
    def entries(self) -> tuple[str, ...]:
        return self._entries

    def fill(self, entries: Sequence[str]) -> None:
        """Set once by the registry, after every feature declared itself."""
        self._entries = tuple(entries)

    def body(self) -> MessageBody:
        buttons: list[ButtonBody] = [
            MENU.button(text(f"menu.{name}"), name) for name in self._entries
        ]
        rows = [buttons[i : i + ROW] for i in range(0, len(buttons), ROW)]
        return message(text("menu.prompt"), buttons=rows)
