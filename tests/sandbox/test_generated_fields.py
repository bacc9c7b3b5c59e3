"""``bot_api_fields.json`` is what ``_generate_fields.py`` makes from the Bot API spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sandbox import _generate_fields
from bot.sandbox.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "telegram-bot-api" / "api.json"


def test_bundled_fields_cover_what_the_sandbox_uses() -> None:
    spec = load_spec()
    send = spec.method("SENDMESSAGE")
    assert send is not None
    assert send.name == "sendMessage"
    assert (send.fields["chat_id"].kind, send.fields["chat_id"].required) == ("int|str", True)
    assert send.fields["reply_markup"].kind == "json"
    assert spec.method("sendPhoto").fields["photo"].kind == "file|str"  # type: ignore[union-attr]
    assert spec.method("getUpdates").fields["timeout"].kind == "int"  # type: ignore[union-attr]
    assert spec.method("sendMessages") is None


def test_kinds() -> None:
    assert _generate_fields.field_kind(["Integer", "String"]) == "int|str"
    assert _generate_fields.field_kind(["InputFile", "String"]) == "file|str"
    assert _generate_fields.field_kind(["Array of MessageEntity"]) == "json"
    assert _generate_fields.field_kind(["Boolean"]) == "bool"


@pytest.mark.skipif(not SPEC.exists(), reason="the Bot API spec is not beside the repository")
def test_bundled_file_is_up_to_date(tmp_path: Path) -> None:
    output = tmp_path / "fields.json"
    assert _generate_fields.main([str(SPEC), str(output)]) == 0
    bundled = Path(_generate_fields.__file__).with_name("bot_api_fields.json")
    assert json.loads(output.read_text()) == json.loads(bundled.read_text())
