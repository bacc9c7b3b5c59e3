"""What a form's hook receives and returns: shared by the flows that ask and the handlers that act.

These live below `conversations/` so that handlers never import the flows that call them: the
layers go storage <- handlers <- conversations <- bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.actor import Actor, FlowStart
    from storage.uow import UnitOfWork

Answers = dict[str, Any]
"""A form's answers so far, by step name; keys starting with `_` are the form's own notes."""


class Outcome(Enum):
    """What a hook tells the runner after it ran."""

    CONTINUE = "continue"
    FINISH = "finish"


Hook = Callable[["UnitOfWork", "Actor", Answers], Awaitable[Outcome | None]]
"""Runs when a step is answered or a form is submitted, in the update's transaction."""

Submit = Callable[["UnitOfWork", "Actor", Answers], Awaitable["Outcome | FlowStart | None"]]
"""Runs when a form is submitted. It may hand over to another form (the front desk's /record
asks how and for whom a request came in, then opens the repair or complaint form with that
filled in): the form ends and the other opens with the given answers, in the same transaction."""
