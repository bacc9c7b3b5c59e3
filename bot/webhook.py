"""The webhook receiver: answers Telegram 200 only after the update is committed.

Telegram signs each delivery with the secret token given to setWebhook, in the
`X-Telegram-Bot-Api-Secret-Token` header; a request without the right one is refused with 401 and
recorded nowhere.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from urllib.parse import urlparse

from aiohttp import web

from bot.core.intake import Intake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(intake: Intake, path: str, secret: str) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call without the right secret token from %s", request.remote)
            return web.Response(status=401)
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400)
        await intake.record([update])
        return web.Response(status=200)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    return app


async def serve_webhook(
    intake: Intake, url: str, host: str, port: int, secret: str, stop: asyncio.Event
) -> None:
    path = urlparse(url).path or "/"
    runner = web.AppRunner(webhook_app(intake, path, secret), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("webhook listening on %s:%s%s", host, port, path)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
