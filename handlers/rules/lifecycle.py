"""Ticket lifecycles as tables: which action moves a ticket from which state to which.

A lifecycle is declared once as `(state, action) -> state` and checked when it is declared: every
state is reachable from the start, and every state that is not final has a way out. Handlers ask
`lifecycle.after(state, action)` before they write, and the write itself is a compare-and-set on the
old state, so two people acting at once cannot both move the same ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class TransitionRefused(ValueError):
    """The action does not apply to a ticket in this state (a stale or forged button)."""

    def __init__(self, lifecycle: str, state: str, action: str) -> None:
        super().__init__(f"{lifecycle}: cannot {action} a ticket that is {state}")
        self.state = state
        self.action = action


@dataclass(frozen=True)
class Lifecycle:
    name: str
    start: str
    final: frozenset[str]
    moves: Mapping[tuple[str, str], str]
    states: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        states = {self.start, *self.final}
        for (source, _action), target in self.moves.items():
            states |= {source, target}
        object.__setattr__(self, "states", frozenset(states))
        reachable = {self.start}
        frontier = [self.start]
        while frontier:
            state = frontier.pop()
            for (source, _action), target in self.moves.items():
                if source == state and target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
        if unreachable := states - reachable:
            raise ValueError(f"{self.name}: states never reached: {sorted(unreachable)}")
        exits = {source for source, _action in self.moves}
        if dead := states - exits - self.final:
            raise ValueError(f"{self.name}: states with no way out: {sorted(dead)}")
        if leaky := self.final & exits:
            raise ValueError(f"{self.name}: final states with moves: {sorted(leaky)}")

    def after(self, state: str, action: str) -> str:
        """The state `action` leads to from `state`, or TransitionRefused."""
        target = self.moves.get((state, action))
        if target is None:
            raise TransitionRefused(self.name, state, action)
        return target

    def allows(self, state: str, action: str) -> bool:
        return (state, action) in self.moves

    def sources(self, action: str) -> frozenset[str]:
        """The states in which `action` applies (for the compare-and-set)."""
        return frozenset(source for source, act in self.moves if act == action)


REPAIR = Lifecycle(
    name="repair",
    start="open",
    final=frozenset({"closed"}),
    moves={
        ("open", "accept"): "accepted",
        ("accepted", "hand_back"): "open",
        ("accepted", "finish"): "done",
        ("done", "confirm"): "confirmed",
        ("done", "not_fixed"): "open",
        ("confirmed", "survey_low"): "open",
        ("confirmed", "survey_ok"): "closed",
    },
)
"""Repair procedure: dispatched (open) -> accepted -> done -> resident confirms -> callback survey.

Not fixed, or an unhappy callback, sends the job back to `open` to be accepted and done again.
"""


COMPLAINT = Lifecycle(
    name="complaint",
    start="new",
    final=frozenset({"closed", "invalid"}),
    moves={
        ("new", "triage"): "open",
        ("new", "claim_invalid"): "explaining",
        ("explaining", "explain"): "invalid",
        ("open", "resolve"): "resolved",
        ("resolved", "satisfied"): "closed",
        ("resolved", "unsatisfied"): "open",
    },
)
"""Complaint procedure: triaged by the first staff member (its owner), replied to and resolved
within the severity's deadlines, then called back. Invalid ones are explained to the resident. An
unhappy callback reopens the complaint to the same owner.
"""
