"""Lines that several forms' summaries share."""

from __future__ import annotations

from typing import Any

from handlers.messages import TextBody, text


def photos_line(photos: Any) -> list[TextBody]:
    """ "2 photos" when there are some; nothing at all when none were sent (not "0 photos")."""
    count = len(photos) if isinstance(photos, list) else 0
    return [text("flow.photos.count", count=count)] if count else []
