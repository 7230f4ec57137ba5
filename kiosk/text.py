"""Pure text helpers: folding for comparisons and search (accents and case never matter)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)


def clean(text: str) -> str:
    """Trim and collapse inner whitespace; drop control characters."""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in " \t\n")
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """'  Éloïse  ' → 'eloise': the key used for unique pseudonyms and loose matching."""
    decomposed = unicodedata.normalize("NFKD", clean(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))
