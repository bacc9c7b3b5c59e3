"""The service desk's front door: one call per update, one transaction per call.

`Desk.handle` marks the update handled in the same transaction as everything the update changed
(conversation step, records, outgoing messages), so a crash before the commit means the update is
handled again after restart, and a redelivered update is recognised and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from bot.core import digest
from bot.core.callbacks import BadCallback, unpack
from bot.core.flows import FORM_ACTION, LEGACY_FLOW_ACTION, FlowRunner
from bot.core.incoming import Incoming
from bot.features import Features
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, language_from_code
from conversations.feature import CommandRun
from conversations.steps import Input
from handlers import registration
from handlers.actor import Actor, Invocation, TapAnswer, Upload
from handlers.messages import REMOVE_KEYBOARD, TextBody, button, message, text, verbatim
from storage.database import Database
from storage.models import TelegramUser
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
"""The largest document downloaded: an estate's arrears list is far smaller."""
FileFetcher = Callable[[str], Awaitable[bytes]]
"""A file's bytes by its Telegram file id (the engine's getFile and download)."""
CHAT_SEEN_EVERY = timedelta(minutes=1)
"""How fresh `private_chat_at` is kept: it says whether the bot may write first, not when."""


@dataclass(frozen=True)
class Reply:
    """What the engine does right away, outside the outbox: answer a button tap."""

    callback_id: str
    answer: TapAnswer | None
    language: str


@dataclass(frozen=True)
class DeskSettings:
    estate_name: str
    default_language: str
    front_desk_phone: str | None = None  # shown in /help, for what a chat cannot do


class Desk:
    """Routes one `Incoming` to commands, flows and staff actions."""

    def __init__(
        self,
        db: Database,
        estate_id: int,
        settings: DeskSettings,
        runner: FlowRunner,
        features: Features,
    ) -> None:
        self.db = db
        self.estate_id = estate_id
        self.settings = settings
        self.runner = runner
        self.features = features
        self.fetch_file: FileFetcher | None = None  # the engine's download, once it exists
        self.on_retry: Callable[[], None] = _nobody
        """Called when a failed update stays pending for another attempt (the intake's
        `retry_soon`: it then looks at the pending rows again shortly)."""
        self.signatures: dict[str, Sequence[type]] = {
            FORM_ACTION: (int, str),
            LEGACY_FLOW_ACTION: (int, str),
            "lang": (str,),
            "menu": (str,),
            digest.ACTION: (int,),
            **{name: spec.args for name, spec in features.actions.items()},
        }

    async def handle(self, incoming: Incoming) -> Reply | None:
        """Handle an update exactly once; None when there is nothing to answer right away."""
        async with self.db.uow(self.estate_id) as uow:
            if not await uow.inbox.claim(incoming.update_id):
                return None
            reply = await self._dispatch(uow, incoming)
            await uow.commit()
        return reply

    async def fail(self, incoming: Incoming, error: str) -> bool:
        """Record a failed attempt; after the last one, tell the person something went wrong.

        Returns True when the update was given up (it will not be tried again).
        """
        async with self.db.uow(self.estate_id) as uow:
            gave_up = await uow.inbox.fail(incoming.update_id, error, max_attempts=MAX_ATTEMPTS)
            if gave_up and incoming.chat_id is not None and incoming.is_private:
                await uow.outbox.send(incoming.chat_id, message(text("error.internal")))
            await uow.commit()
        if not gave_up:
            self.on_retry()
        return gave_up

    def language_for(self, user: TelegramUser | None) -> str:
        if user is not None and user.language in LANGUAGES:
            return user.language
        code = language_from_code(user.language_code if user else None)
        return code or self.settings.default_language

    async def _dispatch(self, uow: UnitOfWork, incoming: Incoming) -> Reply | None:
        if incoming.user_id is None or incoming.is_bot:
            return None
        if incoming.blocked_bot is not None:
            await self._membership(uow, incoming, incoming.blocked_bot)
            return None
        user = await uow.people.seen(
            incoming.user_id,
            first_name=incoming.first_name,
            last_name=incoming.last_name,
            username=incoming.username,
            language_code=incoming.language_code,
        )
        actor = Actor(
            user_id=incoming.user_id,
            chat_id=incoming.chat_id if incoming.chat_id is not None else incoming.user_id,
            first_name=incoming.first_name,
            last_name=incoming.last_name,
            language=self.language_for(user),
        )
        if incoming.callback_id is not None:
            answer = await self._tap(uow, actor, user, incoming)
            language = self.language_for(user)
            return Reply(incoming.callback_id, answer, language)
        if incoming.chat_id is None:
            return None
        if incoming.is_private:
            if user.private_chat_at is None or user.private_chat_at < uow.now - CHAT_SEEN_EVERY:
                user.private_chat_at = uow.now  # not rewritten for every message of a form
            await self._private(uow, actor, incoming)
        else:
            await self._group(uow, actor, incoming)
        return None

    async def _membership(self, uow: UnitOfWork, incoming: Incoming, blocked: bool) -> None:
        """Telegram says someone blocked (or unblocked) the bot: record it, tell who needs it."""
        assert incoming.user_id is not None
        user = await uow.people.telegram_user(incoming.user_id)
        if user is None:
            return
        if not blocked:
            user.blocked_at = None
            return
        if user.blocked_at is None:
            user.blocked_at = uow.now
            uow.events.record("user.blocked_bot", "user", user.id, actor=user.id, via="update")
            await self.features.on_blocked(uow, user.id)

    async def _tap(
        self, uow: UnitOfWork, actor: Actor, user: TelegramUser, incoming: Incoming
    ) -> TapAnswer | None:
        try:
            callback = unpack(incoming.callback_data, self.signatures)
        except BadCallback as exc:
            log.warning(
                "refused callback data %r from %s: %s", incoming.callback_data, actor.user_id, exc
            )
            uow.events.record(
                "callback.refused",
                "user",
                actor.user_id,
                actor=actor.user_id,
                data=(incoming.callback_data or "")[:64],
                reason=str(exc),
            )
            return TapAnswer(text("error.button_invalid"), alert=True)
        if callback.action == FORM_ACTION:
            revision, value = callback.args
            return await self.runner.tap(uow, actor, int(revision), str(value))
        if callback.action == LEGACY_FLOW_ACTION:
            return await self.runner.legacy_tap(uow, actor)
        if callback.action == "lang":
            return await self._set_language(uow, actor, user, str(callback.args[0]))
        if callback.action == "menu":
            return await self._menu(uow, actor, str(callback.args[0]))
        if callback.action == digest.ACTION:
            return await self._show_from_digest(uow, actor, int(callback.args[0]))
        spec = self.features.actions[callback.action]
        answer = await spec.handler(uow, actor, *callback.args)
        if answer.start_flow is not None:
            name, answers = answer.start_flow
            private = Actor(
                actor.user_id, actor.user_id, actor.first_name, actor.last_name, actor.language
            )
            await self.runner.start(uow, private, self.features.flows[name], **answers)
        return answer

    async def _show_from_digest(
        self, uow: UnitOfWork, actor: Actor, outbox_id: int
    ) -> TapAnswer | None:
        """A card's button in a group's digest: staff of that group have the card sent now."""
        if actor.chat_id == actor.user_id or await uow.people.staff_member(actor.user_id) is None:
            return TapAnswer(text("error.button_invalid"), alert=True)
        if not await uow.outbox.show(outbox_id, actor.chat_id):
            return TapAnswer(text("digest.gone"))
        return TapAnswer(text("digest.shown"))

    async def _private(self, uow: UnitOfWork, actor: Actor, incoming: Incoming) -> None:
        command = incoming.command
        conversation = await uow.conversations.get(actor.chat_id, actor.user_id)
        if incoming.edited:  # never an answer nor a command; a form open says why
            if conversation is not None:
                await self.runner.edited(uow, actor, conversation)
        elif command == "start" and (link := self.features.start_link(incoming.command_args)):
            handler, rest = link
            await handler(uow, actor, rest)
        elif command == "start":
            if conversation is not None and (flow := self.runner.flow_of(conversation)):
                await uow.outbox.send(actor.chat_id, message(text("flow.resume")))
                await self.runner.prompt(uow, actor, flow, conversation)
            elif await registration.welcome_back(uow, actor, self.features.menu):
                await self.features.on_welcome(uow, actor)
            else:
                await uow.outbox.send(
                    actor.chat_id,
                    message(text("start.welcome", estate=verbatim(self.settings.estate_name))),
                )
                await self.runner.start(uow, actor, self.features.registration)
        elif command == "help":
            await self._help(uow, actor, conversation)
        elif command == "cancel":
            if conversation is None:
                await uow.outbox.send(
                    actor.chat_id, message(text("cancel.nothing"), reply_keyboard=REMOVE_KEYBOARD)
                )
            else:
                await self.runner.cancel(uow, actor, conversation)
        elif command == "lang":
            await self._language_menu(uow, actor)
        elif command in self.features.private_commands:
            await self._command(
                uow,
                actor,
                self.features.private_commands[command],
                Invocation(group=False, args=incoming.command_args),
            )
        elif command is not None:
            await uow.outbox.send(actor.chat_id, message(text("error.unknown_command")))
        elif conversation is not None:
            await self.runner.receive(uow, actor, conversation, _input(incoming))
        elif incoming.document_file_id is not None:
            if not await self._upload(uow, actor, incoming, group=False):
                await uow.outbox.send(actor.chat_id, message(text("idle.hint")))
        else:
            await uow.outbox.send(actor.chat_id, message(text("idle.hint")))

    async def _upload(
        self, uow: UnitOfWork, actor: Actor, incoming: Incoming, *, group: bool
    ) -> bool:
        """A document outside a form, offered to the features (finance's arrears list). Files
        bigger than any list are not offered; in a group, a file no feature wants is left
        alone, as staff share files there all day."""
        if not self.features.upload_handlers or self.fetch_file is None:
            return False
        if incoming.document_size is not None and incoming.document_size > MAX_UPLOAD_BYTES:
            return False
        fetch, file_id = self.fetch_file, incoming.document_file_id
        assert file_id is not None

        async def read() -> bytes:
            return await fetch(file_id)

        upload = Upload(incoming.document_name, group, read, incoming.caption or "")
        return await self.features.on_upload(uow, actor, upload)

    async def _group(self, uow: UnitOfWork, actor: Actor, incoming: Incoming) -> None:
        command = incoming.command
        if incoming.edited:  # a command edited in a group is not run again
            return
        if incoming.document_file_id is not None:
            await self._upload(uow, actor, incoming, group=True)
            return
        if command == "help":
            lines = [text("help.group"), *self._command_lines("staff", group=True)]
            await uow.outbox.send(actor.chat_id, message(*lines), group=True)
        elif command in self.features.group_commands:
            await self._command(
                uow,
                actor,
                self.features.group_commands[command],
                Invocation(group=True, args=incoming.command_args),
            )
        elif command == "chatid":
            await uow.outbox.send(
                actor.chat_id, message(text("group.chat_id", chat_id=actor.chat_id)), group=True
            )

    async def _menu(self, uow: UnitOfWork, actor: Actor, item: str) -> TapAnswer | None:
        """A resident-menu button: runs the private command it names, in the private chat."""
        if item not in self.features.menu.entries or actor.chat_id != actor.user_id:
            return TapAnswer(text("error.button_invalid"), alert=True)
        await self._command(
            uow, actor, self.features.private_commands[item], Invocation(group=False)
        )
        return None

    async def _command(
        self, uow: UnitOfWork, actor: Actor, command: CommandRun, call: Invocation
    ) -> None:
        start = await command(uow, actor, call)
        if start is not None:
            await self.runner.start(uow, actor, self.features.flows[start.flow], **start.answers)

    async def _help(self, uow: UnitOfWork, actor: Actor, conversation: Any) -> None:
        if conversation is not None and (flow := self.runner.flow_of(conversation)):
            await uow.outbox.send(actor.chat_id, message(flow.help, text("help.in_flow")))
            await self.runner.prompt(uow, actor, flow, conversation)
            return
        staff = await uow.people.staff_member(actor.user_id)
        if staff is not None:
            lines = [text("help.staff"), *self._command_lines("staff")]
        else:
            lines = [text("help.resident"), *self._command_lines("resident")]
            if self.settings.front_desk_phone:
                phone = verbatim(self.settings.front_desk_phone)
                lines.append(text("help.front_desk_phone", phone=phone))
        await uow.outbox.send(actor.chat_id, message(*lines))

    def _command_lines(
        self, audience: Literal["resident", "staff"], *, group: bool = False
    ) -> list[TextBody]:
        """A line per command the features add, described as Telegram's command menu does."""
        return [
            text("help.command", command=name, about=text(f"command.{name}"))
            for name in self.features.listed(audience, group=group)
        ]

    async def _language_menu(self, uow: UnitOfWork, actor: Actor) -> None:
        buttons = [[button(verbatim(LANGUAGE_NAMES[code]), "lang", code) for code in LANGUAGES]]
        await uow.outbox.send(actor.chat_id, message(text("lang.choose"), buttons=buttons))

    async def _set_language(
        self, uow: UnitOfWork, actor: Actor, user: TelegramUser, language: str
    ) -> TapAnswer:
        if language not in LANGUAGES:
            return TapAnswer(text("error.button_invalid"), alert=True)
        user.language = language
        uow.events.record(
            "user.language", "user", actor.user_id, actor=actor.user_id, language=language
        )
        await uow.outbox.send(actor.chat_id, message(text("lang.set")))
        conversation = await uow.conversations.get(actor.chat_id, actor.user_id)
        if conversation is not None and (flow := self.runner.flow_of(conversation)):
            await self.runner.prompt(uow, actor, flow, conversation)
        return TapAnswer(text("lang.set"))


def _input(incoming: Incoming) -> Input:
    if incoming.contact_phone:
        return Input(
            "contact",
            contact_phone=incoming.contact_phone,
            contact_user_id=incoming.contact_user_id,
        )
    if incoming.photo_file_id:
        return Input(
            "photo", photo_file_id=incoming.photo_file_id, media_group_id=incoming.media_group_id
        )
    if incoming.document_file_id:
        return Input("document", document_file_id=incoming.document_file_id)
    if incoming.text is not None and not incoming.other_content:
        return Input("text", text=incoming.text)
    return Input("other")


def _nobody() -> None:
    """No one to tell (a desk without an intake: tests, benchmarks)."""
