"""Rendering keeps people's text from breaking markup, and every text inside Telegram's limits."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from bot.render import CAPTION_LIMIT, TEXT_LIMIT, Renderer, Upload, visible_length
from handlers.messages import button, document, message, text, verbatim

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
    body = message(
        text("lang.choose"),
        buttons=[[button(text("registration.card.approve"), "reg.approve", 12)]],
    )
    markup = RENDERER.reply_markup("zh_Hans", body)
    assert markup == {"inline_keyboard": [[{"text": "批准", "callback_data": "1|reg.approve|12"}]]}


# Content made when the message is sent: a QR code of the bot's deep link, a document.

SLIP_BUTTONS = [[button(text("registration.card.approve"), "reg.approve", 12)]]
SLIP_MARKUP = {"inline_keyboard": [[{"text": "Approve", "callback_data": "1|reg.approve|12"}]]}


def test_a_qr_body_is_a_photo_upload_with_the_text_as_caption_and_the_buttons():
    renderer = Renderer(ZoneInfo("Asia/Shanghai"), bot_username="estate_bot")
    body = message(verbatim("Slip <7>"), buttons=SLIP_BUTTONS, qr="slip_Ab3")
    assert body["qr"] == "slip_Ab3"
    [call] = renderer.send("en", 42, body)
    assert call.method == "sendPhoto"
    upload = call.params["photo"]
    assert isinstance(upload, Upload)
    assert upload.filename == "slip_Ab3.png"
    assert upload.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert upload.data == renderer.qr_png("slip_Ab3")
    assert call.params["caption"] == "Slip &lt;7&gt;"
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == SLIP_MARKUP
    assert call.params["chat_id"] == 42
    assert renderer.deep_link("slip_Ab3") == "https://t.me/estate_bot?start=slip_Ab3"
    assert "bytes>" in repr(upload) and len(repr(call)) < 500


def test_a_qr_caption_keeps_the_caption_limit():
    renderer = Renderer(ZoneInfo("Asia/Shanghai"), bot_username="estate_bot")
    body = message(text("registration.card.name", name=verbatim("x" * 5000)), qr="slip_1")
    [call] = renderer.send("en", 42, body)
    assert visible_length(call.params["caption"]) <= CAPTION_LIMIT


def test_a_qr_needs_the_bot_username():
    with pytest.raises(ValueError, match="username"):
        RENDERER.send("en", 42, message(verbatim("Slip"), qr="slip_Ab3"))


def test_a_document_body_is_a_document_upload_with_its_name_and_bytes():
    data = b"slip,unit\n7,3-2-301\n"
    body = message(
        verbatim("Slips of Dec 2"),
        buttons=SLIP_BUTTONS,
        document=document("slips-2026-12-02.csv", data),
    )
    assert json.loads(json.dumps(body)) == body  # bodies stay plain JSON
    assert body["document"]["name"] == "slips-2026-12-02.csv"
    [call] = RENDERER.send("en", 42, body)
    assert call.method == "sendDocument"
    assert call.params["document"] == Upload("slips-2026-12-02.csv", data)
    assert call.params["caption"] == "Slips of Dec 2"
    assert call.params["reply_markup"] == SLIP_MARKUP


def test_a_captioned_message_is_edited_as_a_caption():
    renderer = Renderer(ZoneInfo("Asia/Shanghai"), bot_username="estate_bot")
    qr = message(verbatim("Slip"), qr="slip_1")
    doc = message(verbatim("Report"), document=document("r.csv", b"a\n"))
    assert renderer.captioned(qr) and renderer.captioned(doc)
    assert renderer.captioned(message(verbatim("One"), photos=["AgAC1"]))
    assert not renderer.captioned(message(verbatim("Two"), photos=["AgAC1", "AgAC2"]))
    assert not renderer.captioned(message(verbatim("Text")))
    edit = renderer.edit("en", 42, 9, qr, caption=renderer.captioned(qr))
    assert edit.method == "editMessageCaption"
    assert edit.params["caption"] == "Slip"
    assert "photo" not in edit.params


def test_one_attachment_at_most():
    with pytest.raises(ValueError, match="not more than one"):
        message(verbatim("x"), photos=["AgAC1"], qr="slip_1")
    with pytest.raises(ValueError, match="not more than one"):
        message(verbatim("x"), qr="slip_1", document=document("r.csv", b"a"))
    stored = {"lines": [], "qr": "slip_1", "photos": ["AgAC1"]}  # made by hand, or an old row
    with pytest.raises(ValueError, match="not more than one"):
        Renderer(ZoneInfo("UTC"), bot_username="b").send("en", 1, stored)


def test_what_cannot_be_sent_is_refused_when_staged():
    for payload in ("", "slip 1", "slip/1", "x" * 65, "слип"):
        with pytest.raises(ValueError, match="start payload"):
            message(verbatim("x"), qr=payload)
    with pytest.raises(ValueError, match="empty"):
        document("r.csv", b"")
    with pytest.raises(ValueError, match="file name"):
        document("../r.csv", b"a")
    with pytest.raises(ValueError, match="base64"):
        RENDERER.send("en", 1, {"lines": [], "document": {"name": "r.csv", "base64": "%%"}})
