"""The fee types finance bills, by key; residents read their names from the catalogs
(`fee.type.<key>`), and an import accepts the key or an English or Chinese name."""

from __future__ import annotations

import re

FEE_TYPES: dict[str, tuple[str, ...]] = {
    "management": (
        "management",
        "management fee",
        "property fee",
        "物业费",
        "物业管理费",
        "管理费",
    ),
    "water": ("water", "water fee", "水费"),
    "power": ("power", "electricity", "power fee", "electricity fee", "电费"),
    "gas": ("gas", "gas fee", "燃气费", "煤气费", "天然气费"),
    "services": (
        "services",
        "paid services",
        "paid service",
        "service fee",
        "有偿服务",
        "有偿服务费",
    ),
}
"""Key -> the names an arrears file may use for it (compared without case and spaces)."""


def _name_key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).casefold()


_BY_NAME = {_name_key(name): key for key, names in FEE_TYPES.items() for name in names}


def fee_type_key(name: str) -> str | None:
    """The fee type a file's cell names, or None if it names none."""
    return _BY_NAME.get(_name_key(name))
