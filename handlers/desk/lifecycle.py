"""The lifecycle of the front desk's lighter requests: the only place their states are named.

The manual's reception procedure: a simple inquiry is answered on the spot; everything else is
written down and followed to the end by the front desk. So a request is open until someone at
the desk records what was done; an inquiry is recorded already answered, open and done at once.
"""

from __future__ import annotations

from handlers.rules.lifecycle import Lifecycle

DESK = Lifecycle(
    name="desk",
    start="open",
    final=frozenset({"done"}),
    moves={("open", "finish"): "done"},
)
