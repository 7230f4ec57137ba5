"""The themes the screens name and offer, as the kiosk's services last read them (issue 4).

The kiosk's `themes` table holds the shipped catalogue and the collective's own themes, which a pull may add
while the app runs (kiosk/services/themes.py). The shell reads it again at every screen it opens (`use`), so
every screen — `ThemeLabels()` without a catalogue of its own, Accueil's `theme_label` — names and offers the
same themes, a collective's new one included. The shipped file only until the shell first opened a screen
(a screen tested alone).
"""

from __future__ import annotations

from kiosk.themes import Catalogue, Theme, load_catalogue

_current: Catalogue | None = None
_by_id: tuple[Catalogue, dict[str, Theme]] | None = None


def use(catalogue: Catalogue) -> None:
    global _current
    _current = catalogue


def current() -> Catalogue:
    global _current
    if _current is None:
        _current = load_catalogue()
    return _current


def by_id() -> dict[str, Theme]:
    """`current().by_id()`, made once per catalogue read."""
    global _by_id
    catalogue = current()
    if _by_id is None or _by_id[0] is not catalogue:
        _by_id = (catalogue, catalogue.by_id())
    return _by_id[1]
