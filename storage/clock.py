"""Timestamps come from the injected clock, never from the wall clock inside storage.

A unit of work reads `now` once from the clock it was given and every row it writes is stamped
with that instant: `created_at` and friends on insert, `updated_at` on change. Tests move the clock
by hand and the database agrees with them; column defaults that read the wall clock would not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

Clock = Callable[[], datetime]

STAMPED_ON_INSERT = (
    "created_at",
    "updated_at",
    "joined_at",
    "sent_at",
    "at",
    "received_at",
    "not_before",
)
STAMPED_ON_UPDATE = "updated_at"


class ClockedSession(Session):
    """A session whose flushes stamp rows with the unit of work's `now` (or its clock's)."""


def session_now(session: Session) -> datetime:
    now = session.info.get("now")
    if now is not None:
        return now
    clock = session.info.get("clock")
    if clock is None:
        raise RuntimeError("this session has no clock: open it through storage.Database")
    return clock()


@event.listens_for(ClockedSession, "before_flush")
def _stamp(session: Session, _context: Any, _instances: Any) -> None:
    if not session.new and not session.dirty:
        return
    now = session_now(session)
    for row in session.new:
        columns = inspect(row).mapper.columns
        for name in STAMPED_ON_INSERT:
            if name in columns and getattr(row, name) is None:
                setattr(row, name, now)
    for row in session.dirty:
        state = inspect(row)
        if STAMPED_ON_UPDATE not in state.mapper.columns or not session.is_modified(row):
            continue
        if not state.attrs[STAMPED_ON_UPDATE].history.added:
            setattr(row, STAMPED_ON_UPDATE, now)
