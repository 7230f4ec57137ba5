"""The librarian's settings: saved in <data_dir>/settings.toml, applied on top of the site file at each start,
invalid values refused with nothing changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.errors import KioskError
from kiosk.settings import KioskSettings, current_settings, save_settings


def site_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    data = tmp_path / "data"
    path.write_text(
        f'[kiosk]\ndata_dir = "{data}"\ninactivity_seconds = 60\n{extra}\n[site]\nname = "MJC des Hauts"\n',
        encoding="utf-8",
    )
    return path


def test_settings_round_trip_and_survive_a_restart(tmp_path: Path) -> None:
    path = site_file(tmp_path)
    config = load_config(path)
    before = current_settings(config)
    assert before == KioskSettings("MJC des Hauts", "fr", 60, False, "none", "")
    chosen = KioskSettings(
        site_name='  Marché "d’Aligre"  ',
        language="en",
        inactivity_s=90,
        larger_text=True,
        printer="simulated",
        scanner_device="/dev/input/by-id/usb-Scanner-event-kbd",
    )
    saved = save_settings(config, chosen)
    expected = replace(chosen, site_name='Marché "d’Aligre"')
    assert current_settings(saved) == expected
    assert saved.kiosk.larger_text and saved.printer.kind == "simulated"
    assert saved.printer.paper_mm == config.printer.paper_mm  # the rest of the config is untouched
    restarted = load_config(path)
    assert current_settings(restarted) == expected
    assert restarted.source == str(config.data_dir / "settings.toml")
    assert (
        path.read_text(encoding="utf-8").count("MJC des Hauts") == 1
    )  # the installer's file stays as it was
    assert not [p for p in config.data_dir.iterdir() if p.name != "settings.toml"]  # no scratch file left


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"site_name": "   "}, "settings.site_name"),
        ({"site_name": "x" * 61}, "settings.site_name"),
        ({"language": "de"}, "settings.language"),
        ({"inactivity_s": 5}, "settings.inactivity"),
        ({"inactivity_s": 3601}, "settings.inactivity"),
        ({"inactivity_s": True}, "settings.inactivity"),
        ({"printer": "laser"}, "settings.printer"),
        ({"printer": "network"}, "settings.printer_incomplete"),  # no host in the site file
        ({"scanner_device": "/etc/passwd"}, "settings.scanner"),
        ({"scanner_device": "/dev/input/a b"}, "settings.scanner"),
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(
    tmp_path: Path, change: dict[str, object], code: str
) -> None:
    config = load_config(site_file(tmp_path))
    bad = replace(current_settings(config), **change)  # type: ignore[arg-type]
    with pytest.raises(KioskError) as refused:
        save_settings(config, bad)
    assert refused.value.code == code
    assert "Rien n’a été changé" in refused.value.text("fr")
    assert "Nothing was changed" in refused.value.text("en")
    assert not (config.data_dir / "settings.toml").exists()
    assert current_settings(load_config(site_file(tmp_path))) == current_settings(config)


def test_a_network_printer_is_chosen_when_the_site_file_gives_its_address(tmp_path: Path) -> None:
    path = site_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + '\n[printer]\nhost = "192.0.2.10"\n', encoding="utf-8")
    config = load_config(path)
    saved = save_settings(config, replace(current_settings(config), printer="network"))
    assert load_config(path).printer == saved.printer
    assert saved.printer.kind == "network" and saved.printer.host == "192.0.2.10"


def test_a_settings_file_changed_by_hand_is_checked_like_the_config(tmp_path: Path) -> None:
    path = site_file(tmp_path)
    config = load_config(path)
    save_settings(config, current_settings(config))
    saved = config.data_dir / "settings.toml"
    saved.write_text(saved.read_text(encoding="utf-8") + '\n[security]\ncard_key = ""\n', encoding="utf-8")
    with pytest.raises(KioskError) as foreign_key:
        load_config(path)
    assert foreign_key.value.code == "config.invalid" and "security.card_key" in foreign_key.value.text("fr")
    saved.write_text("[kiosk]\ninactivity_seconds = 2\n", encoding="utf-8")
    with pytest.raises(KioskError) as out_of_range:
        load_config(path)
    assert str(saved) in out_of_range.value.text("fr")
