"""Rendering: a stored message body becomes Bot API calls, in the reader's language.

Parameters are HTML-escaped here and nowhere else, so a resident's `<3` can never break a message;
texts are kept inside Telegram's limits (4,096 characters, 1,024 for a caption) by shortening the
parameters people typed, never the words of the catalog.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_skeleton

from bot.core.callbacks import pack
from bot.i18n import babel_locale, translate

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]


class Renderer:
    """Turns bodies into Bot API parameters for one estate (its time zone)."""

    def __init__(self, timezone: ZoneInfo) -> None:
        self.timezone = timezone

    def text(self, language: str, body: dict[str, Any], limit: int = TEXT_LIMIT) -> str:
        lines = body.get("lines", [])
        cap: int | None = None
        while True:
            rendered = "\n".join(self._line(language, line, cap) for line in lines)
            if visible_length(rendered) <= limit:
                return rendered
            cap = 1000 if cap is None else cap // 2
            if cap < 8:
                return html.escape(_TAG.sub("", rendered)[: limit - 1]) + "…"

    def _line(self, language: str, body: dict[str, Any], cap: int | None) -> str:
        key = body.get("key", "")
        params = body.get("params", {})
        if not key:
            names = params.get("localized") or {}
            return _escape(str(names.get(language) or params.get("value", "")), cap)
        count = params.get("count")
        template = translate(language, key, count if isinstance(count, int) else None)
        values = {name: self._value(language, value, cap) for name, value in params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template

    def _value(self, language: str, value: Any, cap: int | None) -> str:
        if isinstance(value, dict) and "moment" in value:
            at = datetime.fromisoformat(value["moment"]).astimezone(self.timezone)
            return format_datetime(at, "short", locale=babel_locale(language))
        if isinstance(value, dict) and "day" in value:
            day = date.fromisoformat(value["day"])
            return format_skeleton("MMMEd", day, locale=babel_locale(language))
        if isinstance(value, dict) and "key" in value:
            return self._line(language, value, cap)
        return _escape(str(value), cap)

    def reply_markup(self, language: str, body: dict[str, Any]) -> dict[str, Any] | None:
        if body.get("buttons"):
            return {
                "inline_keyboard": [
                    [
                        {
                            "text": _plain(self._line(language, b["label"], None)),
                            "callback_data": pack(b["action"], b["args"]),
                        }
                        for b in row
                    ]
                    for row in body["buttons"]
                ]
            }
        keyboard = body.get("reply_keyboard")
        if not keyboard:
            return None
        if keyboard.get("remove"):
            return {"remove_keyboard": True}
        if "contact" in keyboard:
            label = _plain(self._line(language, keyboard["contact"], None))
            return {
                "keyboard": [[{"text": label, "request_contact": True}]],
                "resize_keyboard": True,
                "one_time_keyboard": True,
            }
        rows = keyboard.get("choices", [])
        return {
            "keyboard": [
                [{"text": _plain(self._line(language, t, None))} for t in r] for r in rows
            ],
            "resize_keyboard": True,
        }

    def send(self, language: str, chat_id: int, body: dict[str, Any]) -> list[ApiCall]:
        """The calls that deliver a new message; the last one carries the buttons."""
        markup = self.reply_markup(language, body)
        photos = body.get("photos") or []
        calls: list[ApiCall] = []
        if len(photos) > 1:
            media = [{"type": "photo", "media": p} for p in photos[:10]]
            calls.append(ApiCall("sendMediaGroup", {"chat_id": chat_id, "media": media}))
        elif len(photos) == 1:
            caption = self.text(language, body, CAPTION_LIMIT)
            params = {
                "chat_id": chat_id,
                "photo": photos[0],
                "caption": caption,
                "parse_mode": "HTML",
            }
            if markup:
                params["reply_markup"] = markup
            return [ApiCall("sendPhoto", params)]
        params = {
            "chat_id": chat_id,
            "text": self.text(language, body),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if markup:
            params["reply_markup"] = markup
        calls.append(ApiCall("sendMessage", params))
        return calls

    def edit(
        self, language: str, chat_id: int, message_id: int, body: dict[str, Any], caption: bool
    ) -> ApiCall:
        markup = self.reply_markup(language, body) or {"inline_keyboard": []}
        if caption:
            return ApiCall(
                "editMessageCaption",
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "parse_mode": "HTML",
                    "caption": self.text(language, body, CAPTION_LIMIT),
                    "reply_markup": markup,
                },
            )
        return ApiCall(
            "editMessageText",
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "parse_mode": "HTML",
                "text": self.text(language, body),
                "reply_markup": markup,
                "link_preview_options": {"is_disabled": True},
            },
        )

    def plain(self, language: str, body: dict[str, Any]) -> str:
        """Text with no markup, for answerCallbackQuery (which shows no formatting)."""
        return _plain(self._line(language, body, None))[:200]


def _escape(value: str, cap: int | None) -> str:
    if cap is not None and len(value) > cap:
        value = value[:cap] + "…"
    return html.escape(value, quote=False)


def _plain(rendered: str) -> str:
    return html.unescape(_TAG.sub("", rendered))


def visible_length(rendered: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text once markup is parsed."""
    return len(_plain(rendered).encode("utf-16-le")) // 2
