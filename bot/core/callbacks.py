"""Callback data: packed and parsed in one place, versioned, and never trusted.

Format: ``1|action|arg|arg``. The version lets a future format coexist with buttons already sitting
in chats. Packing refuses anything over Telegram's 64-byte limit; parsing refuses unknown versions,
unknown actions and arguments of the wrong shape. Whoever taps is checked again by the handler.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

VERSION = "1"
SEPARATOR = "|"
MAX_BYTES = 64


class BadCallback(ValueError):
    """The data did not come from a button this bot made (forged, truncated, or too old)."""


@dataclass(frozen=True)
class Callback:
    action: str
    args: tuple[int | str, ...]


def pack(action: str, args: Sequence[int | str]) -> str:
    parts = [VERSION, action, *(str(a) for a in args)]
    if any(SEPARATOR in p for p in parts):
        raise ValueError(f"callback part contains {SEPARATOR!r}: {parts}")
    data = SEPARATOR.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, signatures: Mapping[str, Sequence[type]]) -> Callback:
    """Parse and validate against the known actions' argument types."""
    if not data or len(data.encode()) > MAX_BYTES:
        raise BadCallback("empty or oversized")
    version, _, rest = data.partition(SEPARATOR)
    if version != VERSION:
        raise BadCallback(f"unknown version {version!r}")
    action, *raw_args = rest.split(SEPARATOR)
    signature = signatures.get(action)
    if signature is None:
        raise BadCallback(f"unknown action {action!r}")
    if len(raw_args) != len(signature):
        raise BadCallback(f"{action} takes {len(signature)} arguments")
    args: list[int | str] = []
    for raw, kind in zip(raw_args, signature, strict=True):
        if kind is int:
            try:
                args.append(int(raw))
            except ValueError as exc:
                raise BadCallback(f"{action}: {raw!r} is not a number") from exc
        else:
            if not raw:
                raise BadCallback(f"{action}: empty argument")
            args.append(raw)
    return Callback(action, tuple(args))
