"""``SandboxServer``: a fake Telegram Bot API server on 127.0.0.1, plus the controls tests use.

The bot under test runs unchanged (often in another process) with its API base URL pointed at
``{base_url}/bot`` and its file URL at ``{base_url}/file/bot``; it speaks real HTTP to an aiohttp
app here. The test drives simulated users (``add_user``/``add_group``), scripts failures
(``fail_next``, ``hold``, ``redeliver``) and inspects what happened (``calls``, ``transcript``).
Everything runs on the test's event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import web

from .actors import SandboxGroup, SandboxUser
from .errors import PATIENCE, ApiError, SandboxError, SandboxTimeoutError
from .limits import FaultPlan, HoldGate, RateLimiter
from .methods import BotApi
from .params import Upload, coerce, read_request
from .spec import load_spec
from .state import SandboxState
from .views import ApiCall
from .webhook import WebhookAttempt, WebhookSender

log = logging.getLogger(__name__)

_dumps = partial(json.dumps, ensure_ascii=False)
MAX_REQUEST_SIZE = 50 * 1024 * 1024


class _Dropped(Exception):
    """Internal: answer nothing and close the connection (a scripted network failure)."""


class SandboxServer:
    """An in-process Telegram Bot API for tests and demos.

    ``SandboxServer(token="123456:SANDBOX-TOKEN")`` serves a bot with id 123456 and username
    ``estate_sandbox_bot``. Use ``async with SandboxServer() as sandbox:`` or ``start``/``stop``.
    """

    def __init__(
        self,
        token: str = "123456:SANDBOX-TOKEN",
        *,
        strict_limits: bool = False,
        bot_username: str = "estate_sandbox_bot",
        bot_first_name: str = "Estate Sandbox",
        privacy_mode: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        callback_query_ttl: float = 15.0,
        webhook_retry_delay: float = 0.05,
        webhook_retry_max: float = 1.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        bot_id, sep, secret = token.partition(":")
        if not bot_id.isdigit() or not sep or not secret:
            raise ValueError("a bot token looks like '<bot id>:<secret>'")
        self.token = token
        self.host = host
        self.port = port
        self.state = SandboxState(
            bot_id=int(bot_id),
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            privacy_mode=privacy_mode,
        )
        self.limits = RateLimiter(strict_limits)
        self.faults = FaultPlan()
        self.holds = HoldGate(on_change=self.state.notifier.changed)
        self.webhook = WebhookSender(
            self.state.updates,
            self.state.notifier,
            on_reply=self._webhook_reply,
            retry_delay=webhook_retry_delay,
            retry_max=webhook_retry_max,
            timeout=webhook_timeout,
        )
        self.api = BotApi(
            self.state,
            limits=self.limits,
            webhook=self.webhook,
            callback_query_ttl=callback_query_ttl,
        )
        #: Every Bot API request received, in order of arrival.
        self.calls: list[ApiCall] = []
        self._users: dict[int, SandboxUser] = {}
        self._groups: dict[int, SandboxGroup] = {}
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> SandboxServer:
        """Bind (port 0 picks a free one) and start serving."""
        if self._runner is not None:
            return self
        load_spec()
        app = web.Application(client_max_size=MAX_REQUEST_SIZE)
        app.router.add_get("/bot{token}/{method}", self._handle_method)
        app.router.add_post("/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self._bound_port = runner.addresses[0][1]
        self.state.updates.closing = False
        return self

    async def stop(self) -> None:
        """Answer pending long polls, fail held requests, stop the webhook and the server."""
        runner, self._runner = self._runner, None
        self.state.updates.closing = True
        self.state.notifier.changed()
        self.holds.abort_all()
        await self.webhook.close()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the bot's API base is ``{base_url}/bot``."""
        if self._bound_port is None:
            raise SandboxError("the sandbox is not started")
        return f"http://{self.host}:{self._bound_port}"

    @property
    def api_base_url(self) -> str:
        """The ``base_url`` to give python-telegram-bot: ``{base_url}/bot``."""
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        """The ``base_file_url`` to give python-telegram-bot: ``{base_url}/file/bot``."""
        return f"{self.base_url}/file/bot"

    @property
    def bot_id(self) -> int:
        """The bot's user id (the token's number)."""
        return self.state.bot_id

    @property
    def bot_username(self) -> str:
        """The bot's username, without ``@``."""
        return self.state.bot_username

    # -- the simulated world ----------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        *,
        username: str | None = None,
        language_code: str | None = "en",
        phone: str | None = None,
        user_id: int | None = None,
        started: bool = True,
    ) -> SandboxUser:
        """A new user (ids from 1001). ``started=False``: they never opened the bot, so
        sending to them fails with 403 until they write to it."""
        record = self.state.add_user(
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone=phone,
            user_id=user_id,
            started=started,
        )
        user = SandboxUser(self, record)
        self._users[record.id] = user
        return user

    def add_group(
        self,
        title: str,
        chat_id: int | None = None,
        *,
        bot_is_admin: bool = False,
        username: str | None = None,
    ) -> SandboxGroup:
        """A new supergroup with the bot in it (ids like ``-1001000000001``)."""
        chat = self.state.add_group(title, chat_id=chat_id, bot_is_admin=bot_is_admin)
        chat.username = username
        group = SandboxGroup(self, chat)
        self._groups[chat.id] = group
        return group

    def user(self, user_id: int) -> SandboxUser:
        """The user with this id."""
        return self._users[user_id]

    def group(self, chat_id: int) -> SandboxGroup:
        """The group with this id."""
        return self._groups[chat_id]

    def transcript(self, chat: SandboxUser | SandboxGroup | None = None) -> str:
        """Readable log of every chat (or one), in the order things happened."""
        return self.state.transcript.render(None if chat is None else chat.chat_id)

    def file_bytes(self, file_id: str) -> bytes:
        """The content of a file the bot uploaded or a user sent."""
        stored = self.state.files.get(file_id)
        if stored is None:
            raise SandboxError(f"no file {file_id!r}")
        return stored.data

    # -- updates ----------------------------------------------------------------------------

    def redeliver(self, update_id: int) -> dict[str, Any]:
        """Queue an already confirmed update again (Telegram delivers at least once)."""
        return self.state.updates.redeliver(update_id)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet."""
        return self.state.updates.pending()

    def sent_updates(self) -> list[dict[str, Any]]:
        """Every update ever enqueued for the bot."""
        return self.state.updates.history()

    @property
    def webhook_attempts(self) -> list[WebhookAttempt]:
        """Every webhook POST made, successful or not."""
        return list(self.webhook.attempts)

    # -- scripted trouble -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        count: int = 1,
        description: str | None = None,
        processed: bool = False,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (``"*"``: any) with an error; with
        ``chat_id``, only calls to that chat (a group's card, not a resident's reply).

        ``status=429`` adds ``retry_after`` (default 1). ``status=0`` drops the connection
        without an answer. ``processed=True`` carries the request out first (the message is
        delivered) and then answers the error, as when Telegram's answer is lost.
        """
        self.faults.add(
            method,
            status=status,
            description=description,
            retry_after=retry_after,
            count=count,
            processed=processed,
            chat_id=chat_id,
        )

    def hold(self, method: str = "*") -> None:
        """Park requests to ``method`` unprocessed until ``release``; a request whose client
        disconnects while parked is never carried out."""
        self.holds.hold(method)

    def release(self, method: str | None = None) -> None:
        """Let parked requests to ``method`` (all when ``None``) go on, and stop holding it."""
        self.holds.release(method)

    def held_count(self, method: str | None = None) -> int:
        """How many requests (to ``method``) are parked right now."""
        return self.holds.waiting(method)

    # -- inspection -------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method (any letter case)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    async def wait_until(
        self,
        predicate: Callable[[], object],
        timeout: float = PATIENCE,  # noqa: ASYNC109 - the test API says timeout=
        *,
        poll: float = 0.05,
    ) -> object:
        """Wait until ``predicate()`` is truthy (re-checked on every sandbox change and every
        ``poll`` seconds) and return its value; ``SandboxTimeoutError`` after ``timeout``."""
        try:
            return await self.state.notifier.wait_for(predicate, timeout, poll=poll)
        except TimeoutError:
            raise SandboxTimeoutError(f"condition not met within {timeout}s") from None

    # -- HTTP -------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        received = time.monotonic()
        name = request.match_info["method"]
        spec = load_spec().method(name)
        call = ApiCall(
            method=spec.name if spec else name,
            params={},
            received_at=received,
            http_method=request.method,
        )
        self.calls.append(call)
        self.state.notifier.changed()
        if request.match_info["token"] != self.token:
            return _refuse(call, ApiError(401, "Unauthorized"))
        if spec is None:
            return _refuse(call, ApiError(404, "Not Found"))
        try:
            values, uploads = await read_request(request)
            call.params = {k: v for k, v in values.items() if not isinstance(v, Upload)}
            call.uploads = dict(uploads)
            await self.holds.wait(spec.name)
            if request.transport is None or request.transport.is_closing():
                raise asyncio.CancelledError
            fault = self.faults.take(spec.name, values.get("chat_id"))
            if fault is not None and not fault.processed:
                raise _Dropped if fault.status == 0 else fault.error()
            params = coerce(spec, values, uploads)
            call.params = dict(params.values)
            result = await self.api.call(spec.name, params)
            if fault is not None:
                raise _Dropped if fault.status == 0 else fault.error()
            call.status, call.result = 200, result
            return web.json_response({"ok": True, "result": result}, dumps=_dumps)
        except ApiError as error:
            call.status, call.description = error.status, error.description
            return _error_response(error)
        except _Dropped:
            call.disconnected = True
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        except asyncio.CancelledError:
            call.disconnected = True
            raise
        except Exception:  # a sandbox bug: answer like Telegram's own 500, and log it
            log.exception("sandbox failed on %s", spec.name)
            error = ApiError(500, "Internal Server Error")
            call.status, call.description = error.status, error.description
            return _error_response(error)
        finally:
            call.finished_at = time.monotonic()
            self.state.notifier.changed()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self.state.files.by_path(request.match_info["file_path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _webhook_reply(self, body: dict[str, Any]) -> None:
        """Carry out a method call the bot returned in its webhook response."""
        name = str(body.pop("method"))
        spec = load_spec().method(name)
        if spec is None:
            return
        call = ApiCall(
            method=spec.name, params=dict(body), received_at=time.monotonic(),
            http_method="WEBHOOK-REPLY",
        )  # fmt: skip
        self.calls.append(call)
        try:
            params = coerce(spec, body, {})
            call.result = await self.api.call(spec.name, params)
            call.status = 200
        except ApiError as error:
            call.status, call.description = error.status, error.description
            log.warning("webhook reply %s failed: %s", spec.name, error.description)
        finally:
            call.finished_at = time.monotonic()
            self.state.notifier.changed()


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.to_json(), status=error.status, dumps=_dumps)


def _refuse(call: ApiCall, error: ApiError) -> web.Response:
    call.status, call.description = error.status, error.description
    call.finished_at = time.monotonic()
    return _error_response(error)
