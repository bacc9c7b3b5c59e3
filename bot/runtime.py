"""Assembles one bot process: database, core, engine, intake and sender, and runs them.

`estate-bot run` and `estate-bot demo` both go through here, so the demo is the real bot.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.core.botapi import BotApi
from bot.core.desk import Desk, DeskSettings
from bot.core.engine import Engine, tap_answers
from bot.core.flows import FlowRunner
from bot.core.intake import ALLOWED_UPDATES, Intake
from bot.core.sender import OutboxSender, SenderLimits
from bot.features import build_features
from bot.render import Renderer
from bot.roster import sync_roster
from bot.scheduler import TimerRunner, worker_name
from bot.settings import Settings
from handlers.config import EstateConfig
from storage.clock import Clock
from storage.database import Database
from storage.migrate import upgrade
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

ESTATE_SLUG = "default"


def engine_class(name: str) -> type:
    """The engine's class, imported only when chosen: each library takes a while to load."""
    if name == "aiogram":
        from bot.aiogram.engine import AiogramEngine

        return AiogramEngine
    from bot.ptb.engine import PtbEngine

    return PtbEngine


def system_clock() -> datetime:
    """The wall clock: the one place the running bot reads it (tests inject their own)."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Everything one process runs; built by `Runtime.create`, stopped by `close`."""

    settings: Settings
    config: EstateConfig
    db: Database
    estate_id: int
    desk: Desk
    engine: Engine
    api: BotApi
    intake: Intake
    sender: OutboxSender
    timers: TimerRunner

    @classmethod
    async def create(
        cls,
        settings: Settings,
        config: EstateConfig,
        *,
        clock: Clock = system_clock,
        migrate: bool = True,
        limits: SenderLimits | None = None,
    ) -> Runtime:
        token = settings.bot_token.get_secret_value() if settings.bot_token else ""
        if not token:
            raise SystemExit("ESTATE_BOT_TOKEN is not set: get a token from @BotFather")
        db = Database(settings.resolved_database_url, clock=clock)
        if migrate:
            await upgrade(db.engine)
        estate_id = await db.ensure_estate(ESTATE_SLUG, config.estate.name)
        await sync_roster(db, estate_id, config)
        zone = config.estate.zone

        def today(uow: UnitOfWork) -> date:
            return uow.now.astimezone(zone).date()

        features = build_features(config)
        async with db.uow(estate_id) as uow:
            await features.on_start(uow)
            await uow.commit()
        runner = FlowRunner(features.flows.values(), today)
        desk = Desk(
            db,
            estate_id,
            DeskSettings(
                config.estate.name,
                str(config.estate.default_language),
                config.estate.front_desk_phone,
            ),
            runner,
            features,
        )
        renderer = Renderer(zone)
        api = BotApi(token, settings.telegram_api)
        engine: Engine = engine_class(settings.engine)(
            token, settings.telegram_api, desk, renderer, tap_answers(api)
        )

        sender_limits = limits or SenderLimits(
            claim_timeout=timedelta(seconds=settings.outbox_claim_timeout),
            private_burst=settings.outbox_private_burst,
        )
        sender = OutboxSender(
            db,
            estate_id,
            api,
            renderer,
            desk.language_for,
            sender_limits,
            on_blocked=features.on_blocked,
        )
        intake = Intake(db, estate_id, engine.feed)
        desk.on_retry = intake.retry_soon
        timers = TimerRunner(db, estate_id, features.timers, worker=worker_name())
        db.commit_listeners.append(sender.committed)
        db.hand_off = sender.takes_hand_off  # replies are claimed as decided, sent on commit
        return cls(settings, config, db, estate_id, desk, engine, api, intake, sender, timers)

    async def _start_engine(self) -> None:
        """Start the engine, then tell the renderer the bot's username, which Telegram gave it
        (`getMe`): deep links name the bot, and nothing is sent before this."""
        await self.engine.start()
        self.sender.renderer.bot_username = self.engine.bot_username

    async def run_polling(self, stop: asyncio.Event) -> None:
        """Long polling: the usual way to run behind a firewall or on a laptop."""
        await self._start_engine()
        with suppress(Exception):
            await self.api.call("deleteWebhook", {"drop_pending_updates": False})
        await self._run(stop, self.intake.poll(self.api, stop))

    async def run_webhook(self, url: str, host: str, port: int, stop: asyncio.Event) -> None:
        """Webhook: Telegram posts updates to `url`, which must reach this process's `port`."""
        from bot.webhook import WebhookServer

        secret = (
            self.settings.webhook_secret.get_secret_value()
            if self.settings.webhook_secret
            else secrets.token_urlsafe(32)
        )
        await self._start_engine()
        server = WebhookServer(self.intake, url, host, port, secret)
        await server.start()
        try:
            await self.api.call(
                "setWebhook",
                {"url": url, "secret_token": secret, "allowed_updates": ALLOWED_UPDATES},
            )
            await self._run(stop, stop.wait())
        finally:
            await server.stop()

    async def _run(self, stop: asyncio.Event, receiver: object) -> None:
        tasks = [
            asyncio.ensure_future(receiver),  # type: ignore[arg-type]
            asyncio.ensure_future(self.intake.process(stop)),
            asyncio.ensure_future(self.sender.run(stop)),
            asyncio.ensure_future(self.timers.run(stop)),
        ]
        log.info(
            "estate-bot is running for %s on the %s engine",
            self.config.estate.name,
            self.engine.name,
        )
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.close()

    async def close(self) -> None:
        with suppress(Exception):
            await self.engine.stop()
        await self.api.close()
        await self.db.close()
