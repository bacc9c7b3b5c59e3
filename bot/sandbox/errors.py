"""Errors of the sandbox: Telegram-shaped API errors and errors of the test-facing API.

``ApiError`` is raised anywhere inside a Bot API method and turned by the HTTP layer into exactly
the answer Telegram gives (status code and ``{"ok": false, "error_code", "description"}`` body),
so method code reads like the checks Telegram makes. ``SandboxError`` is for the test author:
a button that does not exist, a wait that timed out.
"""

from __future__ import annotations

from typing import Any

PATIENCE = 30.0
"""Seconds a test waits by default for what it expects from the bot. Only a failing wait lasts
that long; a slow, loaded machine (two test workers on two cores) must not fail a test that
would pass on an idle one. A test expecting nothing names its own short timeout."""

_PREFIXES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A Bot API failure, answered to the bot as Telegram would answer it."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def default_description(status: int, retry_after: int | None = None) -> str:
    """Telegram's description for a bare status code (``429`` includes the wait)."""
    if status == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    return _PREFIXES.get(status, "Internal Server Error")


def bad_request(reason: str) -> ApiError:
    """``400 Bad Request: <reason>``."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """``403 Forbidden: <reason>``."""
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """``429 Too Many Requests: retry after N`` with ``parameters.retry_after``."""
    return ApiError(429, default_description(429, retry_after), retry_after=retry_after)


def not_modified() -> ApiError:
    """Telegram's answer to an edit that changes nothing."""
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


def query_too_old() -> ApiError:
    """Telegram's answer for an unknown, answered or expired callback query."""
    return bad_request("query is too old and response timeout expired or query ID is invalid")


class SandboxError(Exception):
    """A test drove the sandbox wrongly: no such button, nothing to tap, bad argument."""


class SandboxTimeoutError(SandboxError, TimeoutError):
    """A sandbox wait (for a message, an answer, a condition) ran out of time."""
