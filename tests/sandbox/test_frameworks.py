"""Whole bots on the sandbox: python-telegram-bot's Application and aiogram's Dispatcher, polling.

These are the shapes the real bot takes; the tests drive them only through simulated users.
"""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram import InlineKeyboardButton as PtbButton
from telegram import InlineKeyboardMarkup as PtbMarkup
from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox import SandboxServer, SandboxUser


async def test_ptb_application_polling(sandbox: SandboxServer, alice: SandboxUser) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            "<b>Welcome</b>, Alice",
            reply_markup=PtbMarkup([[PtbButton("Report a repair", callback_data="repair")]]),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Let's go")
        await query.edit_message_text("Describe the problem")

    application = (
        ApplicationBuilder()
        .token(sandbox.token)
        .base_url(sandbox.api_base_url)
        .base_file_url(sandbox.file_base_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=1, drop_pending_updates=True)
        try:
            await alice.send("/start")
            welcome = await alice.wait_for_message(containing="Welcome", timeout=5)
            assert welcome.html == "<b>Welcome</b>, Alice"
            answer = await alice.click("Report a repair", timeout=5)
            assert answer.text == "Let's go"
            edited = await alice.wait_for_message(containing="Describe", timeout=5)
            assert edited.message_id == welcome.message_id
            assert edited.buttons == []
        finally:
            await application.updater.stop()
            await application.stop()
    assert sandbox.calls_to("deleteWebhook")


async def test_aiogram_dispatcher_polling(sandbox: SandboxServer, alice: SandboxUser) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="My tickets", callback_data="tickets")]]
        )
        await message.answer("Hello from aiogram", reply_markup=markup)

    @dispatcher.callback_query(F.data == "tickets")
    async def tickets(query: CallbackQuery) -> None:
        await query.answer("No tickets yet", show_alert=True)

    session = AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url))
    bot = Bot(sandbox.token, session=session)
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=1, handle_signals=False, close_bot_session=True
        )
    )
    try:
        await alice.send("/start")
        await alice.wait_for_message(containing="Hello from aiogram", timeout=5)
        answer = await alice.click("My tickets", timeout=5)
        assert (answer.text, answer.show_alert) == ("No tickets yet", True)
    finally:
        await dispatcher.stop_polling()
        await polling
