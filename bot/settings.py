"""Process settings: secrets and deployment paths, read from `ESTATE_*` variables and `.env`.

These say how this process runs (bot token, Bot API server, database, where the estate config
lives); what the estate does (staff, departments, SLAs) lives in the estate config file, see
`handlers.config`. Keeping the two apart means a config file can be shared or committed without
leaking the token.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_TELEGRAM_API", "Settings", "load_settings"]

DEFAULT_TELEGRAM_API = "https://api.telegram.org"
SQLITE_FILE_NAME = "estate-bot.sqlite3"

# Accepted database URL prefixes and the async driver URL each one becomes.
_DATABASE_SCHEMES: tuple[tuple[str, str], ...] = (
    ("postgresql+asyncpg://", "postgresql+asyncpg://"),
    ("postgresql://", "postgresql+asyncpg://"),
    ("postgres://", "postgresql+asyncpg://"),
    ("sqlite+aiosqlite://", "sqlite+aiosqlite://"),
    ("sqlite://", "sqlite+aiosqlite://"),
)
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """Settings for one bot process; every field is `ESTATE_<FIELD NAME>` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="ESTATE_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    bot_token: SecretStr | None = None
    telegram_api: str = DEFAULT_TELEGRAM_API
    data_dir: Path = Path("./data")
    database_url: str | None = None
    config: Path | None = None
    log_level: str = "INFO"
    webhook_secret: SecretStr | None = None
    # Which library talks to Telegram: python-telegram-bot ("ptb") or aiogram; the desk is the same.
    engine: Literal["ptb", "aiogram"] = "ptb"
    # Seconds after which a message claimed by a sender that died is sent again (at-least-once).
    outbox_claim_timeout: float = 30.0
    # Messages one private chat may get back to back before the sender keeps to Telegram's one a
    # second there. A person reads between answers, so the bucket refills; the end-to-end tests'
    # people answer at once, and raise it so their replies are not paced (the limits' own tests
    # keep it).
    outbox_private_burst: float = Field(default=20.0, ge=1)

    @field_validator("telegram_api")
    @classmethod
    def _check_telegram_api(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(
                f"must be an http(s) URL such as {DEFAULT_TELEGRAM_API!r} (got {value!r})"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value.startswith(tuple(prefix for prefix, _ in _DATABASE_SCHEMES)):
            scheme = value.split("://", 1)[0] if "://" in value else value
            raise ValueError(
                "must start with postgresql://, postgres://, postgresql+asyncpg://, sqlite:/// "
                f"or sqlite+aiosqlite:/// (got {scheme!r})"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)} (got {value!r})")
        return level

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy async URL: the configured one with an async driver, or SQLite."""
        if self.database_url is None:
            return f"sqlite+aiosqlite:///{self.data_dir.as_posix()}/{SQLITE_FILE_NAME}"
        for prefix, replacement in _DATABASE_SCHEMES:
            if self.database_url.startswith(prefix):
                return replacement + self.database_url[len(prefix) :]
        raise AssertionError("database_url was validated")  # pragma: no cover

    @property
    def log_level_number(self) -> int:
        """`log_level` as a `logging` constant, e.g. `logging.INFO`."""
        return logging.getLevelName(self.log_level)

    def api_url(self, method: str) -> str:
        """The Bot API URL for `method`, e.g. `.../bot<token>/getMe`."""
        return f"{self.telegram_api}/bot{self._token()}/{method}"

    def file_url(self, file_path: str) -> str:
        """The download URL for a `file_path` returned by `getFile`."""
        return f"{self.telegram_api}/file/bot{self._token()}/{file_path.lstrip('/')}"

    def _token(self) -> str:
        if self.bot_token is None:
            raise RuntimeError("ESTATE_BOT_TOKEN is not set")
        return self.bot_token.get_secret_value()


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment and `.env`; keyword `overrides` win over both.

    `_env_file=None` (or another path) can be passed to skip or replace `.env`.
    """
    return Settings(**overrides)
