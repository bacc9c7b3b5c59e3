"""The webhook receiver: answers Telegram 200 only after the update is committed.

Telegram signs each delivery with the secret token given to setWebhook, in the
`X-Telegram-Bot-Api-Secret-Token` header; a request without the right one is refused with 401 and
recorded nowhere.
"""

from __future__ import annotations

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


class WebhookServer:
    """Listens for Telegram's posts; started before setWebhook so the first post finds it."""

    def __init__(self, intake: Intake, url: str, host: str, port: int, secret: str) -> None:
        self.path = urlparse(url).path or "/"
        self.host = host
        self.port = port
        self._runner = web.AppRunner(webhook_app(intake, self.path, secret), access_log=None)

    async def start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("webhook listening on %s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        await self._runner.cleanup()
