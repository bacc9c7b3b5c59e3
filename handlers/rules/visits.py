"""Visit windows a resident can pick for a technician's or an officer's visit.

Shared by repairs (the technician's visit) and complaints (a major complaint's home visit).
"""

from __future__ import annotations

from datetime import time

SLOTS: dict[str, tuple[time, time]] = {
    "morning": (time(9), time(12)),
    "afternoon": (time(13), time(17)),
    "evening": (time(17), time(20)),
}
"""(start, end) in the estate's local time."""
