"""`kiosk staff add` / `kiosk staff pin` through the real command line, on a real store in a temporary
folder: the first librarian of a new kiosk gets a card and a PIN that open the librarian's space; a
forgotten PIN is replaced. The card is given with --uid (what `kiosk tap` prints): reading it from the
reader goes through the same PC/SC monitor as `kiosk tap`, tested with the vpcd card emulator in
tests/integration/nfc."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.domain import Identified
from kiosk.services import open_services

UID = "04A1B2C3D4E5F6"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return path


def run(site: Path, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["staff", *args, "--config", str(site)])


def test_the_first_librarian_gets_a_card_and_a_pin(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site, monkeypatch, "add", "Sandrine", "--uid", UID, "--pin-stdin", stdin="2468\n") == 0
    out = capsys.readouterr().out
    assert "Membre créé : Sandrine (bibliothécaire)" in out and "Carte enrôlée" in out

    services = open_services(load_config(site))
    try:
        card = services.cards.read(bytes.fromhex(UID))
        identification = services.cards.identify(card)
        assert identification.outcome is Identified.MEMBER
        member = identification.member
        assert member is not None and member.pseudonym == "Sandrine"
        assert services.admin.is_librarian(member)
        assert services.admin.check_pin(member.id, "2468").ok
    finally:
        services.close()

    # a forgotten PIN: a new one, and the old one no longer opens anything
    assert run(site, monkeypatch, "pin", "Sandrine", "--pin-stdin", stdin="97531\n") == 0
    services = open_services(load_config(site))
    try:
        member_id = services.members.find("Sandrine")[0].id
        assert services.admin.check_pin(member_id, "97531").ok
        assert not services.admin.check_pin(member_id, "2468").ok
    finally:
        services.close()


def test_what_is_refused_changes_nothing(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a PIN that is not 4 to 8 digits: nobody is enrolled
    assert run(site, monkeypatch, "add", "Karim", "--uid", UID, "--pin-stdin", stdin="12\n") == 1
    assert "4 à 8 chiffres" in capsys.readouterr().err
    # a UID that is not hexadecimal
    assert run(site, monkeypatch, "add", "Karim", "--uid", "zz", "--pin-stdin", stdin="2468\n") == 1
    assert "hexadécimal" in capsys.readouterr().err
    # a PIN for someone who does not exist
    assert run(site, monkeypatch, "pin", "Personne", "--pin-stdin", stdin="2468\n") == 1
    assert "Aucun membre" in capsys.readouterr().err
    services = open_services(load_config(site))
    try:
        card = services.cards.read(bytes.fromhex(UID))
        assert services.cards.identify(card).outcome is Identified.UNKNOWN
    finally:
        services.close()
