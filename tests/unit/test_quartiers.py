"""The quartiers offered at sign-up: the shipped list, the site's quartier first, « Autre quartier » last."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.config import Config, load_config
from kiosk.quartiers import OTHER_QUARTIER, load_quartiers
from kiosk.text import fold


def site_config(tmp_path: Path, quartier: str) -> Config:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[site]\nname = "MJC"\nquartier = "{quartier}"\n', encoding="utf-8")
    return load_config(path)


def test_the_shipped_list(config: Config) -> None:
    quartiers = load_quartiers(config)
    assert config.site.quartier == ""
    assert quartiers[0] == "Centre-ville" and quartiers[-1] == OTHER_QUARTIER == "Autre quartier"
    assert {"Franc-Moisin", "Pleyel", "La Plaine", "Floréal"} <= set(quartiers)
    assert len({fold(name) for name in quartiers}) == len(quartiers) >= 10
    assert all(name == name.strip() and 2 <= len(name) <= 60 for name in quartiers)  # what sign-up accepts


def test_the_site_quartier_comes_first(tmp_path: Path) -> None:
    quartiers = load_quartiers(site_config(tmp_path, "Les Hauts"))
    assert quartiers[:2] == ["Les Hauts", "Centre-ville"] and quartiers[-1] == OTHER_QUARTIER


def test_the_site_quartier_is_listed_once_as_the_config_spells_it(tmp_path: Path, config: Config) -> None:
    shipped = load_quartiers(config)
    quartiers = load_quartiers(site_config(tmp_path, "  pleyel "))
    assert quartiers[0] == "pleyel"
    assert [fold(name) for name in quartiers].count("pleyel") == 1
    assert len(quartiers) == len(shipped)


def test_a_list_of_its_own(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "quartiers.toml"
    path.write_text('quartiers = ["Les Hauts", "Centre-Gare", "les hauts", "Autre quartier"]\n')
    assert load_quartiers(config, path) == ["Les Hauts", "Centre-Gare", OTHER_QUARTIER]
    path.write_text('quartiers = "Les Hauts"\n')
    with pytest.raises(ValueError, match="quartiers"):
        load_quartiers(config, path)


def test_other_quartier_is_shown_in_english() -> None:
    assert i18n.gettext(OTHER_QUARTIER, "en") == "Another neighbourhood"
    assert i18n.gettext(OTHER_QUARTIER, "fr") == "Autre quartier"
