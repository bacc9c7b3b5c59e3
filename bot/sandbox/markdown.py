"""Telegram's Markdown and MarkdownV2 parse modes, with Telegram's error messages.

MarkdownV2's rule that ``_*[]()~`>#+-=|{}.!`` must be escaped outside entities is the classic
way a bot breaks in production on user-supplied text ("Character '.' is reserved and must be
escaped with the preceding '\\'"), so the sandbox parses both Markdown flavours the way TDLib
does and refuses what Telegram refuses. Offsets in entities are UTF-16 code units; offsets in
errors are UTF-8 byte offsets, as Telegram reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .html import MarkupParseError, normalize_url

_V2_RESERVED = b"_*[]()~`>#+-=|{}.!"
_SPACE = frozenset(b" \t\r\n\x00\x0b\x0c")


def _units(byte: int) -> int:
    """UTF-16 units added by a UTF-8 byte (counted on the first byte of each character)."""
    if byte & 0xC0 == 0x80:
        return 0
    return 2 if byte >= 0xF0 else 1


def _at(data: bytes, i: int) -> int:
    return data[i] if i < len(data) else 0


def _pre_start(data: bytes, i: int) -> tuple[int, str]:
    """After an opening ```: read an optional language and skip one leading newline."""
    language = ""
    end = i
    while _at(data, end) not in _SPACE and _at(data, end) != ord("`"):
        end += 1
    if i != end and end < len(data) and _at(data, end) != ord("`"):
        language = data[i:end].decode("utf-8", errors="replace")
        i = end
    if _at(data, i) in (ord("\n"), ord("\r")):
        pair = _at(data, i + 1) in (ord("\n"), ord("\r")) and _at(data, i) != _at(data, i + 1)
        i += 2 if pair else 1
    return i, language


def parse_markdown(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy ``Markdown``: ``*bold*``, ``_italic_``, ```` `code` ````, pre and links."""
    data = markup.encode("utf-8")
    size = len(data)
    out = bytearray()
    entities: list[dict[str, Any]] = []
    utf16 = 0
    i = 0
    while i < size:
        c = data[i]
        if c == ord("\\") and _at(data, i + 1) in b"_*`[":
            out.append(data[i + 1])
            utf16 += 1
            i += 2
            continue
        if c not in b"_*`[":
            utf16 += _units(c)
            out.append(c)
            i += 1
            continue
        begin = i
        end_char = ord("]") if c == ord("[") else c
        i += 1
        is_pre = False
        language = ""
        if c == ord("`") and _at(data, i) == ord("`") and _at(data, i + 1) == ord("`"):
            is_pre = True
            i, language = _pre_start(data, i + 2)
        start_utf16 = utf16
        start_out = len(out)
        while i < size and (
            data[i] != end_char
            or (is_pre and not (_at(data, i + 1) == ord("`") and _at(data, i + 2) == ord("`")))
        ):
            utf16 += _units(data[i])
            out.append(data[i])
            i += 1
        if i == size:
            raise MarkupParseError(f"Can't find end of the entity starting at byte offset {begin}")
        length = utf16 - start_utf16
        if c == ord("["):
            if _at(data, i + 1) == ord("("):
                i += 2
                url_start = i
                while i < size and data[i] != ord(")"):
                    i += 1
                url = data[url_start:i].decode("utf-8", errors="replace")
            else:
                url = out[start_out:].decode("utf-8", errors="replace")
            normalized = normalize_url(url)
            if length and normalized:
                entities.append(
                    {
                        "type": "text_link",
                        "offset": start_utf16,
                        "length": length,
                        "url": normalized,
                    }
                )
        elif length:
            if c == ord("_"):
                entities.append({"type": "italic", "offset": start_utf16, "length": length})
            elif c == ord("*"):
                entities.append({"type": "bold", "offset": start_utf16, "length": length})
            elif is_pre:
                entity = {"type": "pre", "offset": start_utf16, "length": length}
                if language:
                    entity["language"] = language
                entities.append(entity)
            else:
                entities.append({"type": "code", "offset": start_utf16, "length": length})
        i += 3 if is_pre else 1
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.decode("utf-8", errors="replace"), entities


@dataclass
class _Open:
    kind: str
    argument: str
    utf16_offset: int
    byte_offset: int
    out_offset: int


_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _reserved(char: int) -> MarkupParseError:
    return MarkupParseError(
        f"Character '{chr(char)}' is reserved and must be escaped with the preceding '\\'"
    )


def _ends(top: _Open, data: bytes, i: int) -> bool:
    c = data[i]
    kind = top.kind
    if kind == "bold":
        return c == ord("*")
    if kind == "italic":
        return c == ord("_") and _at(data, i + 1) != ord("_")
    if kind == "code":
        return c == ord("`")
    if kind == "pre":
        return c == ord("`") and _at(data, i + 1) == ord("`") and _at(data, i + 2) == ord("`")
    if kind in ("text_link", "custom_emoji"):
        return c == ord("]")
    if kind == "underline":
        return c == ord("_") and _at(data, i + 1) == ord("_")
    if kind == "strikethrough":
        return c == ord("~")
    if kind == "spoiler":
        return c == ord("|") and _at(data, i + 1) == ord("|")
    return False


def parse_markdown_v2(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """``MarkdownV2``: TDLib's rules, including reserved characters and ``>`` block quotes."""
    data = markup.encode("utf-8")
    size = len(data)
    out = bytearray()
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    utf16 = 0
    quote: tuple[int, bool] | None = None  # (utf16 start, expandable) of an open block quote
    i = 0

    def close_quote(expandable: bool) -> None:
        nonlocal quote
        end = utf16 - 1 if out.endswith(b"\n") else utf16
        if quote is not None and end > quote[0]:
            kind = "expandable_blockquote" if expandable else "blockquote"
            entities.append({"type": kind, "offset": quote[0], "length": end - quote[0]})
        quote = None

    while i < size:
        c = data[i]
        at_line_start = i == 0 or data[i - 1] == ord("\n")
        if at_line_start and not stack and (c == ord(">") or data[i : i + 3] == b"**>"):
            if quote is None:
                quote = (utf16, False)
            i += 1 if c == ord(">") else 3
            continue
        if at_line_start and quote is not None and not stack:
            close_quote(False)
        if c == ord("\\") and 0 < _at(data, i + 1) <= 126:
            out.append(data[i + 1])
            utf16 += 1
            i += 2
            continue
        in_code = bool(stack) and stack[-1].kind in ("code", "pre")
        reserved = b"`" if in_code else _V2_RESERVED
        if c not in reserved:
            utf16 += _units(c)
            out.append(c)
            i += 1
            continue
        if (
            quote is not None
            and not stack
            and c == ord("|")
            and _at(data, i + 1) == ord("|")
            and _at(data, i + 2) in (0, ord("\n"))
        ):
            close_quote(True)  # "||" closing a quote line: an expandable block quote
            i += 2
            continue
        if stack and _ends(stack[-1], data, i):
            top = stack.pop()
            argument = top.argument
            skip = utf16 == top.utf16_offset
            if top.kind in ("underline", "spoiler"):
                i += 1
            elif top.kind == "pre":
                i += 2
            elif top.kind in ("text_link", "custom_emoji"):
                url = ""
                if _at(data, i + 1) != ord("("):
                    if top.kind == "custom_emoji":
                        raise MarkupParseError("Custom emoji entity must contain a tg://emoji URL")
                    url = out[top.out_offset :].decode("utf-8", errors="replace")
                else:
                    i += 2
                    url_begin = i
                    raw = bytearray()
                    while i < size and data[i] != ord(")"):
                        if data[i] == ord("\\") and 0 < _at(data, i + 1) <= 126:
                            raw.append(data[i + 1])
                            i += 2
                            continue
                        raw.append(data[i])
                        i += 1
                    if _at(data, i) != ord(")"):
                        raise MarkupParseError(
                            f"Can't find end of a URL at byte offset {url_begin}"
                        )
                    url = raw.decode("utf-8", errors="replace")
                if top.kind == "custom_emoji":
                    prefix = "tg://emoji?id="
                    if not url.startswith(prefix) or not url[len(prefix) :].isdigit():
                        raise MarkupParseError("Invalid custom emoji URL specified")
                    argument = url[len(prefix) :]
                else:
                    normalized = normalize_url(url)
                    skip = skip or normalized is None
                    argument = normalized or ""
            if not skip:
                entity: dict[str, Any] = {
                    "type": top.kind,
                    "offset": top.utf16_offset,
                    "length": utf16 - top.utf16_offset,
                }
                if top.kind == "text_link":
                    entity["url"] = argument
                elif top.kind == "custom_emoji":
                    entity["custom_emoji_id"] = argument
                elif top.kind == "pre" and argument:
                    entity["language"] = argument
                entities.append(entity)
            i += 1
            continue
        begin = i
        argument = ""
        if c == ord("_"):
            if _at(data, i + 1) == ord("_"):
                kind = "underline"
                i += 1
            else:
                kind = "italic"
        elif c == ord("*"):
            kind = "bold"
        elif c == ord("~"):
            kind = "strikethrough"
        elif c == ord("|"):
            if _at(data, i + 1) != ord("|"):
                raise _reserved(c)
            kind = "spoiler"
            i += 1
        elif c == ord("["):
            kind = "text_link"
        elif c == ord("`"):
            if _at(data, i + 1) == ord("`") and _at(data, i + 2) == ord("`"):
                kind = "pre"
                i, argument = _pre_start(data, i + 3)
                i -= 1
            else:
                kind = "code"
        elif c == ord("!"):
            if _at(data, i + 1) != ord("["):
                raise _reserved(c)
            kind = "custom_emoji"
            i += 1
        else:
            raise _reserved(c)
        stack.append(_Open(kind, argument, utf16, begin, len(out)))
        i += 1
    if stack:
        top = stack[-1]
        raise MarkupParseError(
            f"Can't find end of {_V2_NAMES[top.kind]} entity at byte offset {top.byte_offset}"
        )
    close_quote(False)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.decode("utf-8", errors="replace"), entities
