"""Reading Bot API requests: every encoding bots use, coerced to the types the spec declares.

Telegram accepts parameters in the query string, as a JSON body, as
``application/x-www-form-urlencoded`` or as ``multipart/form-data`` (files), with objects and
arrays JSON-encoded inside form fields. python-telegram-bot and aiogram each use a different mix,
so this module flattens all of them into one ``Params`` and converts each value the way Telegram's
server does (``"true"``/``"1"`` are true, integers are read leniently, JSON fields are decoded).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import ApiError, bad_request
from .spec import MethodSpec


@dataclass
class Upload:
    """One uploaded file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"<Upload {self.field}={self.filename!r} {len(self.data)} bytes>"


@dataclass
class Params:
    """A request's parameters after coercion, plus the uploaded files by part name."""

    values: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name``, or ``default`` when absent."""
        value = self.values.get(name)
        return default if value is None else value

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def file(self, name: str) -> Upload | str | None:
        """A file parameter: the upload (direct or ``attach://``), or a file_id/URL string."""
        value = self.values.get(name)
        if isinstance(value, Upload):
            return value
        if isinstance(value, str):
            return self.resolve(value)
        return None

    def resolve(self, value: str) -> Upload | str:
        """Resolve ``attach://<part>`` to its upload; anything else is returned unchanged."""
        if value.startswith("attach://"):
            part = self.uploads.get(value[len("attach://") :])
            if part is None:
                raise bad_request("wrong remote file identifier specified: can't unserialize it")
            return part
        return value


async def read_request(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Collect raw values (strings or JSON values) and uploads from any supported encoding."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.can_read_body:
        return values, uploads
    content_type = request.content_type
    if content_type == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise bad_request("can't parse JSON encoded request") from exc
            if not isinstance(body, dict):
                raise bad_request("JSON object expected as request body")
            values.update(body)
    elif content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:  # pragma: no cover
                continue
            if part.filename is not None:
                data = await part.read(decode=False)
                upload = Upload(
                    part.name, part.filename, part.headers.get("Content-Type"), bytes(data)
                )
                uploads[part.name] = upload
                values[part.name] = upload
            else:
                values[part.name] = await part.text()
    else:
        post = await request.post()
        for key, value in post.items():
            values[key] = value if isinstance(value, str) else str(value)
    return values, uploads


_LEADING_INT = re.compile(r"\s*([+-]?\d+)")
_CHAT_ID = re.compile(r"-?\d+")

#: Telegram's wording when a required parameter is missing, where it is not the generic one.
_MISSING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
    "message_id": "message identifier is not specified",
    "callback_query_id": "query is too old and response timeout expired or query ID is invalid",
    "file_id": "invalid file_id",
}


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    match = _LEADING_INT.match(str(value))
    return int(match.group(1)) if match else 0


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return 0.0


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    return text == "true" or (text.lstrip("+-").isdigit() and int(text) != 0)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _to_json(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        what = "reply keyboard markup" if name == "reply_markup" else name
        raise bad_request(f"can't parse {what} JSON object") from exc


def coerce_value(name: str, kind: str, value: Any) -> Any:
    """Convert one raw value to the kind the spec gives for it."""
    if isinstance(value, Upload):
        return value if kind.startswith("file") else None
    if kind == "int":
        return _to_int(value)
    if kind == "float":
        return _to_float(value)
    if kind == "bool":
        return _to_bool(value)
    if kind in ("str", "file|str", "file"):
        return _to_str(value)
    if kind == "int|str":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float)):
            return int(value)
        text = _to_str(value).strip()
        return int(text) if _CHAT_ID.fullmatch(text) else text
    return _to_json(name, value)


def coerce(method: MethodSpec, values: dict[str, Any], uploads: dict[str, Upload]) -> Params:
    """Coerce every known parameter and check the required ones, in the spec's order."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = method.fields.get(name)
        out[name] = value if spec is None else coerce_value(name, spec.kind, value)
    for spec in method.fields.values():
        if spec.required and out.get(spec.name) is None:
            reason = _MISSING.get(spec.name, f'parameter "{spec.name}" is required')
            raise ApiError(400, f"Bad Request: {reason}")
    return Params(out, uploads)
