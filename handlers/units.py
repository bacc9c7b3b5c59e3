"""How a home is written: building, entrance and room, in the reader's language."""

from __future__ import annotations

from handlers.messages import TextBody, text


def unit_label(building: str, entrance: str, room: str) -> TextBody:
    return text("unit.label", building=building, entrance=entrance, room=room)
