"""What handlers say, without saying it in Telegram's terms.

A handler stages a *body*: translation keys with named parameters, buttons as actions with ids. The
bot renders it in the recipient's language when it sends, so handlers never touch a Bot API payload
and every user-visible word goes through the catalogs. Bodies are plain JSON, stored in the outbox.

Parameters are escaped by the renderer; a parameter may itself be a `text(...)`, translated in the
recipient's language too (a role name, a status).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any, TypedDict


class TextBody(TypedDict):
    key: str
    params: dict[str, Any]


class ButtonBody(TypedDict):
    label: TextBody
    action: str
    args: list[int | str]


class DocumentBody(TypedDict):
    name: str
    base64: str


class MessageBody(TypedDict, total=False):
    lines: list[TextBody]
    buttons: list[list[ButtonBody]]
    reply_keyboard: dict[str, Any]
    photos: list[str]
    alert: TextBody
    qr: str
    document: DocumentBody


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
) -> MessageBody:
    """A message of one or more paragraphs, with optional inline buttons or a reply keyboard.

    `qr` makes it a picture of a QR code holding a deep link to the bot that starts it with that
    payload; `document` attaches a file (see `document()`). Both are made when it is sent.
    """
    body: MessageBody = {"lines": list(lines)}
    if buttons:
        body["buttons"] = buttons
    if reply_keyboard is not None:
        body["reply_keyboard"] = reply_keyboard
    if photos:
        body["photos"] = photos
    if qr is not None:
        body["qr"] = qr
    if document is not None:
        body["document"] = document
    return body


def document(name: str, data: bytes) -> DocumentBody:
    """A file to attach (a CSV export), kept in the message as base64 until it is sent."""
    return {"name": name, "base64": base64.b64encode(data).decode("ascii")}


def contact_keyboard(label: TextBody) -> dict[str, Any]:
    """A one-button reply keyboard that shares the user's own phone number."""
    return {"contact": label}


def choices_keyboard(rows: list[list[TextBody]]) -> dict[str, Any]:
    """A reply keyboard of plain answers."""
    return {"choices": rows}


REMOVE_KEYBOARD: dict[str, Any] = {"remove": True}
