"""Message entities: UTF-16 arithmetic, Telegram's text clean-up, auto-detection and HTML output.

The Bot API measures text and entity offsets in UTF-16 code units; Python strings index by code
point. Everything that converts between the two lives here, together with the entities Telegram
adds by itself to a user's message (``bot_command``, ``mention``, ``hashtag``, ``url``: bots such
as python-telegram-bot's CommandHandler rely on them) and the inverse of the HTML parser, used to
show a message's formatting to tests.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

_TRIM = " \t\n\r\x0b\x0c"


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Telegram counts it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_index_map(text: str) -> list[int]:
    """For each UTF-16 position 0..len, the Python index of the character starting there."""
    positions: list[int] = []
    for index, ch in enumerate(text):
        positions.append(index)
        if ord(ch) > 0xFFFF:
            positions.append(index)
    positions.append(len(text))
    return positions


def clean_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Drop ``\\r``, trim surrounding whitespace and fix entities, as Telegram does on send."""
    if "\r" in text:
        kept: list[str] = []
        shifts: list[int] = []  # UTF-16 position of every removed '\r'
        pos = 0
        for ch in text:
            if ch == "\r":
                shifts.append(pos)
            else:
                kept.append(ch)
            pos += 2 if ord(ch) > 0xFFFF else 1
        text = "".join(kept)
        entities = [_shift_removed(e, shifts) for e in entities]
    stripped_left = len(text) - len(text.lstrip(_TRIM))
    text = text.strip(_TRIM)
    total = utf16_len(text)
    fixed: list[dict[str, Any]] = []
    for entity in entities:
        start = max(0, entity["offset"] - stripped_left)
        end = min(total, entity["offset"] + entity["length"] - stripped_left)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return text, fixed


def _shift_removed(entity: dict[str, Any], removed: list[int]) -> dict[str, Any]:
    start, end = entity["offset"], entity["offset"] + entity["length"]
    new_start = start - sum(1 for p in removed if p < start)
    new_end = end - sum(1 for p in removed if p < end)
    return {**entity, "offset": new_start, "length": new_end - new_start}


_AUTO_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("url", re.compile(r"(?<![\w@])(?:https?://)[^\s<>\"]+[^\s<>\".,;:!?)\]]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
]


def detect_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram adds to a user's plain text (commands, mentions, tags, links)."""
    found: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            offset = utf16_len(text[:start])
            found.append({"type": kind, "offset": offset, "length": utf16_len(text[start:end])})
    found.sort(key=lambda e: e["offset"])
    return found


_SIMPLE_TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "spoiler": "tg-spoiler",
    "code": "code",
    "blockquote": "blockquote",
}


def _open_tag(entity: dict[str, Any]) -> tuple[str, str] | None:
    kind = entity["type"]
    if kind in _SIMPLE_TAGS:
        tag = _SIMPLE_TAGS[kind]
        return f"<{tag}>", f"</{tag}>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{_html.escape(language)}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{_html.escape(entity.get("url", ""))}">', "</a>"
    if kind == "text_mention":
        user_id = (entity.get("user") or {}).get("id", "")
        return f'<a href="tg://user?id={user_id}">', "</a>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{entity.get("custom_emoji_id", "")}">', "</tg-emoji>"
    return None


def to_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """Render text and entities as Telegram HTML (the inverse of ``html.parse_html``)."""
    index_of = _utf16_index_map(text)
    total = len(index_of) - 1
    opens: dict[int, list[tuple[int, str, str]]] = {}
    for entity in sorted(entities or [], key=lambda e: (e["offset"], -e["length"])):
        tags = _open_tag(entity)
        if tags is None:
            continue
        start = index_of[min(entity["offset"], total)]
        end = index_of[min(entity["offset"] + entity["length"], total)]
        if end > start:
            opens.setdefault(start, []).append((end, tags[0], tags[1]))
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end index, closing tag)
    for index in range(len(text) + 1):
        while stack and stack[-1][0] <= index:
            out.append(stack.pop()[1])
        for end, open_tag, close_tag in opens.get(index, []):
            out.append(open_tag)
            stack.append((end, close_tag))
        if index < len(text):
            out.append(_html.escape(text[index], quote=False))
    while stack:
        out.append(stack.pop()[1])
    return "".join(out)
