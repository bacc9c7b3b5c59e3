"""Process settings from ESTATE_* variables, a .env file and keyword overrides."""

import logging
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ESTATE_* variables and an empty working directory (so no stray .env is read)."""
    for name in list(os.environ):
        if name.startswith("ESTATE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_need_no_environment() -> None:
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.telegram_api == "https://api.telegram.org"
    assert settings.data_dir == Path("data")
    assert settings.database_url is None
    assert settings.config is None
    assert settings.log_level == "INFO"
    assert settings.webhook_secret is None


def test_environment_variables_use_the_estate_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTATE_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("ESTATE_DATA_DIR", "/srv/estate")
    monkeypatch.setenv("ESTATE_CONFIG", "/etc/estate.toml")
    monkeypatch.setenv("ESTATE_LOG_LEVEL", "debug")
    monkeypatch.setenv("ESTATE_WEBHOOK_SECRET", "s3cret")
    settings = load_settings()
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "123:abc"
    assert settings.data_dir == Path("/srv/estate")
    assert settings.config == Path("/etc/estate.toml")
    assert settings.log_level == "DEBUG"
    assert settings.log_level_number == logging.DEBUG
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == "s3cret"


def test_dotenv_file_in_the_working_directory_is_read(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text(
        "ESTATE_BOT_TOKEN=from-dotenv\nESTATE_LOG_LEVEL=WARNING\n", encoding="utf-8"
    )
    settings = load_settings()
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "from-dotenv"
    assert settings.log_level == "WARNING"


def test_environment_wins_over_dotenv(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text("ESTATE_LOG_LEVEL=WARNING\n", encoding="utf-8")
    monkeypatch.setenv("ESTATE_LOG_LEVEL", "ERROR")
    assert load_settings().log_level == "ERROR"


def test_dotenv_can_be_skipped(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text("ESTATE_LOG_LEVEL=WARNING\n", encoding="utf-8")
    assert load_settings(_env_file=None).log_level == "INFO"


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTATE_LOG_LEVEL", "ERROR")
    monkeypatch.setenv("ESTATE_DATABASE_URL", "postgres://db/estate")
    settings = load_settings(log_level="debug", database_url=None)
    assert settings.log_level == "DEBUG"
    assert settings.database_url is None


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTATE_DATABASE_URL", "")
    monkeypatch.setenv("ESTATE_BOT_TOKEN", "")
    settings = load_settings()
    assert settings.database_url is None
    assert settings.bot_token is None


def test_secrets_are_hidden_in_repr() -> None:
    settings = load_settings(bot_token="123:abc", webhook_secret="s3cret")
    assert "123:abc" not in repr(settings)
    assert "s3cret" not in repr(settings)


def test_telegram_api_trailing_slash_is_stripped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTATE_TELEGRAM_API", "http://localhost:8081/")
    assert load_settings().telegram_api == "http://localhost:8081"


def test_telegram_api_must_be_an_http_url() -> None:
    with pytest.raises(ValidationError, match="telegram_api"):
        load_settings(telegram_api="api.telegram.org")


def test_api_and_file_urls_follow_the_bot_api_layout() -> None:
    settings = load_settings(bot_token="123:abc", telegram_api="http://localhost:8081/")
    assert settings.api_url("getMe") == "http://localhost:8081/bot123:abc/getMe"
    assert settings.file_url("photos/file_1.jpg") == (
        "http://localhost:8081/file/bot123:abc/photos/file_1.jpg"
    )


def test_urls_need_a_token() -> None:
    with pytest.raises(RuntimeError, match="ESTATE_BOT_TOKEN"):
        load_settings().api_url("getMe")


def test_database_defaults_to_sqlite_in_the_data_dir() -> None:
    assert load_settings().resolved_database_url == "sqlite+aiosqlite:///data/estate-bot.sqlite3"
    assert load_settings(data_dir="/var/lib/estate").resolved_database_url == (
        "sqlite+aiosqlite:////var/lib/estate/estate-bot.sqlite3"
    )


@pytest.mark.parametrize(
    ("url", "resolved"),
    [
        ("postgresql://u:p@db:5432/estate", "postgresql+asyncpg://u:p@db:5432/estate"),
        ("postgres://u:p@db/estate", "postgresql+asyncpg://u:p@db/estate"),
        ("postgresql+asyncpg://u@db/estate", "postgresql+asyncpg://u@db/estate"),
        ("sqlite:///data/x.sqlite3", "sqlite+aiosqlite:///data/x.sqlite3"),
        ("sqlite:////abs/x.sqlite3", "sqlite+aiosqlite:////abs/x.sqlite3"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_database_urls_are_rewritten_to_async_drivers(url: str, resolved: str) -> None:
    assert load_settings(database_url=url).resolved_database_url == resolved


@pytest.mark.parametrize("url", ["mysql://db/estate", "postgresql+psycopg2://db/estate", "db"])
def test_unsupported_database_urls_are_rejected(url: str) -> None:
    with pytest.raises(ValidationError, match="must start with postgresql://"):
        load_settings(database_url=url)


def test_unknown_log_level_is_rejected() -> None:
    with pytest.raises(ValidationError, match="must be one of DEBUG, INFO, WARNING"):
        load_settings(log_level="loud")


def test_settings_class_can_be_built_directly() -> None:
    assert isinstance(Settings(_env_file=None), Settings)  # type: ignore[call-arg]
