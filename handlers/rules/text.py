"""Text as a person sees it, so an answer made of invisible characters counts as empty.

Telegram delivers what was typed or pasted, including characters nobody sees: zero-width spaces
(U+200B), word joiners (U+2060), byte-order marks (U+FEFF), direction marks and overrides,
control characters, and fillers that render as blank (Hangul fillers, the blank Braille cell).
`str.strip()` and `str.split()` keep most of them, so "\\u200b" would pass as an answer.

`visible(text)` is the text as it reads: NFC, format (Cf), control (Cc), surrogate and default
ignorable characters dropped, every kind of white space and blank filler read as a space, runs of
spaces collapsed, ends trimmed; with `multiline=True` line breaks are kept (each line trimmed, at
most one empty line in a row). Joiners that shape what is seen stay where they do so: ZWJ and
ZWNJ between two visible characters (👨‍👩‍👧, Persian words), variation selectors after a
visible character (❤️), the tag characters of a subdivision flag after 🏴.

`visible_length(text)` counts the characters a person sees in it: no spaces, no combining marks
(an accent is part of its letter), no joiners or selectors.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["visible", "visible_length"]

ZWNJ, ZWJ = "\u200c", "\u200d"
BLACK_FLAG = "\U0001f3f4"

# Characters Unicode lists as Default_Ignorable_Code_Point that are not format (Cf) characters:
# they render as nothing, or (the fillers) as a blank.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian variation selectors and vowel separator
    (0xFFF0, 0xFFF8),  # unassigned, reserved as ignorable
    (0xE0000, 0xE0FFF),  # tags and their reserved plane block
)
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_TAGS = (0xE0020, 0xE007F)
_CANCEL_TAG = "\U000e007f"
# Letters and symbols that render as an empty cell: read as a space.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Where str.splitlines() breaks a line.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_SPACES = re.compile(r" {2,}")
_EMPTY_LINES = re.compile(r"\n{3,}")


def _within(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _is_selector(char: str) -> bool:
    return _within(ord(char), _VARIATION_SELECTORS)


def _is_tag(char: str) -> bool:
    return _TAGS[0] <= ord(char) <= _TAGS[1]


def _is_space(char: str) -> bool:
    return char.isspace() or char in _BLANKS or unicodedata.category(char) == "Zs"


def _is_invisible(char: str) -> bool:
    """Renders as nothing at all (a joiner, selector or tag is judged by its neighbours)."""
    category = unicodedata.category(char)
    return category in ("Cf", "Cc", "Cs") or _within(ord(char), _IGNORABLE_RANGES)


def _seen(char: str) -> bool:
    """A character that shows something: not a space, not invisible, not a selector."""
    return not (_is_space(char) or _is_invisible(char) or _is_selector(char))


def visible(text: str, *, multiline: bool = False) -> str:
    """The text as a person sees it (see the module's description)."""
    kept: list[str] = []
    for index, char in enumerate(text):
        previous = kept[-1] if kept else ""
        if char == "\r" and text[index + 1 : index + 2] == "\n":
            continue  # "\r\n" is one line break
        if char in _LINE_BREAKS:
            kept.append("\n" if multiline else " ")
        elif _is_space(char):
            kept.append(" ")
        elif char in (ZWJ, ZWNJ):
            kept.append(char)  # kept for now; dropped below unless it joins two visible ones
        elif _is_selector(char):
            if previous and _seen(previous):
                kept.append(char)
        elif _is_tag(char):
            if previous == BLACK_FLAG or (
                previous and _is_tag(previous) and previous != _CANCEL_TAG
            ):
                kept.append(char)
        elif not _is_invisible(char):
            kept.append(char)
    joined = [char for i, char in enumerate(kept) if char not in (ZWJ, ZWNJ) or _joins(kept, i)]
    cleaned = unicodedata.normalize("NFC", "".join(joined))
    lines = [_SPACES.sub(" ", line).strip(" ") for line in cleaned.split("\n")]
    return _EMPTY_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _joins(chars: list[str], index: int) -> bool:
    """A joiner between two visible characters (a selector may sit between it and the first)."""
    before = index - 1
    while before >= 0 and _is_selector(chars[before]):
        before -= 1
    after = index + 1
    return before >= 0 and after < len(chars) and _seen(chars[before]) and _seen(chars[after])


def visible_length(text: str) -> int:
    """How many characters a person sees: letters, digits, symbols, emoji; not the spaces,
    combining marks, joiners, selectors or tags between them."""
    return sum(1 for char in text if _seen(char) and not unicodedata.category(char).startswith("M"))
