"""Telegram's HTML parse mode: parse, validate and re-render, with Telegram's own error texts.

A bot that works against the sandbox must work against Telegram, so this module follows the
parser Telegram's servers run (TDLib's ``parse_html``) step by step: the same supported tags, the
same lenient handling of unknown ``&entities;`` (kept literally), and the same error messages with
UTF-8 byte offsets, e.g. ``Unsupported start tag "p" at byte offset 0``. Entity offsets and
lengths are counted in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "tg-time", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip

_SPACE = frozenset(b" \t\r\n\x00\x0b\x0c")
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_ATTR_STOP = frozenset(b"=>/\"'")
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}


class MarkupParseError(ValueError):
    """Malformed markup; ``str(error)`` is Telegram's reason, without the ``can't parse`` part."""


HtmlParseError = MarkupParseError


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    byte_offset: int


def _utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


class _Reader:
    """Bytes of the markup with C-string semantics: reading past the end yields NUL."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")

    def at(self, i: int) -> int:
        return self.data[i] if i < len(self.data) else 0


def _decode_entity(reader: _Reader, pos: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos`` like TDLib: the character and the position after it."""
    end = pos + 1
    if reader.at(pos + 1) == ord("#"):
        end += 1
        code = 0
        if reader.at(pos + 2) == ord("x"):
            end += 1
            while chr(reader.at(end)) in "0123456789abcdefABCDEF" and reader.at(end):
                code = code * 16 + int(chr(reader.at(end)), 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            while ord("0") <= reader.at(end) <= ord("9"):
                code = code * 10 + reader.at(end) - ord("0")
                end += 1
                if code >= 0x10FFFF:
                    return None
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while chr(reader.at(end)).isascii() and chr(reader.at(end)).isalpha():
            end += 1
        name = reader.data[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if reader.at(end) == ord(";"):
        end += 1
    return char, end


def _entity_for(tag: str, opened: _Open, length: int, text_so_far: str) -> dict[str, Any] | None:
    offset = opened.utf16_offset
    simple = {
        "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
        "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
        "u": "underline", "ins": "underline", "span": "spoiler", "tg-spoiler": "spoiler",
    }  # fmt: skip
    if tag in simple:
        return {"type": simple[tag], "offset": offset, "length": length}
    if tag == "a":
        url = opened.argument or text_so_far
        normalized = normalize_url(url)
        if normalized is None:
            return None
        return {"type": "text_link", "offset": offset, "length": length, "url": normalized}
    if tag == "tg-emoji":
        argument = opened.argument
        if not argument.isdigit() or not 0 < int(argument) < 2**63:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        return {
            "type": "custom_emoji",
            "offset": offset,
            "length": length,
            "custom_emoji_id": argument,
        }
    if tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument == "1" else "blockquote"
        return {"type": kind, "offset": offset, "length": length}
    if tag == "tg-time":
        return None
    if tag == "pre":
        return {"type": "pre", "offset": offset, "length": length}
    if tag == "code":
        entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
        if opened.argument:
            entity["language"] = opened.argument
        return entity
    return None


def normalize_url(url: str) -> str | None:
    """A link as Telegram stores it (``example.com`` -> ``http://example.com/``), or ``None``."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    if url.startswith("tg://"):
        return url
    if "://" not in url:
        url = "http://" + url
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https", "ftp", "tonsite") or not rest:
        return None
    if "/" not in rest and "?" not in rest and "#" not in rest:
        url += "/"
    return url


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text and Bot API entities, or raise ``HtmlParseError``."""
    reader = _Reader(markup)
    data = reader.data
    size = len(data)
    out: list[str] = []
    out_bytes = bytearray()
    utf16 = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []

    i = 0
    while i < size:
        c = data[i]
        if c == ord("&"):
            decoded = _decode_entity(reader, i)
            if decoded is not None:
                char, i = decoded
                utf16 += _utf16_units(char)
                out.append(char)
                out_bytes += char.encode("utf-8")
                continue
        if c != ord("<"):
            # Copy one whole UTF-8 character.
            length = 1 if c < 0x80 else 2 if c < 0xE0 else 3 if c < 0xF0 else 4
            chunk = data[i : i + length]
            char = chunk.decode("utf-8", errors="replace")
            utf16 += sum(_utf16_units(ch) for ch in char)
            out.append(char)
            out_bytes += chunk
            i += length
            continue

        begin = i
        i += 1
        if reader.at(i) != ord("/"):
            while reader.at(i) not in _SPACE and reader.at(i) != ord(">"):
                i += 1
            if reader.at(i) == 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].decode("utf-8", errors="replace").lower()
            if tag not in SUPPORTED_TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while reader.at(i) != ord(">"):
                while reader.at(i) != 0 and reader.at(i) in _SPACE:
                    i += 1
                if reader.at(i) == ord(">"):
                    break
                attr_begin = i
                while reader.at(i) not in _SPACE and reader.at(i) not in _ATTR_STOP:
                    i += 1
                attr_name = data[attr_begin:i].decode("utf-8", errors="replace")
                if not attr_name:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while reader.at(i) != 0 and reader.at(i) in _SPACE:
                    i += 1
                if reader.at(i) != ord("="):
                    # An attribute without a value, like <blockquote expandable>.
                    if reader.at(i) == 0:
                        raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attr_name == "expandable":
                        argument = "1"
                    continue
                i += 1
                while reader.at(i) != 0 and reader.at(i) in _SPACE:
                    i += 1
                if reader.at(i) == 0:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if reader.at(i) not in (ord("'"), ord('"')):
                    token_begin = i
                    while reader.at(i) in _NAME_TOKEN and reader.at(i) != 0:
                        i += 1
                    value = data[token_begin:i].decode("utf-8", errors="replace").lower()
                    if reader.at(i) not in _SPACE and reader.at(i) != ord(">"):
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = reader.at(i)
                    i += 1
                    value_bytes = bytearray()
                    while reader.at(i) != quote and reader.at(i) != 0:
                        if reader.at(i) == ord("&"):
                            decoded = _decode_entity(reader, i)
                            if decoded is not None:
                                char, i = decoded
                                value_bytes += char.encode("utf-8")
                                continue
                        value_bytes.append(reader.at(i))
                        i += 1
                    if reader.at(i) == quote:
                        i += 1
                    if reader.at(i) == 0:
                        raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
                    value = value_bytes.decode("utf-8", errors="replace")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[9:]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[3:]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr_name == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append(_Open(tag, argument, utf16, len(out_bytes)))
            i += 1  # skip '>'
            continue

        # An end tag.
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        while reader.at(i) not in _SPACE and reader.at(i) != ord(">"):
            i += 1
        end_name = data[begin + 2 : i].decode("utf-8", errors="replace").lower()
        while reader.at(i) in _SPACE and reader.at(i) != 0:
            i += 1
        if reader.at(i) != ord(">"):
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        opened = stack[-1]
        if end_name and end_name != opened.tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", '
                f'found "</{end_name}>"'
            )
        if utf16 > opened.utf16_offset:
            inner = out_bytes[opened.byte_offset :].decode("utf-8", errors="replace")
            entity = _entity_for(opened.tag, opened, utf16 - opened.utf16_offset, inner)
            if entity is not None:
                _add_entity(entities, entity)
        stack.pop()
        i += 1  # skip '>'

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a language counts only for code inside pre
    text = "".join(out)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise HtmlParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return text, entities


def _add_entity(entities: list[dict[str, Any]], entity: dict[str, Any]) -> None:
    """Append an entity; ``<pre><code class="language-x">`` becomes one ``pre`` with a language."""
    last = entities[-1] if entities else None
    same_span = (
        last is not None
        and last["offset"] == entity["offset"]
        and last["length"] == entity["length"]
    )
    if last is not None and same_span:
        if entity["type"] == "pre" and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
            return
        if entity["type"] == "code" and last["type"] == "pre" and entity.get("language"):
            last["language"] = entity["language"]
            return
    entities.append(entity)
