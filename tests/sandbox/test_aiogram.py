"""aiogram's real ``Bot`` (its own request encoding) against the sandbox."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)

from bot.sandbox import SandboxServer, SandboxUser
from bot.sandbox.files import placeholder_png


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=label.lower()) for label in labels]
        ]
    )


async def test_round_trip(sandbox: SandboxServer, alice: SandboxUser, aiogram_bot: Bot) -> None:
    me = await aiogram_bot.get_me()
    assert me.username == "estate_sandbox_bot"
    sent = await aiogram_bot.send_message(
        alice.id, "<i>Ticket</i> #7", parse_mode="HTML", reply_markup=keyboard("Close")
    )
    assert sent.text == "Ticket #7"
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == keyboard("Close").model_dump()
    edited = await aiogram_bot.edit_message_text(
        text="Ticket #7 closed", chat_id=alice.id, message_id=sent.message_id
    )
    assert edited.text == "Ticket #7 closed"
    assert alice.last_message is not None
    assert alice.last_message.text == "Ticket #7 closed"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aiogram_bot.edit_message_text(
            text="Ticket #7 closed", chat_id=alice.id, message_id=sent.message_id
        )
    assert await aiogram_bot.delete_message(alice.id, sent.message_id) is True


async def test_errors(sandbox: SandboxServer, alice: SandboxUser, aiogram_bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest) as bad:
        await aiogram_bot.send_message(alice.id, "<p>hi</p>", parse_mode="HTML")
    assert bad.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "p" at byte offset 0'
    )
    with pytest.raises(TelegramBadRequest) as bad:
        await aiogram_bot.send_message(-100123, "hi")
    assert bad.value.message == "Bad Request: chat not found"
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]]
    )
    with pytest.raises(TelegramBadRequest) as bad:
        await aiogram_bot.send_message(alice.id, "hi", reply_markup=markup)
    assert bad.value.message == "Bad Request: BUTTON_DATA_INVALID"

    alice.block_bot()
    with pytest.raises(TelegramForbiddenError) as forbidden:
        await aiogram_bot.send_message(alice.id, "hi")
    assert forbidden.value.message == "Forbidden: bot was blocked by the user"
    alice.unblock_bot()

    sandbox.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as retry:
        await aiogram_bot.send_message(alice.id, "hi")
    assert retry.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in str(retry.value)

    await aiogram_bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError) as conflict:
        await aiogram_bot.get_updates()
    assert conflict.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first"
    )
    await aiogram_bot.delete_webhook()


async def test_files_and_album(
    sandbox: SandboxServer, alice: SandboxUser, aiogram_bot: Bot
) -> None:
    data = placeholder_png(120, 80)
    sent = await aiogram_bot.send_photo(alice.id, BufferedInputFile(data, "leak.png"))
    file = await aiogram_bot.get_file(sent.photo[-1].file_id)
    assert file.file_path
    downloaded = await aiogram_bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == data
    album = await aiogram_bot.send_media_group(
        alice.id,
        [InputMediaPhoto(media=BufferedInputFile(placeholder_png(), f"{i}.png")) for i in range(2)],
    )
    assert len(album) == 2
    assert album[0].media_group_id == album[1].media_group_id is not None
    doc = await aiogram_bot.send_document(
        alice.id, BufferedInputFile(b"hello", "hello.txt"), caption="notes"
    )
    assert doc.document is not None
    assert doc.document.file_name == "hello.txt"
    assert sandbox.file_bytes(doc.document.file_id) == b"hello"


async def test_polling_and_callback(
    sandbox: SandboxServer, alice: SandboxUser, aiogram_bot: Bot
) -> None:
    poll = asyncio.create_task(aiogram_bot.get_updates(timeout=5))
    await sandbox.wait_until(lambda: sandbox.calls_to("getUpdates"))
    await alice.send("/start")
    updates = await poll
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    await aiogram_bot.send_message(alice.id, "Pick", reply_markup=keyboard("Yes", "No"))
    click = asyncio.create_task(alice.click("No"))
    updates = await aiogram_bot.get_updates(offset=updates[-1].update_id + 1, timeout=5)
    query = updates[0].callback_query
    assert query is not None
    assert query.data == "no"
    await aiogram_bot.answer_callback_query(query.id, text="Noted")
    answer = await click
    assert answer.text == "Noted"
    assert answer.show_alert is False
