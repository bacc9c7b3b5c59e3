"""Telegram's Markdown and MarkdownV2 parse modes, refused where Telegram refuses them."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest

from bot.sandbox import SandboxUser
from bot.sandbox.html import MarkupParseError
from bot.sandbox.markdown import parse_markdown, parse_markdown_v2


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("Price: 1.5", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("Done!", "Character '!' is reserved and must be escaped with the preceding '\\'"),
        ("a-b", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("|x", "Character '|' is reserved and must be escaped with the preceding '\\'"),
        ("*open", "Can't find end of Bold entity at byte offset 0"),
        ("ok _it", "Can't find end of Italic entity at byte offset 3"),
        ("[x](http://a.b", "Can't find end of a URL at byte offset 4"),
    ],
)
def test_markdown_v2_errors(markup: str, reason: str) -> None:
    with pytest.raises(MarkupParseError) as caught:
        parse_markdown_v2(markup)
    assert str(caught.value) == reason


def test_markdown_v2_entities() -> None:
    text, entities = parse_markdown_v2(
        "*b* _i_ __u__ ~s~ ||p|| `c.d` [l\\.k](https://x.org/) ```py\nx\n``` 1\\.5"
    )
    assert text == "b i u s p c.d l.k x\n 1.5"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 1),
        ("italic", 2, 1),
        ("underline", 4, 1),
        ("strikethrough", 6, 1),
        ("spoiler", 8, 1),
        ("code", 10, 3),
        ("text_link", 14, 3),
        ("pre", 18, 2),
    ]
    assert entities[7]["language"] == "py"
    quoted, quote = parse_markdown_v2(">first\n>second\nafter")
    assert quoted == "first\nsecond\nafter"
    assert quote == [{"type": "blockquote", "offset": 0, "length": 12}]


def test_legacy_markdown() -> None:
    text, entities = parse_markdown("*Ticket* _#3_ [open](https://x.org/t/3) 1.5!")
    assert text == "Ticket #3 open 1.5!"
    assert [e["type"] for e in entities] == ["bold", "italic", "text_link"]
    with pytest.raises(MarkupParseError, match="Can't find end of the entity starting at byte"):
        parse_markdown("snake_case")


async def test_parse_modes_over_http(alice: SandboxUser, ptb: telegram.Bot) -> None:
    sent = await ptb.send_message(alice.id, "*Ticket* \\#3", parse_mode="MarkdownV2")
    assert sent.text == "Ticket #3"
    with pytest.raises(BadRequest) as caught:
        await ptb.send_message(alice.id, "Ticket #3.", parse_mode="MarkdownV2")
    assert caught.value.message == (
        "Can't parse entities: character '#' is reserved and must be escaped with the "
        "preceding '\\'"
    )
