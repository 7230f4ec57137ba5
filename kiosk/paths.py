"""Where shipped files live, whether the project runs from a checkout or an installed tree."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def assets_dir() -> Path:
    """The `assets/` folder: beside the packages in a checkout, under `share/` once installed."""
    override = os.environ.get("KIOSK_ASSETS_DIR")
    candidates = [Path(override)] if override else []
    candidates += [
        _PACKAGE_DIR.parent / "assets",
        Path(sys.prefix) / "share" / "kiosque-des-savoirs" / "assets",
    ]
    for candidate in candidates:
        if (candidate / "themes.toml").is_file():
            return candidate
    return candidates[0]


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kiosque-des-savoirs"
