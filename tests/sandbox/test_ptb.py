"""python-telegram-bot's real ``Bot`` against the sandbox: round trips and Telegram's errors."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.sandbox import SandboxServer, SandboxUser
from bot.sandbox.files import placeholder_png

NOT_MODIFIED = (
    "Message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label.lower()) for label in labels]]
    )


async def test_get_me(ptb: telegram.Bot) -> None:
    me = await ptb.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "estate_sandbox_bot", True)


async def test_send_edit_delete_round_trip(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    first = await ptb.send_message(
        alice.id, "Ticket <b>#1</b>", parse_mode="HTML", reply_markup=keyboard("Approve", "Reject")
    )
    second = await ptb.send_message(alice.id, "plain")
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.from_user.id == sandbox.bot_id
    assert first.text == "Ticket #1"
    assert first.reply_markup == keyboard("Approve", "Reject")
    assert alice.messages[0].html == "Ticket <b>#1</b>"
    assert alice.messages[0].buttons == [["Approve", "Reject"]]

    edited = await ptb.edit_message_text("Ticket #1 approved", alice.id, first.message_id)
    assert edited.text == "Ticket #1 approved"
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert edited.edit_date is not None
    view = alice.messages[0]
    assert (view.text, view.buttons, view.edits) == ("Ticket #1 approved", [], 1)

    with pytest.raises(BadRequest) as caught:
        await ptb.edit_message_text("Ticket #1 approved", alice.id, first.message_id)
    assert caught.value.message == NOT_MODIFIED

    marked = await ptb.edit_message_reply_markup(
        alice.id, first.message_id, reply_markup=keyboard("Undo")
    )
    assert marked.reply_markup == keyboard("Undo")

    assert await ptb.delete_message(alice.id, second.message_id) is True
    assert [m.message_id for m in alice.messages] == [1]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await ptb.delete_message(alice.id, second.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await ptb.edit_message_text("x", alice.id, 99)
    assert "[Alice Chen] bot (edited): Ticket #1 approved" in sandbox.transcript()


async def test_text_validation_errors(alice: SandboxUser, ptb: telegram.Bot) -> None:
    cases = [
        ({"text": "   "}, "Message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, "Message text is empty"),
        ({"text": "x" * 4097}, "Message is too long"),
        (
            {"text": "2 < 3", "parse_mode": "HTML"},
            'Can\'t parse entities: unsupported start tag "" at byte offset 2',
        ),
        (
            {"text": "<b>open", "parse_mode": "HTML"},
            "Can't parse entities: can't find end tag corresponding to start tag \"b\"",
        ),
        ({"text": "x", "parse_mode": "HTM"}, "Unsupported parse_mode"),
    ]
    for kwargs, message in cases:
        with pytest.raises(BadRequest) as caught:
            await ptb.send_message(alice.id, **kwargs)
        assert caught.value.message == message, kwargs


async def test_length_counts_utf16_after_entity_parsing(
    alice: SandboxUser, ptb: telegram.Bot
) -> None:
    await ptb.send_message(alice.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await ptb.send_message(alice.id, "&amp;" * 4096, parse_mode="HTML")
    await ptb.send_message(alice.id, "😀" * 2048)
    with pytest.raises(BadRequest, match="Message is too long"):
        await ptb.send_message(alice.id, "😀" * 2048 + "x")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await ptb.send_photo(alice.id, placeholder_png(), caption="y" * 1025)


async def test_callback_data_over_64_bytes(alice: SandboxUser, ptb: telegram.Bot) -> None:
    await ptb.send_message(alice.id, "ok", reply_markup=keyboard("x" * 64))
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("y", callback_data="é" * 33)]])
    with pytest.raises(BadRequest) as caught:
        await ptb.send_message(alice.id, "no", reply_markup=too_long)
    assert caught.value.message == "Button_data_invalid"  # PTB capitalises the description


async def test_forbidden_for_blocked_or_not_started(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    alice.block_bot()
    with pytest.raises(Forbidden) as caught:
        await ptb.send_message(alice.id, "hello")
    assert caught.value.message == "Forbidden: bot was blocked by the user"
    stranger = sandbox.add_user("Stranger", started=False)
    with pytest.raises(Forbidden) as caught:
        await ptb.send_message(stranger.id, "hello")
    assert caught.value.message == "Forbidden: bot can't initiate conversation with a user"
    await stranger.send("/start")
    await ptb.send_message(stranger.id, "now we talk")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_after(sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot) -> None:
    sandbox.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await ptb.send_message(alice.id, "hi")
    retry_after = caught.value.retry_after  # PTB 22 is moving it from int to timedelta
    seconds = retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else retry_after
    assert seconds == 3
    assert alice.messages == []
    await ptb.send_message(alice.id, "hi")
    assert [c.status for c in sandbox.calls_to("sendMessage")] == [429, 200]


async def test_photo_upload_get_file_download(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    data = placeholder_png(200, 100)
    sent = await ptb.send_photo(alice.id, data, caption="<i>Leak</i>", parse_mode="HTML")
    assert sent.caption == "Leak"
    largest = sent.photo[-1]
    assert (largest.width, largest.height) == (200, 100)
    file = await ptb.get_file(largest.file_id)
    assert bytes(await file.download_as_bytearray()) == data
    again = await ptb.send_photo(alice.id, largest.file_id)
    assert again.photo[-1].file_unique_id == largest.file_unique_id
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await ptb.send_photo(alice.id, "AgACnope")
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await ptb.get_file("nope")
    assert alice.messages[0].photos[-1]["file_id"] == largest.file_id


async def test_media_group_and_document(alice: SandboxUser, ptb: telegram.Bot) -> None:
    media = [InputMediaPhoto(placeholder_png(), caption=f"#{i}") for i in range(3)]
    album = await ptb.send_media_group(alice.id, media)
    assert len(album) == 3
    assert len({m.media_group_id for m in album}) == 1
    assert album[0].media_group_id is not None
    assert [m.caption for m in album] == ["#0", "#1", "#2"]
    with pytest.raises(BadRequest, match="Too many messages to send as an album"):
        await ptb.send_media_group(alice.id, [InputMediaPhoto(placeholder_png())] * 11)
    doc = await ptb.send_document(alice.id, b"a,b\n1,2\n", filename="report.csv")
    assert doc.document.file_name == "report.csv"
    file = await ptb.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"


async def test_callback_query_round_trip(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    await ptb.send_message(alice.id, "Approve?", reply_markup=keyboard("Approve", "Reject"))
    click = asyncio.create_task(alice.click("Approve"))
    updates = await ptb.get_updates(timeout=5)
    query = updates[0].callback_query
    assert query.data == "approve"
    assert query.message.text == "Approve?"
    assert query.from_user.id == alice.id
    assert query.chat_instance
    assert await query.answer("Done", show_alert=True) is True
    answer = await click
    assert (answer.text, answer.show_alert) == ("Done", True)
    with pytest.raises(BadRequest) as caught:
        await query.answer("again")
    assert caught.value.message == (
        "Query is too old and response timeout expired or query id is invalid"
    )


async def test_commands_chat_and_member(
    sandbox: SandboxServer, alice: SandboxUser, ptb: telegram.Bot
) -> None:
    commands = [telegram.BotCommand("start", "Start"), telegram.BotCommand("help", "Help")]
    assert await ptb.set_my_commands(commands) is True
    assert await ptb.get_my_commands() == tuple(commands)
    scope = telegram.BotCommandScopeChat(alice.id)
    assert await ptb.get_my_commands(scope=scope) == ()
    assert await ptb.delete_my_commands() is True
    assert await ptb.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await ptb.set_my_commands([telegram.BotCommand("Bad-Name", "x")])

    group = sandbox.add_group("Front desk", bot_is_admin=True)
    group.add_member(alice, "administrator")
    chat = await ptb.get_chat(group.id)
    assert (chat.id, chat.type, chat.title) == (group.id, "supergroup", "Front desk")
    private = await ptb.get_chat(alice.id)
    assert private.first_name == "Alice"
    member = await ptb.get_chat_member(group.id, alice.id)
    assert member.status == "administrator"
    me = await ptb.get_chat_member(group.id, sandbox.bot_id)
    assert me.status == "administrator"
    assert await ptb.set_chat_menu_button(menu_button=telegram.MenuButtonCommands()) is True
    assert isinstance(await ptb.get_chat_menu_button(), telegram.MenuButtonCommands)
    assert await ptb.send_chat_action(alice.id, "typing") is True
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await ptb.send_chat_action(alice.id, "dancing")
    assert await ptb.log_out() is True
    assert await ptb.close() is True
