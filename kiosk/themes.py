"""The catalogue of themes shipped in `assets/themes.toml` (ids are stable, labels are translated)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from kiosk.paths import assets_dir


@dataclass(frozen=True)
class Theme:
    id: str
    parent_id: str | None
    label_fr: str
    label_en: str

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_fr

    @property
    def top_id(self) -> str:
        return self.parent_id or self.id


@dataclass(frozen=True)
class Catalogue:
    version: int
    themes: tuple[Theme, ...]

    def by_id(self) -> dict[str, Theme]:
        return {theme.id: theme for theme in self.themes}


def load_catalogue(path: Path | None = None) -> Catalogue:
    with (path or assets_dir() / "themes.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    themes: list[Theme] = []
    for top in raw["theme"]:
        themes.append(Theme(top["id"], None, top["fr"], top["en"]))
        for child_id, fr, en in top.get("children", []):
            if not child_id.startswith(top["id"] + "."):
                raise ValueError(f"sub-theme {child_id!r} must start with {top['id']!r}.")
            themes.append(Theme(child_id, top["id"], fr, en))
    return Catalogue(int(raw["version"]), tuple(themes))
