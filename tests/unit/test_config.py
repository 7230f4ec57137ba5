"""Config: defaults + one site file; a wrong file names the file, the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.errors import KioskError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    config = load_config()
    assert config.kiosk.language == "fr"
    assert config.kiosk.inactivity_seconds == 45


def test_site_file_overrides_some_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[kiosk]\nname = "MJC des Hauts"\ninactivity_seconds = 60\n'
        f'data_dir = "{tmp_path}"\n[site]\nid = "mjc-hauts"\nname = "MJC"\n'
        f'[security]\ncard_key = "{"ab" * 32}"\n',
    )
    config = load_config(path)
    assert config.kiosk.name == "MJC des Hauts"
    assert config.kiosk.inactivity_seconds == 60
    assert config.kiosk.language == "fr"  # untouched default
    assert config.database_path == tmp_path / "kiosk.sqlite3"
    assert config.card_key_bytes() == bytes.fromhex("ab" * 32)
    assert config.source == str(path)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[kiosk]\ninactivity_seconds = "45"\n', "kiosk.inactivity_seconds", "nombre entier"),
        ("[kiosk]\ninactivity_seconds = 2\n", "kiosk.inactivity_seconds", "entre 10 et 3600"),
        ('[kiosk]\nlangage = "fr"\n', "kiosk.langage", "clé inconnue"),
        ('[kiosk]\nlanguage = "de"\n', "kiosk.language", "fr, en"),
        ('[kiosk]\ntimezone = "Mars/Olympus"\n', "kiosk.timezone", "fuseau horaire"),
        ('[site]\nid = "Salle des fêtes"\n', "site.id", "minuscules"),
        ('[security]\ncard_key = "1234"\n', "security.card_key", "64 caractères"),
        ("[kiosk]\ninactivity_seconds = true\n", "kiosk.inactivity_seconds", "nombre entier"),
        ('[imprimante]\nmodele = "x"\n', "imprimante", "sections connues"),
        ('kiosk = "x"\n', "kiosk", "section"),
        ('[printer]\nkind = "laser"\n', "printer.kind", "network"),
        ('[printer]\nkind = "network"\n', "printer.host", "adresse"),
        ("[printer]\npaper_mm = 57\n", "printer.paper_mm", "58 ou 80"),
        ('[scanner]\nlayout = "de"\n', "scanner.layout", "AZERTY"),
        ('[hub]\nurl = "ftp://hub"\n', "hub.url", "https://"),
        ('[nfc]\nenabled = "oui"\n', "nfc.enabled", "true ou false"),
    ],
)
def test_wrong_values_name_file_key_and_expectation(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(KioskError) as refused:
        load_config(path)
    message = refused.value.text()
    assert str(path) in message
    assert f"« {key} »" in message
    assert expected in message
    assert "ne démarre pas à moitié configurée" in message


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[kiosk\nname = 1\n")
    with pytest.raises(KioskError) as refused:
        load_config(path)
    assert str(path) in refused.value.text() and "syntaxe TOML" in refused.value.text()


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(KioskError) as missing:
        load_config(tmp_path / "nope.toml")
    assert missing.value.code == "config.missing"
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(KioskError) as unreadable:
        load_config(binary)
    assert unreadable.value.code == "config.invalid"
