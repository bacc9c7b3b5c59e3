"""Rendering keeps people's text from breaking markup, and every text inside Telegram's limits."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.render import TEXT_LIMIT, Renderer, visible_length
from handlers.messages import button, message, text, verbatim

RENDERER = Renderer(ZoneInfo("Asia/Shanghai"))


def test_parameters_are_escaped_but_catalog_markup_is_kept():
    body = message(text("registration.card.title", number="<b>1</b>"))
    rendered = RENDERER.text("en", body)
    assert rendered.startswith("<b>Registration request #&lt;b&gt;1&lt;/b&gt;</b>")


def test_a_long_typed_text_is_shortened_to_the_limit():
    body = message(text("registration.card.name", name=verbatim("x" * 10_000)))
    assert visible_length(RENDERER.text("en", body)) <= TEXT_LIMIT


def test_the_same_body_renders_in_each_language():
    body = message(text("unit.label", building="3", entrance="2", room="301"))
    assert RENDERER.text("en", body) == "Building 3, entrance 2, room 301"
    assert RENDERER.text("zh_Hans", body) == "3栋2单元301室"


def test_buttons_become_versioned_callback_data():
    body = message(text("lang.choose"), buttons=[[button(text("registration.card.approve"),
                                                         "reg.approve", 12)]])
    markup = RENDERER.reply_markup("zh_Hans", body)
    assert markup == {"inline_keyboard": [[{"text": "批准", "callback_data": "1|reg.approve|12"}]]}
