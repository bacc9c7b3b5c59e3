"""Translations: every user-visible text comes from the gettext catalogs (Babel), by key.

The catalogs are the `.po` files under `bot/locales`; they are compiled in memory at start-up, so
there is no build step and no binary file to keep in step with its source. Keys are symbolic
(`registration.ask_phone`), so the English catalog is a translation like any other and a missing
key shows up as a failing test, not as a key leaking into a chat.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("en", "zh_Hans")
LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文"}
BABEL_LOCALES = {"en": "en", "zh_Hans": "zh_Hans_CN"}
DOMAIN = "messages"


def po_path(language: str) -> resources.abc.Traversable:
    return resources.files("bot") / "locales" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The compiled catalog of one language (cached for the life of the process)."""
    with po_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translate(language: str, key: str, count: int | None = None) -> str:
    """The template for `key`; with `count`, the plural form that fits it."""
    catalog = translations(language if language in LANGUAGES else LANGUAGES[0])
    if count is not None:
        return catalog.ngettext(key, f"{key}.plural", count)
    return catalog.gettext(key)


def babel_locale(language: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(language, "en"))


def language_from_code(code: str | None) -> str | None:
    """Map Telegram's IETF language_code to a catalog we have, or None."""
    if not code:
        return None
    code = code.lower()
    if code.startswith("zh"):
        return "zh_Hans"
    if code.startswith("en"):
        return "en"
    return None
