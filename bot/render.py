"""Rendering: a stored message body becomes Bot API calls, in the reader's language.

Parameters are HTML-escaped here and nowhere else, so a resident's `<3` can never break a message;
texts are kept inside Telegram's limits (4,096 characters, 1,024 for a caption) by shortening the
parameters people typed, never the words of the catalog.

Some content is made here, when the message is sent: a QR code of the bot's deep link (drawn with
segno), a report's chart (drawn with matplotlib, in the reader's language: slow enough that the
sender renders such a body in a thread) and a document from its stored bytes. Such a file travels
in the call's parameters as an `Upload`, which each transport sends as a multipart file part.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_datetime, format_skeleton

from bot.charts import Chart, Kpi, Series, draw
from bot.core.callbacks import pack
from bot.i18n import babel_locale, translate
from handlers.messages import ATTACHMENTS, START_PAYLOAD

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]+>")


QR_SCALE = 10
"""Pixels per QR module: a short deep link makes a picture of about 400 pixels a side."""


@dataclass(frozen=True)
class Upload:
    """A file made at send time, as a parameter's value: the transport uploads it as a part of
    a multipart request under that parameter's name."""

    filename: str
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"<Upload {self.filename!r} {len(self.data)} bytes>"


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]


class Renderer:
    """Turns bodies into Bot API parameters for one estate (its time zone).

    `bot_username` (without `@`) is what deep links name; Telegram tells it when the engine
    starts (`getMe`), and the runtime hands it over before anything is sent. Until then a body
    with a `qr` cannot be rendered.
    """

    def __init__(self, timezone: ZoneInfo, bot_username: str | None = None) -> None:
        self.timezone = timezone
        self.bot_username = bot_username

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

    def deep_link(self, payload: str) -> str:
        """`https://t.me/<bot>?start=<payload>`: opens the bot, which gets `/start <payload>`."""
        if not self.bot_username:
            raise ValueError("the bot's username is not known yet: no deep link")
        if not START_PAYLOAD.fullmatch(payload):
            raise ValueError(f"not a start payload: {payload!r}")
        return f"https://t.me/{self.bot_username}?start={payload}"

    def qr_png(self, payload: str) -> bytes:
        """A PNG of a QR code that holds the deep link with `payload`."""
        code = segno.make_qr(self.deep_link(payload), error="m")
        out = io.BytesIO()
        code.save(out, kind="png", scale=QR_SCALE, border=4)
        return out.getvalue()

    def chart_png(self, language: str, chart: dict[str, Any]) -> bytes:
        """A report's chart as a PNG, its labels in `language`."""

        def words(line: dict[str, Any]) -> str:
            return _plain(self._line(language, line, None))

        return draw(
            Chart(
                title=words(chart["title"]),
                trend_title=words(chart["trend_title"]),
                kpi_title=words(chart["kpi_title"]),
                periods=list(chart["periods"]),
                series=[Series(words(s["label"]), list(s["values"])) for s in chart["series"]],
                kpis=[
                    Kpi(words(k["label"]), float(k["value"]), float(k["target"]), bool(k["met"]))
                    for k in chart["kpis"]
                ],
            )
        )

    def captioned(self, body: dict[str, Any]) -> bool:
        """True when the body goes out as one media message, whose text is a caption (an edit of
        it is `editMessageCaption`): one photo, a QR code, a chart or a document."""
        return len(body.get("photos") or []) == 1 or any(
            body.get(key) for key in ("qr", "document", "chart")
        )

    def send(self, language: str, chat_id: int, body: dict[str, Any]) -> list[ApiCall]:
        """The calls that deliver a new message; the last one carries the buttons.

        A body may carry one attachment (`photos`, `qr` or `document`); one with more is refused
        with ValueError, which fails its outbox row.
        """
        if sum(1 for key in ATTACHMENTS if body.get(key)) > 1:
            raise ValueError("a message carries one attachment, not more than one")
        markup = self.reply_markup(language, body)
        photos = body.get("photos") or []
        calls: list[ApiCall] = []
        if len(photos) > 1:
            media = [{"type": "photo", "media": p} for p in photos[:10]]
            calls.append(ApiCall("sendMediaGroup", {"chat_id": chat_id, "media": media}))
        elif len(photos) == 1:
            return [self._media(language, chat_id, body, markup, "sendPhoto", "photo", photos[0])]
        elif body.get("qr"):
            payload = body["qr"]
            upload = Upload(f"{payload}.png", self.qr_png(payload))
            return [self._media(language, chat_id, body, markup, "sendPhoto", "photo", upload)]
        elif body.get("chart"):
            upload = Upload("report.png", self.chart_png(language, body["chart"]))
            return [self._media(language, chat_id, body, markup, "sendPhoto", "photo", upload)]
        elif body.get("document"):
            upload = _document(body["document"])
            return [
                self._media(language, chat_id, body, markup, "sendDocument", "document", upload)
            ]
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

    def _media(
        self,
        language: str,
        chat_id: int,
        body: dict[str, Any],
        markup: dict[str, Any] | None,
        method: str,
        name: str,
        media: str | Upload,
    ) -> ApiCall:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            name: media,
            "caption": self.text(language, body, CAPTION_LIMIT),
            "parse_mode": "HTML",
        }
        if markup:
            params["reply_markup"] = markup
        return ApiCall(method, params)

    def edit(
        self, language: str, chat_id: int, message_id: int, body: dict[str, Any], caption: bool
    ) -> ApiCall:
        """The call that changes a sent message's text and buttons (its caption's, for a media
        message); the media itself stays as it was sent, whatever the new body carries."""
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

    def terminal(self, language: str, body: dict[str, Any]) -> str:
        """The body as a terminal shows it (the command line's import summaries): no markup,
        and no limit, so no line of a long list is shortened."""
        return _plain(self.text(language, body, limit=sys.maxsize))

    def plain(self, language: str, body: dict[str, Any]) -> str:
        """Text with no markup, for answerCallbackQuery (which shows no formatting)."""
        return _plain(self._line(language, body, None))[:200]


def _document(document: dict[str, Any]) -> Upload | str:
    if document.get("file_id"):
        return str(document["file_id"])  # a file Telegram holds: sent on by its id
    name = str(document.get("name") or "")
    if not name:
        raise ValueError("a document without a name")
    try:
        data = base64.b64decode(str(document.get("base64") or ""), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{name}: not base64: {exc}") from exc
    if not data:
        raise ValueError(f"{name}: an empty document")
    return Upload(name, data)


def _escape(value: str, cap: int | None) -> str:
    if cap is not None and len(value) > cap:
        value = value[:cap] + "…"
    return html.escape(value, quote=False)


def _plain(rendered: str) -> str:
    return html.unescape(_TAG.sub("", rendered))


def plain_text(rendered: str) -> str:
    """A rendered text without its markup, as a terminal shows it."""
    return _plain(rendered)


def visible_length(rendered: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text once markup is parsed."""
    return len(_plain(rendered).encode("utf-16-le")) // 2
