"""Callback data: packed and parsed in one place, versioned, and never trusted.

Format: ``1|action|arg|arg``. The version lets a future format coexist with buttons already sitting
in chats. Packing refuses anything over Telegram's 64-byte limit; parsing refuses unknown versions,
unknown actions and arguments of the wrong shape. Whoever taps is checked again by the handler.

What `unpack` accepts is exactly what `pack` makes, so a Callback is never a reading of data the
bot did not write: a number is written in plain ASCII digits, without sign, leading zero or
spaces, and fits a database integer; any other argument is printable ASCII. Anything else
(other digits, an overflowing id, a control character, undecodable text) is refused here and
never reaches a handler or a query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

VERSION = "1"
SEPARATOR = "|"
MAX_BYTES = 64
MAX_NUMBER = 2**31 - 1  # ids are INTEGER columns
_NUMBER = re.compile(r"0|[1-9][0-9]*")
_WORD = re.compile(r"[!-~]+")  # printable ASCII, no space


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
    for arg in args:
        if isinstance(arg, int) and not 0 <= arg <= MAX_NUMBER:
            raise ValueError(f"callback number out of range: {arg}")
        if isinstance(arg, str) and not _WORD.fullmatch(arg):
            raise ValueError(f"callback argument is not printable ASCII: {arg!r}")
    if not _WORD.fullmatch(action):
        raise ValueError(f"callback action is not printable ASCII: {action!r}")
    data = SEPARATOR.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, signatures: Mapping[str, Sequence[type]]) -> Callback:
    """Parse and validate against the known actions' argument types."""
    if not isinstance(data, str) or not data:
        raise BadCallback("empty")
    try:
        size = len(data.encode())
    except UnicodeEncodeError as exc:
        raise BadCallback("not text") from exc
    if size > MAX_BYTES:
        raise BadCallback("oversized")
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
            if not _NUMBER.fullmatch(raw) or int(raw) > MAX_NUMBER:
                raise BadCallback(f"{action}: {raw!r} is not a number we write")
            args.append(int(raw))
        else:
            if not _WORD.fullmatch(raw):
                raise BadCallback(f"{action}: argument {raw!r} is empty or not printable ASCII")
            args.append(raw)
    return Callback(action, tuple(args))
