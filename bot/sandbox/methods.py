"""The Bot API methods the sandbox implements, each checking what Telegram checks.

Every method takes coerced ``Params`` and returns the JSON-ready ``result`` or raises
``ApiError`` with Telegram's status and description. Checks run in the order Telegram's server
runs them (text and markup first, then the chat, then permissions), so a bot sees the same error
it would see in production.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import time
from collections.abc import Callable
from typing import Any

from .errors import ApiError, bad_request, forbidden, not_modified, query_too_old
from .files import MAX_DOWNLOAD_SIZE, StoredFile, placeholder_png
from .formatting import format_text
from .limits import RateLimiter
from .markup import inline_only, parse_reply_markup
from .params import Params, Upload
from .state import ChatRecord, SandboxState, StoredMessage, UserRecord, member_object
from .transcript import describe
from .updates import UPDATE_TYPES
from .webhook import WebhookSender

MAX_PHOTO_SIZE = 10 * 1024 * 1024
MAX_ALBUM = 10
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_CONTENT_KEYS = (
    "text", "entities", "photo", "document", "video", "audio", "sticker", "contact", "location",
    "caption", "caption_entities", "has_media_spoiler", "show_caption_above_media",
)  # fmt: skip
_MENU_BUTTONS = ("default", "commands", "web_app")
_MEDIA_KEYS = ("photo", "document", "video", "audio", "animation")

Handler = Callable[[Params], Any]


class BotApi:
    """Dispatches Bot API calls by (case-insensitive) method name to their implementations."""

    def __init__(
        self,
        state: SandboxState,
        *,
        limits: RateLimiter,
        webhook: WebhookSender,
        callback_query_ttl: float,
    ) -> None:
        self.state = state
        self.limits = limits
        self.webhook = webhook
        self.callback_query_ttl = callback_query_ttl
        self._handlers: dict[str, Handler] = {}
        for name in (
            "getMe", "logOut", "close", "getUpdates", "setWebhook", "deleteWebhook",
            "getWebhookInfo", "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup",
            "sendChatAction", "editMessageText", "editMessageCaption", "editMessageReplyMarkup",
            "deleteMessage", "deleteMessages", "answerCallbackQuery", "getFile", "setMyCommands",
            "getMyCommands", "deleteMyCommands", "getChat", "getChatMember",
            "getChatAdministrators", "getChatMemberCount", "setChatMenuButton",
            "getChatMenuButton", "forwardMessage", "copyMessage", "pinChatMessage",
            "unpinChatMessage", "unpinAllChatMessages", "setMyName", "getMyName",
            "setMyDescription", "getMyDescription", "setMyShortDescription",
            "getMyShortDescription",
        ):  # fmt: skip
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
            self._handlers[name.lower()] = getattr(self, snake)

    def implements(self, method: str) -> bool:
        """Whether the sandbox implements this method."""
        return method.lower() in self._handlers

    async def call(self, method: str, params: Params) -> Any:
        """Run one method; ``ApiError`` on failure."""
        handler = self._handlers.get(method.lower())
        if handler is None:
            raise bad_request(f"method {method} is not supported by the sandbox")
        result = handler(params)
        if inspect.isawaitable(result):
            result = await result
        return result

    # -- helpers ----------------------------------------------------------------------------

    def _chat(self, params: Params, name: str = "chat_id") -> ChatRecord:
        chat_id = params.get(name)
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat: ChatRecord | None = None
        if isinstance(chat_id, int):
            chat = self.state.chats.get(chat_id)
        elif isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            chat = next(
                (
                    c
                    for c in self.state.chats.values()
                    if not c.is_private and (c.username or "").lower() == wanted
                ),
                None,
            )
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable(self, chat: ChatRecord) -> None:
        """Telegram's 403s: a user who blocked the bot or never started it, a removed bot."""
        if chat.user is not None:
            if chat.user.blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.user.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif chat.bot_removed:
            raise forbidden("bot was kicked from the supergroup chat")

    def _reply_to(self, chat: ChatRecord, params: Params) -> StoredMessage | None:
        message_id = params.get("reply_to_message_id")
        allow = bool(params.get("allow_sending_without_reply", False))
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id", message_id)
            allow = bool(reply.get("allow_sending_without_reply", allow))
        if not message_id:
            return None
        try:
            target = self.state.find_message(chat.id, int(message_id))
        except (TypeError, ValueError):
            target = None
        if target is None and not allow:
            raise bad_request("message to be replied not found")
        return target

    def _markup(self, params: Params) -> dict[str, Any] | None:
        return parse_reply_markup(params.get("reply_markup"))

    def _store_bot_message(
        self,
        chat: ChatRecord,
        content: dict[str, Any],
        markup: dict[str, Any] | None,
        reply_to: StoredMessage | None,
    ) -> StoredMessage:
        keyboard = None
        if markup is not None and "inline_keyboard" in markup:
            if markup["inline_keyboard"]:
                content["reply_markup"] = markup
        elif markup is not None:
            keyboard = markup
        message = self.state.new_message(chat, sender=None, content=content, reply_to=reply_to)
        message.keyboard = keyboard
        if keyboard is not None:
            if "keyboard" in keyboard:
                chat.reply_keyboard = keyboard
                chat.reply_keyboard_message_id = message.message_id
            elif keyboard.get("remove_keyboard"):
                chat.reply_keyboard = None
                chat.reply_keyboard_message_id = None
        self.state.transcript.add(chat.id, chat.label, "bot", describe(message.data, keyboard))
        return message

    def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
        value = params.file(name)
        if value is None or value == "":
            raise bad_request(f"there is no {name} in the request")
        return self._file_from(value, kind)

    def _file_from(self, value: Upload | str, kind: str) -> StoredFile:
        files = self.state.files
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if kind == "photo" and len(value.data) > MAX_PHOTO_SIZE:
                raise bad_request(
                    f"file of size {len(value.data)} bytes is too big for a photo; the maximum "
                    f"size is {MAX_PHOTO_SIZE} bytes"
                )
            return files.add(
                kind, value.data, file_name=value.filename, mime_type=value.content_type
            )
        if "://" in value or "." in value:
            # Telegram would download the URL; the sandbox has no network, so it stands in a
            # placeholder named after the URL.
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            data = placeholder_png() if kind == "photo" else f"sandbox copy of {value}".encode()
            return files.add(kind, data, file_name=None if kind == "photo" else name)
        stored = files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    @staticmethod
    def _media_content(kind: str, stored: StoredFile) -> dict[str, Any]:
        if kind == "photo":
            return {"photo": stored.photo_sizes()}
        if kind == "document":
            return {"document": stored.as_document()}
        ids = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if kind == "video":
            return {"video": {**ids, "width": 640, "height": 360, "duration": 1,
                              "file_size": stored.size}}  # fmt: skip
        return {kind: {**ids, "duration": 1, "file_size": stored.size}}

    @staticmethod
    def _caption_content(caption: str, entities: list[dict[str, Any]]) -> dict[str, Any]:
        content: dict[str, Any] = {}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return content

    def _editable(self, params: Params) -> tuple[ChatRecord, StoredMessage]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        message_id = params.get("message_id")
        if not message_id:
            raise bad_request("message identifier is not specified")
        message = self.state.find_message(chat.id, message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot or message.keyboard is not None:
            raise bad_request("message can't be edited")
        self._writable(chat)
        return chat, message

    def _apply_edit(self, chat: ChatRecord, message: StoredMessage, changes: dict[str, Any]) -> Any:
        for key, value in changes.items():
            if value in (None, [], ""):
                message.data.pop(key, None)
            else:
                message.data[key] = value
        message.data["edit_date"] = int(time.time())
        message.edits += 1
        self.state.touch(message)
        self.state.transcript.add(chat.id, chat.label, "bot (edited)", describe(message.data))
        return copy.deepcopy(message.data)

    # -- identity and lifecycle --------------------------------------------------------------

    def get_me(self, params: Params) -> Any:
        return self.state.get_me()

    def log_out(self, params: Params) -> Any:
        return True

    def close(self, params: Params) -> Any:
        return True

    # -- updates ----------------------------------------------------------------------------

    async def get_updates(self, params: Params) -> Any:
        if self.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.state.updates.allowed_updates = [u for u in allowed if u in UPDATE_TYPES]
        limit = params.get("limit", 100)
        limit = 100 if limit <= 0 or limit > 100 else limit
        timeout = max(0, params.get("timeout", 0))
        return await self.state.updates.long_poll(params.get("offset", 0), limit, timeout)

    def set_webhook(self, params: Params) -> Any:
        url = params.get("url", "")
        if not url:
            self.webhook.delete()
            if params.get("drop_pending_updates"):
                self.state.updates.drop_pending()
            return True
        if not re.match(r"https?://[^/\s]+", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = params.get("max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.state.updates.allowed_updates = [u for u in allowed if u in UPDATE_TYPES]
        if params.get("drop_pending_updates"):
            self.state.updates.drop_pending()
        self.state.updates.terminate_polls("terminated by setWebhook request")
        self.webhook.set(url, secret_token=secret, max_connections=max_connections)
        return True

    def delete_webhook(self, params: Params) -> Any:
        self.webhook.delete()
        if params.get("drop_pending_updates"):
            self.state.updates.drop_pending()
        return True

    def get_webhook_info(self, params: Params) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.url or "",
            "has_custom_certificate": False,
            "pending_update_count": self.state.updates.pending_count,
        }
        if self.webhook.url:
            info["max_connections"] = self.webhook.max_connections
            info["ip_address"] = "127.0.0.1"
            if self.state.updates.allowed_updates:
                info["allowed_updates"] = list(self.state.updates.allowed_updates)
        if self.webhook.last_error_date is not None:
            info["last_error_date"] = self.webhook.last_error_date
            info["last_error_message"] = self.webhook.last_error_message
        return info

    # -- sending ----------------------------------------------------------------------------

    def send_message(self, params: Params) -> Any:
        text, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._markup(params)
        chat = self._chat(params)
        self._writable(chat)
        reply_to = self._reply_to(chat, params)
        self.limits.check(chat.id, not chat.is_private)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        message = self._store_bot_message(chat, content, markup, reply_to)
        return copy.deepcopy(message.data)

    def _send_media(self, params: Params, kind: str) -> Any:
        caption, entities = format_text(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        markup = self._markup(params)
        chat = self._chat(params)
        stored = self._input_file(params, kind, kind)
        self._writable(chat)
        reply_to = self._reply_to(chat, params)
        self.limits.check(chat.id, not chat.is_private)
        content = {**self._media_content(kind, stored), **self._caption_content(caption, entities)}
        if kind == "photo" and params.get("has_spoiler"):
            content["has_media_spoiler"] = True
        if params.get("show_caption_above_media"):
            content["show_caption_above_media"] = True
        message = self._store_bot_message(chat, content, markup, reply_to)
        return copy.deepcopy(message.data)

    def send_photo(self, params: Params) -> Any:
        return self._send_media(params, "photo")

    def send_document(self, params: Params) -> Any:
        return self._send_media(params, "document")

    def send_media_group(self, params: Params) -> Any:
        media = params.get("media")
        if not isinstance(media, list):
            raise bad_request("can't parse media JSON object")
        if not media:
            raise bad_request("there are no messages to send")
        if len(media) > MAX_ALBUM:
            raise bad_request("too many messages to send as an album")
        chat = self._chat(params)
        prepared: list[tuple[str, StoredFile, str, list[dict[str, Any]]]] = []
        for item in media:
            if not isinstance(item, dict):
                raise bad_request("can't parse InputMedia: object expected")
            kind = item.get("type")
            if kind == "animation":
                raise bad_request(
                    "can't parse InputMedia: type \"animation\" can't be used in sendMediaGroup"
                )
            if kind not in ("photo", "video", "document", "audio"):
                raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
            source = item.get("media")
            if not isinstance(source, str) or not source:
                raise bad_request("can't parse InputMedia: media not found")
            if source.startswith("attach://") and source[9:] not in params.uploads:
                raise bad_request("can't parse InputMedia: media not found")
            stored = self._file_from(params.resolve(source), kind)
            caption, entities = format_text(
                item.get("caption"),
                item.get("parse_mode", params.get("parse_mode")),
                item.get("caption_entities"),
                caption=True,
            )
            prepared.append((kind, stored, caption, entities))
        kinds = {kind for kind, *_ in prepared}
        for special in ("document", "audio"):
            if special in kinds and len(kinds) > 1:
                raise bad_request(f"{special} can't be mixed with other media types")
        self._writable(chat)
        reply_to = self._reply_to(chat, params)
        self.limits.check(chat.id, not chat.is_private, len(prepared))
        group_id = self.state.next_media_group_id() if len(prepared) > 1 else None
        results = []
        for kind, stored, caption, entities in prepared:
            content = self._media_content(kind, stored)
            content.update(self._caption_content(caption, entities))
            if group_id:
                content["media_group_id"] = group_id
            message = self._store_bot_message(chat, content, None, reply_to)
            results.append(copy.deepcopy(message.data))
        return results

    def send_chat_action(self, params: Params) -> Any:
        chat = self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._writable(chat)
        return True

    def forward_message(self, params: Params) -> Any:
        return self._copy(params, forward=True)

    def copy_message(self, params: Params) -> Any:
        return self._copy(params, forward=False)

    def _copy(self, params: Params, *, forward: bool) -> Any:
        source_chat = self._chat(params, "from_chat_id")
        target_chat = self._chat(params)
        source = self.state.find_message(source_chat.id, params.get("message_id", 0))
        if source is None:
            raise bad_request(f"message to {'forward' if forward else 'copy'} not found")
        content = {k: copy.deepcopy(v) for k, v in source.data.items() if k in _CONTENT_KEYS}
        markup = None
        if not forward:
            if "caption" in params and any(k in content for k in _MEDIA_KEYS):
                caption, entities = format_text(
                    params.get("caption"),
                    params.get("parse_mode"),
                    params.get("caption_entities"),
                    caption=True,
                )
                content.pop("caption", None)
                content.pop("caption_entities", None)
                content.update(self._caption_content(caption, entities))
            markup = self._markup(params)
        else:
            content["forward_origin"] = {
                "type": "user",
                "sender_user": source.data["from"],
                "date": source.data["date"],
            }
        self._writable(target_chat)
        reply_to = self._reply_to(target_chat, params) if not forward else None
        self.limits.check(target_chat.id, not target_chat.is_private)
        message = self._store_bot_message(target_chat, content, markup, reply_to)
        if forward:
            return copy.deepcopy(message.data)
        return {"message_id": message.message_id}

    # -- editing and deleting ---------------------------------------------------------------

    def edit_message_text(self, params: Params) -> Any:
        text, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = inline_only(self._markup(params))
        chat, message = self._editable(params)
        if "text" not in message.data:
            raise bad_request("there is no text in the message to edit")
        same = (
            message.data.get("text") == text
            and message.data.get("entities", []) == entities
            and message.data.get("reply_markup") == markup
        )
        if same:
            raise not_modified()
        return self._apply_edit(
            chat, message, {"text": text, "entities": entities, "reply_markup": markup}
        )

    def edit_message_caption(self, params: Params) -> Any:
        caption, entities = format_text(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        markup = inline_only(self._markup(params))
        chat, message = self._editable(params)
        if not any(k in message.data for k in _MEDIA_KEYS):
            raise bad_request("there is no caption in the message to edit")
        same = (
            message.data.get("caption", "") == caption
            and message.data.get("caption_entities", []) == entities
            and message.data.get("reply_markup") == markup
        )
        if same:
            raise not_modified()
        return self._apply_edit(
            chat,
            message,
            {"caption": caption, "caption_entities": entities, "reply_markup": markup},
        )

    def edit_message_reply_markup(self, params: Params) -> Any:
        markup = inline_only(self._markup(params))
        chat, message = self._editable(params)
        if message.data.get("reply_markup") == markup:
            raise not_modified()
        return self._apply_edit(chat, message, {"reply_markup": markup})

    def _delete(self, chat: ChatRecord, message: StoredMessage) -> None:
        if not message.from_bot and not chat.is_private and not chat.bot_is_admin:
            raise bad_request("message can't be deleted")
        message.deleted = True
        if chat.reply_keyboard_message_id == message.message_id:
            chat.reply_keyboard = None
            chat.reply_keyboard_message_id = None
        self.state.touch(message)
        who = "bot" if message.from_bot else self.state.sender_name(message)
        self.state.transcript.add(
            chat.id, chat.label, f"{who} (deleted)", describe(message.data, message.keyboard)
        )

    def delete_message(self, params: Params) -> Any:
        chat = self._chat(params)
        message = self.state.find_message(chat.id, params.get("message_id", 0))
        if message is None:
            raise bad_request("message to delete not found")
        self._delete(chat, message)
        return True

    def delete_messages(self, params: Params) -> Any:
        chat = self._chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            message = self.state.find_message(chat.id, int(message_id))
            if message is not None:
                self._delete(chat, message)
        return True

    def pin_chat_message(self, params: Params) -> Any:
        chat = self._chat(params)
        if self.state.find_message(chat.id, params.get("message_id", 0)) is None:
            raise bad_request("message to pin not found")
        return True

    def unpin_chat_message(self, params: Params) -> Any:
        self._chat(params)
        return True

    def unpin_all_chat_messages(self, params: Params) -> Any:
        self._chat(params)
        return True

    # -- callback queries and files ---------------------------------------------------------

    def answer_callback_query(self, params: Params) -> Any:
        query = self.state.callback_queries.get(str(params.get("callback_query_id", "")))
        if query is None or query.answer is not None:
            raise query_too_old()
        if time.monotonic() - query.created_at > self.callback_query_ttl:
            raise query_too_old()
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        answer = {
            "text": text,
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
            "cache_time": params.get("cache_time", 0),
        }
        query.answer = answer
        if query.answered is not None and not query.answered.done():
            query.answered.set_result(answer)
        if text:
            chat = self.state.chats[query.chat_id]
            user = self.state.users[query.user_id]
            kind = "alert" if answer["show_alert"] else "toast"
            self.state.transcript.add(
                chat.id, chat.label, f"bot ({kind} to {user.first_name})", text
            )
        self.state.notifier.changed()
        return True

    def get_file(self, params: Params) -> Any:
        stored = self.state.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return stored.as_file()

    # -- bot settings -----------------------------------------------------------------------

    @staticmethod
    def _scope_key(params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code", "") or ""

    def set_my_commands(self, params: Params) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand: object expected")
            name = str(command.get("command", "")).lstrip("/")
            description = str(command.get("description", ""))
            if not _COMMAND.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._scope_key(params)
        if cleaned:
            self.state.commands[key] = cleaned
        else:
            self.state.commands.pop(key, None)
        return True

    def get_my_commands(self, params: Params) -> Any:
        return copy.deepcopy(self.state.commands.get(self._scope_key(params), []))

    def delete_my_commands(self, params: Params) -> Any:
        self.state.commands.pop(self._scope_key(params), None)
        return True

    def _set_text(self, params: Params, field: str) -> Any:
        self.state.bot_texts[(field, params.get("language_code", "") or "")] = params.get(field, "")
        return True

    def _get_text(self, params: Params, field: str) -> Any:
        key = (field, params.get("language_code", "") or "")
        default = self.state.bot_first_name if field == "name" else ""
        return {field: self.state.bot_texts.get(key, default)}

    def set_my_name(self, params: Params) -> Any:
        return self._set_text(params, "name")

    def get_my_name(self, params: Params) -> Any:
        return self._get_text(params, "name")

    def set_my_description(self, params: Params) -> Any:
        return self._set_text(params, "description")

    def get_my_description(self, params: Params) -> Any:
        return self._get_text(params, "description")

    def set_my_short_description(self, params: Params) -> Any:
        return self._set_text(params, "short_description")

    def get_my_short_description(self, params: Params) -> Any:
        return self._get_text(params, "short_description")

    def set_chat_menu_button(self, params: Params) -> Any:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat(params).id
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTONS:
            raise bad_request("can't parse menu button JSON object")
        self.state.menu_buttons[chat_id] = button
        return True

    def get_chat_menu_button(self, params: Params) -> Any:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat(params).id
        button = self.state.menu_buttons.get(chat_id) or self.state.menu_buttons.get(None)
        return copy.deepcopy(button or {"type": "default"})

    # -- chats and members ------------------------------------------------------------------

    def get_chat(self, params: Params) -> Any:
        chat = self._chat(params)
        info = {
            **chat.as_chat(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if not chat.is_private:
            info["permissions"] = {"can_send_messages": True}
        return info

    def _member(self, chat: ChatRecord, user_id: int) -> dict[str, Any]:
        if user_id == self.state.bot_id:
            user = self.state.get_me()
            if chat.is_private:
                status = "member"
            elif chat.bot_removed:
                status = "kicked"
            else:
                status = "administrator" if chat.bot_is_admin else "member"
            return member_object(status, {k: user[k] for k in ("id", "is_bot", "first_name",
                                                                "username")})  # fmt: skip
        record: UserRecord | None = self.state.users.get(user_id)
        if record is None:
            raise bad_request("user not found")
        if chat.is_private:
            status = "member" if chat.id == user_id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return member_object(status, record.as_user())

    def get_chat_member(self, params: Params) -> Any:
        chat = self._chat(params)
        user_id = params.get("user_id", 0)
        return self._member(chat, user_id)

    def get_chat_administrators(self, params: Params) -> Any:
        chat = self._chat(params)
        if chat.is_private:
            raise bad_request("there are no administrators in the private chat")
        admins = [
            self._member(chat, uid)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator")
        ]
        if chat.bot_is_admin and not chat.bot_removed:
            admins.append(self._member(chat, self.state.bot_id))
        return admins

    def get_chat_member_count(self, params: Params) -> Any:
        chat = self._chat(params)
        if chat.is_private:
            return 2
        present = [s for s in chat.members.values() if s not in ("left", "kicked")]
        return len(present) + (0 if chat.bot_removed else 1)
