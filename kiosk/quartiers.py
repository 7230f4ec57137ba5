"""The quartiers a passer-by picks from at sign-up (`assets/quartiers.toml`): tapped, never typed, so one
place is always spelt one way and the collective's counts by quartier hold together."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kiosk.config import Config
from kiosk.i18n import N_
from kiosk.paths import assets_dir
from kiosk.text import clean, fold

# Always last, for people from elsewhere (stored as written here; shown through gettext).
OTHER_QUARTIER = N_("Autre quartier")


def quartiers_path() -> Path:
    return assets_dir() / "quartiers.toml"


def load_quartiers(config: Config, path: Path | None = None) -> list[str]:
    """The list to show: the site's own quartier first (when the config names one), the shipped ones in
    their order, « Autre quartier » last; each once, whatever its accents or case."""
    with (path or quartiers_path()).open("rb") as handle:
        listed = tomllib.load(handle).get("quartiers", [])
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        raise ValueError(f"{path or quartiers_path()}: `quartiers` must be a list of names")
    result: list[str] = []
    seen: set[str] = {fold(OTHER_QUARTIER)}
    for name in [config.site.quartier, *listed]:
        name, key = clean(name), fold(name)
        if name and key not in seen:
            seen.add(key)
            result.append(name)
    return [*result, OTHER_QUARTIER]
