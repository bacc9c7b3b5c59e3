"""Telegram's HTML parse mode: the same text, entities and error messages as Telegram."""

from __future__ import annotations

import pytest

from bot.sandbox.entities import clean_text, detect_entities, to_html, utf16_len
from bot.sandbox.html import HtmlParseError, parse_html


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("hello <foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("Привет <x>", 'Unsupported start tag "x" at byte offset 13'),
    ],
)
def test_malformed_markup_is_refused_like_telegram(markup: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(markup)
    assert str(caught.value) == reason


def test_entities_are_decoded_and_unknown_ones_kept_literally() -> None:
    text, entities = parse_html("a &lt;b&gt; &amp; &quot;q&quot; &#128512; &#x41; &foo; & b")
    assert text == 'a <b> & "q" 😀 A &foo; & b'
    assert entities == []


def test_entities_count_utf16_code_units() -> None:
    text, entities = parse_html("😀 <b>bold</b> <i>é</i>")
    assert text == "😀 bold é"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "italic", "offset": 8, "length": 1},
    ]


def test_all_supported_tags() -> None:
    markup = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span>'
        "<tg-spoiler>t</tg-spoiler>"
        '<a href="https://example.com/x">l</a><code>c</code><pre>p</pre>'
        '<pre><code class="language-python">x</code></pre><blockquote>q</blockquote>'
        "<blockquote expandable>w</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    text, entities = parse_html(markup)
    assert text == "bsieunskdptlcpxqw👍"
    kinds = [e["type"] for e in entities]
    assert kinds == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
        "strikethrough", "strikethrough", "spoiler", "spoiler", "text_link", "code", "pre",
        "pre", "blockquote", "expandable_blockquote", "custom_emoji",
    ]  # fmt: skip
    assert entities[11]["url"] == "https://example.com/x"
    assert entities[14]["language"] == "python"


def test_html_round_trip() -> None:
    markup = (
        '<b>Ticket <i>#12</i></b> &amp; <a href="https://x.org/">link</a> 😀 <code>a&lt;b</code>'
    )
    text, entities = parse_html(markup)
    assert to_html(text, entities) == markup


def test_clean_text_trims_and_shifts_entities() -> None:
    text, entities = clean_text("\r\n  <x>\r\n", [])
    assert text == "<x>"
    text, entities = parse_html("  <b> hi </b>  ")
    text, entities = clean_text(text, entities)
    assert text == "hi"
    assert entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_user_text_gets_command_entities() -> None:
    assert detect_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    found = detect_entities("😀 /help@estate_sandbox_bot #urgent see https://x.org/a @frontdesk")
    assert [(e["type"], e["offset"], e["length"]) for e in found] == [
        ("bot_command", 3, 24),
        ("hashtag", 28, 7),
        ("url", 40, 15),
        ("mention", 56, 10),
    ]
    assert utf16_len("😀a") == 3
