"""Ticket lifecycles as tables: the one place that decides every transition.

A lifecycle is declared once, in its feature's own module, as `(state, action) -> state` moves
plus the actions that act without moving (a reply, added information) and the states they apply
in. It is checked when it is declared: every state is reachable from the start, every state that
is not final has a way out. A handler asks for a transition by action (`accept`, `hand_back`),
never by target state; the table decides where it goes, and the write is a compare-and-set on the
state the ticket was read in, so two people acting at once cannot both move the same ticket.
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
    stays: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Actions that change no state, with the states they are allowed in."""
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
        moving = {action for _state, action in self.moves}
        for action, where in self.stays.items():
            if unknown := set(where) - states:
                raise ValueError(f"{self.name}: {action} names unknown states {sorted(unknown)}")
            if action in moving:
                raise ValueError(f"{self.name}: {action} both moves and stays")

    @property
    def open_states(self) -> frozenset[str]:
        """The states a ticket is still being worked in."""
        return self.states - self.final

    def after(self, state: str, action: str) -> str:
        """The state `action` leads to from `state`, or TransitionRefused."""
        target = self.moves.get((state, action))
        if target is None:
            raise TransitionRefused(self.name, state, action)
        return target

    def allows(self, state: str, action: str) -> bool:
        """Whether `action` (moving or not) applies to a ticket in `state`."""
        return (state, action) in self.moves or state in self.stays.get(action, frozenset())

    def sources(self, action: str) -> frozenset[str]:
        """The states in which `action` applies."""
        moving = frozenset(source for source, act in self.moves if act == action)
        return moving | self.stays.get(action, frozenset())

    def is_final(self, state: str) -> bool:
        return state in self.final

    def mermaid(self) -> str:
        """The lifecycle as a Mermaid state diagram, for the README and `estate-bot lifecycle`."""
        lines = ["stateDiagram-v2", f"    %% {self.name}", f"    [*] --> {self.start}"]
        for (source, action), target in self.moves.items():
            lines.append(f"    {source} --> {target}: {action}")
        for state in sorted(self.final):
            lines.append(f"    {state} --> [*]")
        staying: dict[str, list[str]] = {}
        for action, where in self.stays.items():
            for state in where:
                staying.setdefault(state, []).append(action)
        for state in sorted(staying):
            lines.append(f"    note right of {state}: also {', '.join(staying[state])}")
        return "\n".join(lines)
