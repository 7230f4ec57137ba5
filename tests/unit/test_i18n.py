"""Every message has its English translation, placeholders survive translation, switching is immediate."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.errors import KioskError, codes

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from extract_messages import message_ids  # noqa: E402

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.fixture(autouse=True)
def back_to_french() -> Iterator[None]:
    yield
    i18n.set_language("fr")


def test_every_message_has_an_english_translation() -> None:
    english = i18n.load_catalogue("en")
    ids = {message for message, _, _ in message_ids()}
    assert len(ids) > 40
    missing = sorted(ids - english.keys())
    assert missing == [], f"add to a .po file of assets/locales/en/LC_MESSAGES: {missing}"
    for message in ids:
        assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(english[message])), message


def test_switching_language_is_immediate() -> None:
    error = KioskError(codes.CARD_REVOKED)
    assert error.text().startswith("Cette carte a été désactivée.")
    i18n.set_language("en")
    assert error.text().startswith("This card has been deactivated.")
    assert error.text(language="fr").startswith("Cette carte")


def test_error_text_fills_placeholders_and_says_what_next() -> None:
    error = KioskError(codes.CARD_ALREADY_ENROLLED, pseudonym="Karim")
    assert error.text() == "Cette carte est déjà attribuée à Karim. Prenez une carte neuve."
    assert error.code == "card.already_enrolled"


def test_parse_po_handles_multiline_and_escapes() -> None:
    text = (
        'msgid ""\nmsgstr "header"\n\nmsgid "a"\n"b\\"c"\nmsgstr "x"\n"y"\n'
        '\n# comment\nmsgid "z"\nmsgstr ""\n'
    )
    assert i18n.parse_po(text) == {'ab"c': "xy"}


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        i18n.set_language("de")
