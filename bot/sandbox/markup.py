"""Reply markup checks: inline keyboards, reply keyboards, keyboard removal and forced replies.

A keyboard Telegram would refuse must be refused here too, with Telegram's description, most
importantly ``BUTTON_DATA_INVALID`` for ``callback_data`` over 64 UTF-8 bytes, a limit that is
easy to cross with long identifiers and invisible until the bot runs against Telegram.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .errors import bad_request

MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100

_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_INLINE_KEYS = ("text", "icon_custom_emoji_id", "style", *_INLINE_ACTIONS)


def _check_url(url: Any) -> str:
    if not isinstance(url, str) or not url:
        raise bad_request("inline keyboard button URL '' is invalid: Wrong HTTP URL")
    if url.startswith("tg://"):
        return url
    candidate = url if "://" in url else "http://" + url
    parts = urlsplit(candidate)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host or host.endswith("."):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return url


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: Object expected")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        _check_url(button["url"])
    if not any(button.get(action) is not None for action in _INLINE_ACTIONS):
        raise bad_request("text buttons are unallowed in the inline keyboard")
    return {key: button[key] for key in _INLINE_KEYS if button.get(key) is not None}


def _rows(value: Any, field: str, kind: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise bad_request(f'field "{field}" of the {kind} should be an Array of Arrays')
    if sum(len(row) for row in value) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return value


def _reply_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    return {key: value for key, value in button.items() if value is not None}


def parse_reply_markup(value: Any) -> dict[str, Any] | None:
    """Validate ``reply_markup`` and return its normalised form (``None`` when absent)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in value:
        rows = _rows(value["inline_keyboard"], "inline_keyboard", "InlineKeyboardMarkup")
        return {"inline_keyboard": [[_inline_button(b) for b in row] for row in rows]}
    if "keyboard" in value:
        rows = _rows(value["keyboard"], "keyboard", "ReplyKeyboardMarkup")
        markup = {k: v for k, v in value.items() if k != "keyboard" and v is not None}
        markup["keyboard"] = [[_reply_button(b) for b in row] for row in rows]
        return markup
    if value.get("remove_keyboard"):
        return {k: v for k, v in value.items() if v is not None}
    if value.get("force_reply"):
        return {k: v for k, v in value.items() if v is not None}
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """For edits: only an inline keyboard (or nothing) is allowed."""
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    if markup is not None and not markup["inline_keyboard"]:
        return None  # an empty inline keyboard removes the keyboard
    return markup
