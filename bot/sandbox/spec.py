"""The Bot API's method names and parameter kinds, from the bundled ``bot_api_fields.json``.

Loaded once, lazily, on first use, so importing the sandbox costs nothing and no request ever
reads the file. The JSON is generated from the machine-readable Bot API spec by
``_generate_fields.py``; see that script for the meaning of each kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a Bot API method."""

    name: str
    kind: str
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method: its canonical name and its parameters by name."""

    name: str
    fields: dict[str, FieldSpec]


@dataclass(frozen=True)
class BotApiSpec:
    """All methods, looked up case-insensitively as Telegram does."""

    version: str
    methods: dict[str, MethodSpec]

    def method(self, name: str) -> MethodSpec | None:
        """The method called ``name`` in any letter case, or ``None`` if Telegram has none."""
        return self.methods.get(name.lower())


@cache
def load_spec() -> BotApiSpec:
    """Read ``bot_api_fields.json`` (once per process)."""
    text = resources.files(__package__).joinpath("bot_api_fields.json").read_text("utf-8")
    raw = json.loads(text)
    methods: dict[str, MethodSpec] = {}
    for name, fields in raw["methods"].items():
        specs = {
            field: FieldSpec(field, kind.rstrip("!"), kind.endswith("!"))
            for field, kind in fields.items()
        }
        methods[name.lower()] = MethodSpec(name, specs)
    return BotApiSpec(raw.get("bot_api_version", ""), methods)
