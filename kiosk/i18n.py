"""Translations: French message ids (the kiosk speaks French first), English from `assets/locales`.

The catalogues are plain gettext `.po` files read directly, so a change to a translation needs no build step.
A language's catalogue is the union of every `.po` file in its `LC_MESSAGES` folder (`kiosk.po` for the core,
one file per group of screens), so that parts of the kiosk built side by side never edit the same file.
Switching the language is immediate: every `_()` call reads the active catalogue.
"""

from __future__ import annotations

import ast
import threading
from pathlib import Path

from kiosk.paths import assets_dir

LANGUAGES = ("fr", "en")
SOURCE_LANGUAGE = "fr"

_lock = threading.Lock()
_catalogues: dict[str, dict[str, str]] = {}
_active = SOURCE_LANGUAGE


def parse_po(text: str) -> dict[str, str]:
    """Read msgid → msgstr pairs from the text of a .po file (no plural forms, no contexts)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                entries[key] = value

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    flush()
    return entries


def catalogue_path(language: str) -> Path:
    """The core's own file; `catalogue_files` lists them all."""
    return assets_dir() / "locales" / language / "LC_MESSAGES" / "kiosk.po"


def catalogue_files(language: str) -> list[Path]:
    return sorted((assets_dir() / "locales" / language / "LC_MESSAGES").glob("*.po"))


def load_catalogue(language: str) -> dict[str, str]:
    """msgid → msgstr over every .po file of `language`."""
    entries: dict[str, str] = {}
    for path in catalogue_files(language):
        entries.update(parse_po(path.read_text(encoding="utf-8")))
    return entries


def _catalogue(language: str) -> dict[str, str]:
    with _lock:
        if language not in _catalogues:
            _catalogues[language] = load_catalogue(language)
        return _catalogues[language]


def set_language(language: str) -> None:
    global _active
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    _active = language


def active_language() -> str:
    return _active


def gettext(message: str, language: str | None = None) -> str:
    lang = language or _active
    if lang == SOURCE_LANGUAGE:
        return message
    return _catalogue(lang).get(message, message)


_ = gettext


def N_(message: str) -> str:
    """Mark a message for translation without translating it now (it is translated where shown)."""
    return message
