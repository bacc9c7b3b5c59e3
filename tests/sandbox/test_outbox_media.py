"""Content made when a message is sent, through the outbox sender and PTB to the sandbox.

A QR code of the bot's deep link and a generated document are staged as plain JSON bodies, drawn
or decoded only by the renderer, and uploaded as multipart files; what arrives is read back: the
picture decodes to the link, the document keeps its name and bytes. Edits and retries behave as
for any other row.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import zxingcpp
from PIL import Image

from bot.runtime import Runtime
from bot.sandbox import SandboxServer, SandboxUser
from bot.settings import Settings
from handlers.config import example_config_text, load_estate_config_text
from handlers.messages import button, document, message, verbatim
from storage.repositories.outbox import PENDING, SENT

from .conftest import Desk

# Excel's UTF-8 mark, Chinese and CRLF: the bytes must arrive exactly as made.
CSV = '\ufeffslip,unit,items\r\n7,3栋2单元301室,"沙发, two chairs"\r\n'.encode()


def decode_qr(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    return [found.text for found in zxingcpp.read_barcodes(image)]


async def test_a_qr_code_arrives_as_a_photo_that_decodes_to_the_deep_link(
    sandbox: SandboxServer, alice: SandboxUser, desk: Desk
) -> None:
    body = message(
        verbatim("Release slip #7: <sofa>"),
        buttons=[[button(verbatim("Cancel"), "slip.cancel", 7)]],
        qr="slip_Ab3-x",
    )
    outbox_id = await desk.send(alice.id, body)
    assert await desk.sender.deliver_due() == 1
    assert await desk.status(outbox_id) == SENT

    [call] = sandbox.calls_to("sendPhoto")
    assert call.ok and "photo" in call.uploads  # a multipart file part, not a file id
    [sent] = alice.messages
    assert sent.caption == "Release slip #7: <sofa>"
    assert sent.callback_data == [["1|slip.cancel|7"]]
    png = sandbox.file_bytes(sent.photos[-1]["file_id"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_qr(png) == [f"https://t.me/{sandbox.bot_username}?start=slip_Ab3-x"]

    # An edit changes the caption and the buttons; the picture stays.
    await desk.edit(outbox_id, message(verbatim("Release slip #7: used")))
    assert await desk.sender.deliver_due() == 1
    assert [c.status for c in sandbox.calls_to("editMessageCaption")] == [200]
    assert sandbox.calls_to("editMessageText") == []
    [edited] = alice.messages
    assert (edited.caption, edited.buttons, edited.edits) == ("Release slip #7: used", [], 1)
    assert sandbox.file_bytes(edited.photos[-1]["file_id"]) == png


async def test_a_document_arrives_with_its_name_and_bytes_and_is_retried_after_a_5xx(
    sandbox: SandboxServer, alice: SandboxUser, desk: Desk
) -> None:
    body = message(
        verbatim("Slips of December 2"),
        buttons=[[button(verbatim("Refresh"), "slip.report", 2)]],
        document=document("slips-2026-12-02.csv", CSV),
    )
    outbox_id = await desk.send(alice.id, body)
    sandbox.fail_next("sendDocument", status=502)
    assert await desk.sender.deliver_due() == 0
    assert await desk.status(outbox_id) == PENDING
    assert alice.messages == []

    desk.clock.now += timedelta(seconds=5)  # past the first back-off
    assert await desk.sender.deliver_due() == 1
    assert await desk.status(outbox_id) == SENT
    assert [c.status for c in sandbox.calls_to("sendDocument")] == [502, 200]
    [sent] = alice.messages
    assert sent.caption == "Slips of December 2"
    assert sent.buttons == [["Refresh"]]
    assert sent.document is not None
    assert sent.document["file_name"] == "slips-2026-12-02.csv"
    assert sent.document["mime_type"] == "text/csv"
    assert sandbox.file_bytes(sent.document["file_id"]) == CSV

    await desk.edit(outbox_id, message(verbatim("Slips of December 2 (final)")))
    assert await desk.sender.deliver_due() == 1
    assert alice.messages[0].caption == "Slips of December 2 (final)"
    assert sandbox.calls_to("editMessageCaption")[-1].ok


async def test_the_running_bot_learns_its_username_before_it_draws_a_deep_link(
    tmp_path: Path, sandbox: SandboxServer, alice: SandboxUser
) -> None:
    settings = Settings(
        bot_token=sandbox.token,
        telegram_api=sandbox.base_url,
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.sqlite3",
    )
    runtime = await Runtime.create(settings, load_estate_config_text(example_config_text()))
    assert runtime.sender.renderer.bot_username is None  # nobody has asked Telegram yet
    async with runtime.db.uow(runtime.estate_id) as uow:
        await uow.outbox.send(alice.id, message(verbatim("Your slip"), qr="slip_42"))
        await uow.commit()
    stop = asyncio.Event()
    running = asyncio.ensure_future(runtime.run_polling(stop))
    try:
        await sandbox.wait_until(lambda: alice.messages)
    finally:
        stop.set()
        await running
    [sent] = alice.messages
    png = sandbox.file_bytes(sent.photos[-1]["file_id"])
    assert decode_qr(png) == [f"https://t.me/{sandbox.bot_username}?start=slip_42"]
