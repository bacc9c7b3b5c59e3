"""Text as a person sees it: invisible characters are not an answer, visible ones stay as seen."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.rules.text import visible, visible_length

INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\u200e\u200f",  # direction marks
    "\u202e",  # right-to-left override
    "\u2066\u2069",  # isolates
    "\u180e",  # Mongolian vowel separator
    "\u034f",  # combining grapheme joiner
    "\ufe0f",  # a variation selector with nothing to select
    "\U000e0041",  # a tag with no flag
    "\x00\x07\x1b",  # control characters
    "\u3164\u115f\uffa0",  # Hangul fillers
    "\u2800",  # blank Braille cell
    "\u00a0\u2003\u3000\u202f",  # no-break, em, ideographic and narrow spaces
    "\t\r\n\u2028\u2029\x85",  # tabs and line breaks of every kind
]


@pytest.mark.parametrize("blank", INVISIBLE)
@pytest.mark.parametrize("multiline", [False, True])
def test_invisible_characters_alone_read_as_nothing(blank: str, multiline: bool):
    assert visible(blank * 3, multiline=multiline) == ""
    assert visible(f" {blank} {blank} ", multiline=multiline) == ""


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("  30 1 ", "30 1"),
        ("Leak\u200b under\u2060 the sink", "Leak under the sink"),
        ("\ufeffRoom 502", "Room 502"),
        ("漏水\u3000了", "漏水 了"),
        ("\u202eevil", "evil"),  # an override cannot turn a card's text around
        ("cafe\u0301", "café"),  # NFC: one letter, as it is seen
        ("e\u200b\u0301", "é"),  # dropping the space lets the accent meet its letter
        ("a\u3164b", "a b"),  # a filler looks like a space, so it is one
    ],
)
def test_what_is_kept_is_what_is_seen(typed: str, seen: str):
    assert visible(typed) == seen


@pytest.mark.parametrize(
    "shaped",
    [
        "👨\u200d👩\u200d👧",  # a family: joiners between emoji
        "❤\ufe0f",  # the emoji heart, not the text one
        "🏳\ufe0f\u200d🌈",  # a selector, then a joiner
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland's flag
        "می\u200cخواهم",  # Persian needs its non-joiner
    ],
)
def test_joiners_and_selectors_that_shape_what_is_seen_stay(shaped: str):
    assert visible(shaped) == shaped
    assert visible(f" {shaped} ", multiline=True) == shaped


def test_counting_sees_emoji_and_letters_not_marks_or_joiners():
    assert visible_length("👨\u200d👩\u200d👧") == 3
    assert visible_length("❤\ufe0f") == 1
    assert visible_length("cafe\u0301") == 4
    assert visible_length("水管漏水了") == 5
    assert visible_length("a b") == 2
    assert visible_length("\u0301\u0301") == 0  # accents with no letter show nothing


def test_one_line_answers_join_their_lines_and_long_ones_keep_paragraphs():
    typed = "  First line \r\n\r\n\r\n\r\n  second\u2028third  \n\n"
    assert visible(typed) == "First line second third"
    assert visible(typed, multiline=True) == "First line\n\nsecond\nthird"


def _allowed(char: str) -> bool:
    category = unicodedata.category(char)
    return (
        category not in ("Cc", "Cs", "Cf", "Zs", "Zl", "Zp")
        or char
        in (
            " ",
            "\n",
            "\u200c",
            "\u200d",
        )
        or 0xE0020 <= ord(char) <= 0xE007F
    )


@settings(max_examples=300, deadline=None)
@given(st.text(), st.booleans())
def test_any_text_comes_out_trimmed_collapsed_and_stable(typed: str, multiline: bool):
    seen = visible(typed, multiline=multiline)
    assert visible(seen, multiline=multiline) == seen
    assert seen == seen.strip() and "  " not in seen and "\n\n\n" not in seen
    assert multiline or "\n" not in seen
    assert all(_allowed(char) for char in seen), ascii(seen)
    assert seen == unicodedata.normalize("NFC", seen)
    assert 0 <= visible_length(seen) <= len(seen)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_characters="\r")), st.data(), st.booleans())
def test_invisible_characters_slipped_in_anywhere_change_nothing(
    typed: str, data: st.DataObject, multiline: bool
):
    at = data.draw(st.integers(0, len(typed)))
    slipped = typed[:at] + "\u200b\u2060\ufeff\x00\u202e" + typed[at:]
    assert visible(slipped, multiline=multiline) == visible(typed, multiline=multiline)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("".join(INVISIBLE) + " \u0301")))
def test_nothing_but_invisible_characters_has_no_visible_length(typed: str):
    assert visible_length(visible(typed)) == 0
    assert visible_length(visible(typed, multiline=True)) == 0
