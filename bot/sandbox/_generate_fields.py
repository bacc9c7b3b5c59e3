"""Generate ``bot_api_fields.json``, the sandbox's compact copy of the Bot API parameter types.

The sandbox must coerce form fields to the types Telegram expects and reject methods Telegram
does not know, but the full machine-readable spec (about 1 MB) is not shipped with the package.
This script reads that spec once, at development time, and keeps only what the sandbox needs:
for every method, each parameter's kind and whether it is required.

Usage::

    python -m bot.sandbox._generate_fields PATH/TO/api.json [OUTPUT.json]

Kinds: ``int``, ``float``, ``bool``, ``str``, ``int|str`` (chat ids), ``file`` (an upload),
``file|str`` (an upload, ``attach://name``, a file_id or a URL) and ``json`` (an object or an
array, JSON-encoded in form fields). A trailing ``!`` marks a required parameter.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("bot_api_fields.json")

_SCALARS = {
    ("Integer",): "int",
    ("Float",): "float",
    ("Float number",): "float",
    ("Boolean",): "bool",
    ("True",): "bool",
    ("String",): "str",
    ("Integer", "String"): "int|str",
    ("InputFile",): "file",
    ("InputFile", "String"): "file|str",
}


def field_kind(types: list[str]) -> str:
    """Map a spec field's list of type names to one of the sandbox's coercion kinds."""
    return _SCALARS.get(tuple(types), "json")


def compact(spec: dict[str, Any]) -> dict[str, Any]:
    """Reduce the full spec to ``{"bot_api_version", "methods": {name: {field: kind}}}``."""
    methods: dict[str, dict[str, str]] = {}
    for name in sorted(spec["methods"]):
        fields: dict[str, str] = {}
        for field in spec["methods"][name].get("fields", []):
            kind = field_kind(field["types"])
            fields[field["name"]] = kind + ("!" if field.get("required") else "")
        methods[name] = fields
    return {"bot_api_version": spec.get("version", ""), "methods": methods}


def render(data: dict[str, Any]) -> str:
    """Serialise with one method per line, so regenerating gives readable diffs."""
    lines = [
        "{",
        f'"bot_api_version": {json.dumps(data["bot_api_version"])},',
        '"methods": {',
    ]
    items = list(data["methods"].items())
    for index, (name, fields) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        body = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        lines.append(f"{json.dumps(name)}:{body}{comma}")
    lines += ["}", "}", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Command-line entry point: ``SPEC [OUTPUT]``."""
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    output = Path(argv[1]) if len(argv) == 2 else OUTPUT
    output.write_text(render(compact(spec)), encoding="utf-8")
    print(f"wrote {output} ({len(spec['methods'])} methods)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
