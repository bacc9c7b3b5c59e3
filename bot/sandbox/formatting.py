"""Message text and captions as Telegram accepts them: parse mode, clean-up and length limits.

Every method that takes a ``text`` or ``caption`` goes through ``format_text`` so the checks run
in Telegram's order (markup first, then emptiness, then length) with Telegram's wording:
``can't parse entities: ...``, ``message text is empty``, ``message is too long``,
``message caption is too long``. Lengths are UTF-16 code units after entity parsing.
"""

from __future__ import annotations

from typing import Any

from .entities import clean_text, utf16_len
from .errors import bad_request
from .html import MarkupParseError, parse_html
from .markdown import parse_markdown, parse_markdown_v2

MAX_TEXT = 4096
MAX_CAPTION = 1024

_ENTITY_TYPES = frozenset(
    {
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
        "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
        "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
    }
)  # fmt: skip


def _explicit_entities(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    entities: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse MessageEntity: object expected")
        kind = item.get("type")
        if kind not in _ENTITY_TYPES:
            raise bad_request(f"can't parse MessageEntity: unknown entity type {kind!r}")
        try:
            offset, length = int(item["offset"]), int(item["length"])
        except (KeyError, TypeError, ValueError) as exc:
            raise bad_request("can't parse MessageEntity: offset and length expected") from exc
        if offset < 0 or length <= 0:
            continue
        entities.append({**item, "offset": offset, "length": length})
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return entities


def format_text(
    text: str | None,
    parse_mode: str | None,
    entities: Any = None,
    *,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Return ``(plain text, entities)`` as Telegram stores them, or raise its ``ApiError``."""
    text = text or ""
    mode = (parse_mode or "").strip().lower()
    parsers = {"html": parse_html, "markdown": parse_markdown, "markdownv2": parse_markdown_v2}
    if mode in parsers:
        try:
            text, found = parsers[mode](text)
        except MarkupParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    elif mode:
        raise bad_request("unsupported parse_mode")
    else:
        found = _explicit_entities(entities)
    text, found = clean_text(text, found)
    if caption:
        if utf16_len(text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    else:
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
    return text, found
