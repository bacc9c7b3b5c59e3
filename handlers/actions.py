"""Buttons and private forms as typed names, each written once.

An `Action` is what a button does: its name and the types of the arguments its callback data
carries. Handlers build buttons from it (`ACCEPT.button(label, ticket.id)`), the feature binds it
to its handler, and the registry refuses to start when an action is declared twice or never
bound, so a mistyped name fails at start-up instead of in front of a technician.

A `Form` names a private form (a flow) that a tap opens. The flow is declared in `conversations/`
under the same `Form`, and the registry checks every form a feature opens has its flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from handlers.messages import ButtonBody, TextBody, button


@dataclass(frozen=True)
class Action:
    """A button's server-side action: `name` goes into the callback data, `args` are checked."""

    name: str
    args: tuple[type, ...] = (int,)
    declared: ClassVar[dict[str, Action]] = {}

    def __post_init__(self) -> None:
        if "|" in self.name or not self.name:
            raise ValueError(f"bad action name {self.name!r}")
        earlier = Action.declared.get(self.name)
        if earlier is not None and earlier.args != self.args:
            raise ValueError(f"action {self.name!r} declared twice with different arguments")
        Action.declared[self.name] = self

    def button(self, label: TextBody, *args: int | str) -> ButtonBody:
        """A button that runs this action with `args` (checked against the declared types)."""
        if len(args) != len(self.args) or not all(
            isinstance(a, t) for a, t in zip(args, self.args, strict=True)
        ):
            raise TypeError(f"{self.name} takes {self.args}, got {args!r}")
        return button(label, self.name, *args)


@dataclass(frozen=True)
class Form:
    """A private form a tap or a command opens; its flow is declared under the same name."""

    name: str

    def open(self, **answers: Any) -> tuple[str, dict[str, Any]]:
        """What a `TapAnswer.start_flow` carries to open this form, answers pre-filled."""
        return self.name, answers
