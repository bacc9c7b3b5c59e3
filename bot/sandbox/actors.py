"""The test-facing people and groups: what a user can do in Telegram, as short verbs.

``SandboxUser`` writes to the bot, edits what it wrote, shares contacts and photos, taps
reply-keyboard buttons and clicks inline buttons (waiting for the bot's ``answerCallbackQuery``);
``SandboxGroup`` is a supergroup where users write. Each action produces exactly the update
Telegram would send, and ``wait_for_message`` waits for the bot's reaction.

``wait_for_message`` consumes: it only looks at bot messages sent or edited after this chat's
last user action or the last message it returned, so a stale match from earlier in the test is
never picked up by mistake.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .entities import detect_entities
from .errors import PATIENCE, SandboxError, SandboxTimeoutError
from .files import placeholder_png
from .state import CallbackQueryRecord, ChatRecord, StoredMessage, UserRecord, member_object
from .transcript import describe
from .views import CallbackAnswer, SandboxMessage

if TYPE_CHECKING:
    from .server import SandboxServer

_UNSET: Any = object()
MessageRef = SandboxMessage | int


class _ChatHandle:
    """Shared by users (their private chat) and groups: reading the bot's messages."""

    def __init__(self, sandbox: SandboxServer, chat: ChatRecord) -> None:
        self._sandbox = sandbox
        self._chat = chat

    @property
    def chat_id(self) -> int:
        """The chat's id."""
        return self._chat.id

    @property
    def messages(self) -> list[SandboxMessage]:
        """The bot's messages in this chat (not deleted), oldest first, as they are now."""
        return [SandboxMessage(m) for m in self._chat.live_messages() if m.from_bot]

    @property
    def last_message(self) -> SandboxMessage | None:
        """The bot's newest message in this chat."""
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard the bot currently shows in this chat."""
        keyboard = self._chat.reply_keyboard
        if not keyboard:
            return None
        return [[button["text"] for button in row] for row in keyboard["keyboard"]]

    def transcript(self) -> str:
        """This chat's transcript."""
        return self._sandbox.state.transcript.render(self._chat.id)

    async def wait_for_message(
        self,
        containing: str | None = None,
        *,
        predicate: Callable[[SandboxMessage], bool] | None = None,
        timeout: float = PATIENCE,  # noqa: ASYNC109 - the test API says timeout=
    ) -> SandboxMessage:
        """Wait for a bot message (new or edited since the last action here) that matches."""
        chat = self._chat

        def find() -> StoredMessage | None:
            changed = [
                m
                for m in chat.messages.values()
                if m.from_bot and not m.deleted and m.changed_version > chat.wait_cursor
            ]
            for message in sorted(changed, key=lambda m: m.changed_version):
                view = SandboxMessage(message)
                if containing is not None and containing not in view.text:
                    continue
                if predicate is not None and not predicate(view):
                    continue
                return message
            return None

        try:
            found = await self._sandbox.state.notifier.wait_for(find, timeout)
        except TimeoutError:
            what = f"containing {containing!r}" if containing is not None else "matching"
            tail = "\n".join(self.transcript().splitlines()[-15:]) or "(empty)"
            raise SandboxTimeoutError(
                f"no bot message {what} in [{chat.label}] within {timeout}s; transcript:\n{tail}"
            ) from None
        assert isinstance(found, StoredMessage)
        chat.wait_cursor = found.changed_version
        return SandboxMessage(found)

    def _mark_action(self, chat: ChatRecord | None = None) -> None:
        target = chat or self._chat
        target.wait_cursor = self._sandbox.state.notifier.version


class SandboxUser(_ChatHandle):
    """A Telegram user talking to the bot; their private chat has the same id as they do."""

    def __init__(self, sandbox: SandboxServer, record: UserRecord) -> None:
        super().__init__(sandbox, sandbox.state.chats[record.id])
        self.record = record

    # -- identity ---------------------------------------------------------------------------

    @property
    def id(self) -> int:
        """The user's id (and their private chat's id)."""
        return self.record.id

    @property
    def first_name(self) -> str:
        """First name."""
        return self.record.first_name

    @property
    def last_name(self) -> str | None:
        """Last name."""
        return self.record.last_name

    @property
    def full_name(self) -> str:
        """First and last name."""
        return self.record.full_name

    @property
    def username(self) -> str | None:
        """Username without ``@``."""
        return self.record.username

    @property
    def phone(self) -> str | None:
        """The phone number ``send_contact()`` shares."""
        return self.record.phone

    @property
    def started(self) -> bool:
        """Whether the user has started the bot (else sending to them is 403)."""
        return self.record.started

    @property
    def blocked(self) -> bool:
        """Whether the user blocked the bot."""
        return self.record.blocked

    def as_user(self) -> dict[str, Any]:
        """The user's Bot API ``User`` object."""
        return self.record.as_user()

    def __repr__(self) -> str:
        return f"<SandboxUser {self.full_name} id={self.id}>"

    # -- writing ----------------------------------------------------------------------------

    async def send(self, text: str, *, reply_to: MessageRef | None = None) -> dict[str, Any] | None:
        """Write ``text`` to the bot in the private chat; returns the enqueued update
        (``None`` if the bot's ``allowed_updates`` exclude messages)."""
        return await self._post(self._chat, self._text_content(text), reply_to)

    async def send_contact(
        self,
        phone: str | None = None,
        *,
        user_id: int | None = _UNSET,
        first_name: str | None = None,
        last_name: str | None = None,
        in_chat: _ChatHandle | None = None,
    ) -> dict[str, Any] | None:
        """Share a contact: without ``phone`` the user's own (with their ``user_id``).

        Some Telegram apps send the number without ``+``; pass it that way to test that.
        """
        if phone is None:
            if self.phone is None:
                raise SandboxError(f"{self.full_name} has no phone; pass phone=...")
            phone = self.phone
            user_id = self.id if user_id is _UNSET else user_id
            first_name = first_name or self.first_name
            last_name = last_name if last_name is not None else self.last_name
        elif user_id is _UNSET:
            user_id = None
        contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name or "Contact"}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return await self._post(self._target(in_chat), {"contact": contact}, None)

    async def send_location(
        self, latitude: float = 31.2304, longitude: float = 121.4737
    ) -> dict[str, Any] | None:
        """Share a location in the private chat."""
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return await self._post(self._chat, content, None)

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any] | None:
        """Send a sticker to the bot."""
        stored = self._sandbox.state.files.add("sticker", placeholder_png(32, 32))
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.size,
        }
        return await self._post(self._chat, {"sticker": sticker}, None)

    async def send_photo(
        self,
        caption: str | None = None,
        *,
        data: bytes | None = None,
        in_chat: _ChatHandle | None = None,
        reply_to: MessageRef | None = None,
    ) -> dict[str, Any] | None:
        """Send a photo (a generated PNG unless ``data`` is given)."""
        content = self._photo_content(data, caption)
        return await self._post(self._target(in_chat), content, reply_to)

    async def send_photos(
        self, count: int, caption: str | None = None, *, in_chat: _ChatHandle | None = None
    ) -> list[dict[str, Any] | None]:
        """Send an album: ``count`` photos sharing a ``media_group_id`` (caption on the first)."""
        if not 1 <= count <= 10:
            raise SandboxError("an album has 1 to 10 photos")
        group_id = self._sandbox.state.next_media_group_id() if count > 1 else None
        updates = []
        colours = [(200, 60, 60), (60, 160, 60), (60, 90, 200), (200, 160, 40), (120, 60, 160)]
        for index in range(count):
            data = placeholder_png(rgb=colours[index % len(colours)])
            content = self._photo_content(data, caption if index == 0 else None)
            if group_id:
                content["media_group_id"] = group_id
            updates.append(await self._post(self._target(in_chat), content, None))
        return updates

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        in_chat: _ChatHandle | None = None,
    ) -> dict[str, Any] | None:
        """Send a file to the bot, privately or in a group (``in_chat``)."""
        stored = self._sandbox.state.files.add(
            "document", data, file_name=file_name, mime_type=mime_type
        )
        content: dict[str, Any] = {"document": stored.as_document()}
        content.update(self._caption(caption))
        return await self._post(self._target(in_chat), content, None)

    async def tap(
        self,
        label: str,
        *,
        in_chat: _ChatHandle | None = None,
        timeout: float = PATIENCE,  # noqa: ASYNC109 - the test API says timeout=
    ) -> dict[str, Any] | None:
        """Tap a button of the reply keyboard the bot shows: shares the contact for a
        ``request_contact`` button, the location for ``request_location``, else sends its text.

        Waits up to ``timeout`` seconds for the bot to show a keyboard with that button.
        """
        chat = self._target(in_chat)

        def find() -> dict[str, Any] | None:
            keyboard = chat.reply_keyboard
            if not keyboard:
                return None
            return _match([b for row in keyboard["keyboard"] for b in row], label, None, chat.label)

        try:
            found = await self._sandbox.state.notifier.wait_for(find, timeout)
        except TimeoutError:
            keyboard = chat.reply_keyboard
            if not keyboard:
                raise SandboxTimeoutError(
                    f"the bot shows no reply keyboard in [{chat.label}]"
                ) from None
            labels = ", ".join(repr(b["text"]) for row in keyboard["keyboard"] for b in row)
            raise SandboxTimeoutError(
                f"no keyboard button {label!r} in [{chat.label}]: {labels}"
            ) from None
        button: dict[str, Any] = found  # type: ignore[assignment]
        if button.get("request_contact"):
            return await self.send_contact(in_chat=in_chat)
        if button.get("request_location"):
            content = {"location": {"latitude": 31.2304, "longitude": 121.4737}}
            return await self._post(chat, content, None)
        requests = [k for k in button if k.startswith("request_") or k == "web_app"]
        if requests:
            raise SandboxError(f"the sandbox cannot tap a {requests[0]} button")
        reply_to = None if chat.is_private else chat.reply_keyboard_message_id
        return await self._post(chat, self._text_content(button["text"]), reply_to)

    async def edit(
        self,
        message: dict[str, Any] | int,
        text: str,
        *,
        in_chat: _ChatHandle | None = None,
    ) -> dict[str, Any] | None:
        """Edit one of the user's own messages, as Telegram apps allow: ``message`` is what
        ``send()`` (or ``send_photo()``) returned, or the message id. The text (or caption) changes
        in the chat and the bot gets an ``edited_message`` update, which is returned (``None`` if
        the bot's ``allowed_updates`` exclude edits, or privacy mode hides it in a group)."""
        state = self._sandbox.state
        if isinstance(message, dict):
            sent = message.get("message") or message.get("edited_message") or message
            message_id = int(sent["message_id"])
            chat = state.chats.get(int(sent["chat"]["id"]))
            if chat is None:
                raise SandboxError(f"no chat {sent['chat']['id']}")
        else:
            message_id = message
            chat = self._target(in_chat)
        stored = self._stored(chat, message_id)
        if stored.from_bot or stored.sender_id != self.id:
            raise SandboxError(f"{self.full_name} can only edit their own messages")
        if "text" in stored.data:
            if not text:
                raise SandboxError("Telegram does not send empty messages")
            stored.data.pop("entities", None)
            stored.data.update(self._text_content(text))
        elif "caption" in stored.data or "photo" in stored.data or "document" in stored.data:
            stored.data.pop("caption", None)
            stored.data.pop("caption_entities", None)
            stored.data.update(self._caption(text))
        else:
            raise SandboxError("only a text or a caption can be edited")
        stored.data["edit_date"] = int(time.time())
        stored.edits += 1
        state.touch(stored)
        state.transcript.add(
            chat.id, chat.label, f"{self.first_name} (edited)", describe(stored.data)
        )
        self._mark_action(chat)
        if not chat.is_private and not state.bot_sees(chat, stored.data):
            return None
        update = state.updates.push("edited_message", copy.deepcopy(stored.data))
        await asyncio.sleep(0)
        return update

    # -- inline buttons ---------------------------------------------------------------------

    async def click(
        self,
        label: str | None = None,
        *,
        callback_data: str | None = None,
        in_chat: _ChatHandle | None = None,
        message: SandboxMessage | None = None,
        timeout: float = PATIENCE,  # noqa: ASYNC109 - the test API says timeout=
    ) -> CallbackAnswer:
        """Press an inline button and return the bot's ``answerCallbackQuery``.

        Looks through the bot's messages in the chat (``in_chat``, else ``message``'s chat, else
        the private chat; newest first, or only ``message``) for a
        button whose label is ``label`` (or contains it) or whose data is ``callback_data``,
        waiting for one to appear, then for the answer; ``SandboxTimeoutError`` if either
        takes longer than ``timeout`` seconds.
        """
        if label is None and callback_data is None:
            raise SandboxError("click() needs a label or callback_data")
        chat = self._target(in_chat, message)

        def candidates() -> list[StoredMessage]:
            if message is not None:
                return [self._stored(chat, message)]
            return [m for m in reversed(chat.live_messages()) if m.from_bot]

        def find() -> tuple[StoredMessage, dict[str, Any]] | None:
            for stored in candidates():
                rows = (stored.data.get("reply_markup") or {}).get("inline_keyboard", [])
                button = _match([b for row in rows for b in row], label, callback_data, chat.label)
                if button is not None:
                    return stored, button
            return None

        deadline = time.monotonic() + timeout
        try:
            found = await self._sandbox.state.notifier.wait_for(find, timeout)
        except TimeoutError:
            shown = [
                f"#{m.message_id}: "
                + " ".join(f"[{b}]" for row in SandboxMessage(m).buttons for b in row)
                for m in candidates()
                if SandboxMessage(m).buttons
            ]
            wanted = repr(label) if label is not None else f"with data {callback_data!r}"
            raise SandboxTimeoutError(
                f"no inline button {wanted} in [{chat.label}]; "
                f"buttons: {'; '.join(shown) or 'none'}"
            ) from None
        stored, button = found  # type: ignore[misc]
        if "callback_data" not in button:
            raise SandboxError(f"button {button['text']!r} sends no callback data: {button}")
        remaining = max(0.0, deadline - time.monotonic())
        return await self._press(chat, stored, button["callback_data"], button["text"], remaining)

    async def click_data(
        self,
        data: str,
        *,
        message: SandboxMessage | None = None,
        in_chat: _ChatHandle | None = None,
        timeout: float = PATIENCE,  # noqa: ASYNC109 - the test API says timeout=
    ) -> CallbackAnswer:
        """Send a callback query with arbitrary ``data`` (a forged or stale button) on
        ``message`` (default: the bot's newest message in the chat)."""
        chat = self._target(in_chat, message)
        if message is not None:
            stored = self._stored(chat, message)
        else:
            bot_messages = [m for m in chat.live_messages() if m.from_bot]
            if not bot_messages:
                raise SandboxError(f"the bot has no message in [{chat.label}] to click on")
            stored = bot_messages[-1]
        return await self._press(chat, stored, data, data, timeout)

    async def _press(
        self, chat: ChatRecord, stored: StoredMessage, data: str, label: str, within: float
    ) -> CallbackAnswer:
        state = self._sandbox.state
        self._join(chat)
        query = CallbackQueryRecord(
            id=state.next_query_id(),
            user_id=self.id,
            chat_id=chat.id,
            message_id=stored.message_id,
            data=data,
            created_at=time.monotonic(),
            answered=asyncio.get_running_loop().create_future(),
        )
        state.callback_queries[query.id] = query
        payload = {
            "id": query.id,
            "from": self.as_user(),
            "message": copy.deepcopy(stored.data),
            "chat_instance": state.chat_instance(chat.id),
            "data": data,
        }
        state.transcript.add(chat.id, chat.label, self.first_name, f"clicked [{label}]")
        update = state.updates.push("callback_query", payload)
        self._mark_action(chat)
        if update is None:
            raise SandboxError("the bot's allowed_updates exclude callback_query")
        assert query.answered is not None
        try:
            answer = await asyncio.wait_for(asyncio.shield(query.answered), within)
        except TimeoutError:
            raise SandboxTimeoutError(
                f"the bot did not answer the callback query for [{label}] in [{chat.label}] "
                f"within {within}s"
            ) from None
        return CallbackAnswer(
            text=answer.get("text"),
            show_alert=answer["show_alert"],
            url=answer.get("url"),
            cache_time=answer.get("cache_time") or 0,
        )

    # -- blocking ---------------------------------------------------------------------------

    def block_bot(self, *, notify: bool = True) -> None:
        """Block the bot: sends to this user fail with 403; the bot gets ``my_chat_member``.

        ``notify=False``: the bot is not told (an update it missed, or one it does not ask
        for), so it learns of the block only from the 403 of its next message."""
        if not self.record.blocked:
            self.record.blocked = True
            if notify:
                self._my_chat_member("member", "kicked", "(blocked the bot)")

    def unblock_bot(self) -> None:
        """Unblock the bot (the user has started it again)."""
        if self.record.blocked:
            self.record.blocked = False
            self.record.started = True
            self._my_chat_member("kicked", "member", "(unblocked the bot)")

    def _my_chat_member(self, old: str, new: str, note: str) -> None:
        state = self._sandbox.state
        bot = state.bot_user()
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": self._chat.as_chat(),
            "from": self.as_user(),
            "date": int(time.time()),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        state.transcript.add(self._chat.id, self._chat.label, self.first_name, note)
        state.updates.push("my_chat_member", payload)
        self._mark_action()

    # -- internals --------------------------------------------------------------------------

    def _target(
        self, in_chat: _ChatHandle | None, message: SandboxMessage | None = None
    ) -> ChatRecord:
        """The chat to act in: ``in_chat``, else ``message``'s chat, else the private chat."""
        if in_chat is not None:
            chat = in_chat._chat
        elif message is not None:
            chat = self._sandbox.state.chats[message.chat_id]
        else:
            return self._chat
        if chat.is_private and chat.id != self.id:
            raise SandboxError(f"{self.full_name} cannot act in {chat.label}'s private chat")
        return chat

    @staticmethod
    def _stored(chat: ChatRecord, message: MessageRef) -> StoredMessage:
        message_id = message if isinstance(message, int) else message.message_id
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise SandboxError(f"no message #{message_id} in [{chat.label}]")
        return stored

    def _join(self, chat: ChatRecord) -> None:
        if not chat.is_private and chat.members.get(self.id) in (None, "left"):
            chat.members[self.id] = "member"

    @staticmethod
    def _text_content(text: str) -> dict[str, Any]:
        if not text:
            raise SandboxError("Telegram does not send empty messages")
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return content

    @staticmethod
    def _caption(caption: str | None) -> dict[str, Any]:
        if not caption:
            return {}
        content: dict[str, Any] = {"caption": caption}
        entities = detect_entities(caption)
        if entities:
            content["caption_entities"] = entities
        return content

    def _photo_content(self, data: bytes | None, caption: str | None) -> dict[str, Any]:
        stored = self._sandbox.state.files.add("photo", data or placeholder_png())
        return {"photo": stored.photo_sizes(), **self._caption(caption)}

    async def _post(
        self, chat: ChatRecord, content: dict[str, Any], reply_to: MessageRef | None
    ) -> dict[str, Any] | None:
        """Store the user's message in ``chat`` and enqueue it if the bot may see it."""
        state = self._sandbox.state
        if chat.is_private:
            if self.record.blocked:
                raise SandboxError(f"{self.full_name} blocked the bot; call unblock_bot() first")
            self.record.started = True
        else:
            self._join(chat)
        target = self._stored(chat, reply_to) if reply_to is not None else None
        stored = state.new_message(chat, sender=self.record, content=content, reply_to=target)
        state.transcript.add(chat.id, chat.label, self.first_name, describe(stored.data))
        self._mark_action(chat)
        if not chat.is_private and not state.bot_sees(chat, stored.data):
            return None
        update = state.updates.push("message", copy.deepcopy(stored.data))
        await asyncio.sleep(0)
        return update


class SandboxGroup(_ChatHandle):
    """A supergroup the bot is a member of (an administrator with ``bot_is_admin=True``)."""

    @property
    def id(self) -> int:
        """The group's chat id (``-100…``)."""
        return self._chat.id

    @property
    def title(self) -> str:
        """The group's title."""
        return self._chat.title or ""

    def __repr__(self) -> str:
        return f"<SandboxGroup {self.title} id={self.id}>"

    def add_member(self, user: SandboxUser, status: str = "member") -> None:
        """Make ``user`` a member (``"member"``, ``"administrator"``, ``"creator"``, ...)."""
        self._chat.members[user.id] = status
        self._sandbox.state.notifier.changed()

    async def send(
        self, user: SandboxUser, text: str, *, reply_to: MessageRef | None = None
    ) -> dict[str, Any] | None:
        """``user`` writes ``text`` in the group. Returns the update, or ``None`` when the bot's
        privacy mode hides the message (not a command, mention or reply to the bot)."""
        return await user._post(self._chat, user._text_content(text), reply_to)

    async def send_photo(
        self, user: SandboxUser, caption: str | None = None, *, reply_to: MessageRef | None = None
    ) -> dict[str, Any] | None:
        """``user`` posts a photo in the group (see ``send`` for privacy mode)."""
        return await user.send_photo(caption, in_chat=self, reply_to=reply_to)

    def remove_bot(self) -> None:
        """Kick the bot from the group: sends fail with 403; the bot gets ``my_chat_member``."""
        chat = self._chat
        if chat.bot_removed:
            return
        chat.bot_removed = True
        state = self._sandbox.state
        bot = state.bot_user()
        old = "administrator" if chat.bot_is_admin else "member"
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "administrator":
            old_member = member_object("administrator", bot)
        creator = next((uid for uid, s in chat.members.items() if s == "creator"), None)
        sender = state.users[creator].as_user() if creator in state.users else bot
        payload = {
            "chat": chat.as_chat(),
            "from": sender,
            "date": int(time.time()),
            "old_chat_member": old_member,
            "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
        }
        state.transcript.add(chat.id, chat.label, "group", "(the bot was removed)")
        state.updates.push("my_chat_member", payload)


def _match(
    buttons: list[dict[str, Any]], label: str | None, data: str | None, where: str
) -> dict[str, Any] | None:
    """The button with exactly this label (or data), else the only one containing the label."""
    if data is not None:
        return next((b for b in buttons if b.get("callback_data") == data), None)
    assert label is not None
    exact = [b for b in buttons if b.get("text") == label]
    if exact:
        return exact[0]
    partial = [b for b in buttons if label in b.get("text", "")]
    if len(partial) > 1:
        labels = ", ".join(repr(b["text"]) for b in partial)
        raise SandboxError(f"{label!r} matches several buttons in [{where}]: {labels}")
    return partial[0] if partial else None
