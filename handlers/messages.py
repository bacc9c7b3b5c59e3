"""What handlers say, without saying it in Telegram's terms.

A handler stages a *body*: translation keys with named parameters, buttons as actions with ids. The
bot renders it in the recipient's language when it sends, so handlers never touch a Bot API payload
and every user-visible word goes through the catalogs. Bodies are plain JSON, stored in the outbox.

Parameters are escaped by the renderer; a parameter may itself be a `text(...)`, translated in the
recipient's language too (a role name, a status).

A message may carry one attachment, which becomes its caption's media: `photos` (file ids; two or
more go as an album, with the text in a message after it), `qr` (a start payload: the bot sends a
QR code of its own deep link with that payload, drawn when the message is sent), `document` (a
file the handler made, its bytes in base64) or `chart` (a report's figures as data, drawn as a
picture when the message is sent, in the reader's language).
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any, TypedDict


class TextBody(TypedDict):
    key: str
    params: dict[str, Any]


class ButtonBody(TypedDict):
    label: TextBody
    action: str
    args: list[int | str]


class DocumentBody(TypedDict, total=False):
    """A file the handler made (`name` and its bytes in `base64`), or one Telegram already
    holds (`file_id`: a document someone sent the bot)."""

    name: str
    base64: str
    file_id: str


class MessageBody(TypedDict, total=False):
    lines: list[TextBody]
    buttons: list[list[ButtonBody]]
    reply_keyboard: dict[str, Any]
    photos: list[str]
    qr: str
    document: DocumentBody
    chart: dict[str, Any]
    alert: TextBody


START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a `t.me/<bot>?start=` link may pass on: 1 to 64 letters, digits, `_` and `-`."""

DOCUMENT_LIMIT = 50 * 1024 * 1024
"""The largest file a bot may upload."""

ATTACHMENTS = ("photos", "qr", "document", "chart")
"""The keys of a body's attachment; a body carries at most one of them."""


def text(key: str, **params: Any) -> TextBody:
    """A translatable text: `key` names a catalog entry, `params` fill its named placeholders."""
    return {"key": key, "params": params}


def verbatim(value: str) -> TextBody:
    """Text typed by a person (a name, a description): shown as is, never translated."""
    return {"key": "", "params": {"value": value}}


def localized(names: dict[str, str]) -> TextBody:
    """A name the estate configured per language (a repair category), shown in the reader's."""
    fallback = names.get("en") or next(iter(names.values()), "")
    return {"key": "", "params": {"value": fallback, "localized": dict(names)}}


def configured(names: dict[str, str] | None, key: str | None) -> TextBody:
    """A configured name (a category, a topic) by its key; an unknown key is shown as is."""
    return localized(names) if names else verbatim(key or "?")


def moment(at: datetime) -> dict[str, str]:
    """A point in time as a parameter: shown in the estate's time zone and the reader's locale."""
    return {"moment": at.isoformat()}


def day(iso_date: str) -> dict[str, str]:
    """A calendar day as a parameter: shown as the reader's locale writes it ("Wed, Nov 25")."""
    return {"day": iso_date}


def button(label: TextBody, action: str, *args: int | str) -> ButtonBody:
    """An inline button: tapping it runs `action` with `args`, checked again on the server."""
    return {"label": label, "action": action, "args": list(args)}


def message(
    *lines: TextBody,
    buttons: list[list[ButtonBody]] | None = None,
    reply_keyboard: dict[str, Any] | None = None,
    photos: list[str] | None = None,
    qr: str | None = None,
    document: DocumentBody | None = None,
    chart: dict[str, Any] | None = None,
) -> MessageBody:
    """A message of one or more paragraphs, with optional inline buttons or a reply keyboard,
    and at most one attachment: `photos`, a `qr` code of the bot's deep link with that start
    payload, or a `document` (see `document()`); the text becomes the attachment's caption."""
    if sum(1 for a in (photos, qr, document, chart) if a) > 1:
        raise ValueError(
            "a message carries photos, a QR code, a document or a chart, not more than one"
        )
    body: MessageBody = {"lines": list(lines)}
    if buttons:
        body["buttons"] = buttons
    if reply_keyboard is not None:
        body["reply_keyboard"] = reply_keyboard
    if photos:
        body["photos"] = photos
    if qr is not None:
        if not START_PAYLOAD.fullmatch(qr):
            raise ValueError(f"not a start payload (1-64 of A-Z a-z 0-9 _ -): {qr!r}")
        body["qr"] = qr
    if document is not None:
        body["document"] = document
    if chart is not None:
        body["chart"] = chart
    return body


def document(name: str, data: bytes) -> DocumentBody:
    """A file to send, made by the handler (a CSV or XLSX report): its name as the reader sees it
    and its bytes, kept in the outbox as base64 until the message is sent."""
    if not name.strip() or "/" in name or "\\" in name:
        raise ValueError(f"not a file name: {name!r}")
    if not data:
        raise ValueError(f"{name}: Telegram refuses an empty file")
    if len(data) > DOCUMENT_LIMIT:
        raise ValueError(f"{name}: {len(data)} bytes is more than a bot may upload")
    return {"name": name, "base64": base64.b64encode(data).decode("ascii")}


def sent_document(file_id: str) -> DocumentBody:
    """A file someone sent the bot, sent on by its Telegram file id."""
    if not file_id:
        raise ValueError("a document without a file id")
    return {"file_id": file_id}


def contact_keyboard(label: TextBody) -> dict[str, Any]:
    """A one-button reply keyboard that shares the user's own phone number."""
    return {"contact": label}


def choices_keyboard(rows: list[list[TextBody]]) -> dict[str, Any]:
    """A reply keyboard of plain answers."""
    return {"choices": rows}


REMOVE_KEYBOARD: dict[str, Any] = {"remove": True}
