"""The README shows every ticket lifecycle exactly as the tables declare it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.features import build_features
from handlers.config import example_config_text, load_estate_config_text

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_diagrams_are_the_lifecycle_tables():
    shown = re.findall(r"```mermaid\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S)
    lifecycles = build_features(load_estate_config_text(example_config_text())).lifecycles
    assert sorted(shown) == sorted(lifecycle.mermaid() for lifecycle in lifecycles.values())
