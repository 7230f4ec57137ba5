"""The librarian's home: big tiles (a pictogram and a word) to every librarian screen, and « Terminer ».

Reached from the PIN screen only (an admin session). The tiles are data (`TILES`): each names its route,
so a screen not installed yet answers with the shell's calm « pas encore disponible ». The grid scrolls
when the larger-text setting makes it taller than the screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import StringProperty

from kiosk.i18n import N_, _
from screens.admin_widgets import AdminScreen
from screens.widgets.buttons import BigButton

KV_FILE = str(Path(__file__).with_suffix(".kv"))
ICON_SIZE = 30
TILE_MIN_HEIGHT = 88

# (route, icon, French label): the cards and the moderation first, the kiosk's own care after.
TILES: tuple[tuple[str, str, str], ...] = (
    ("admin_enrol", "card", N_("Inscrire une carte")),
    ("admin_lost_card", "card-lost", N_("Carte perdue")),
    ("admin_listings", "flag", N_("Annonces (modération)")),
    ("admin_exchanges", "exchange", N_("Échanges (annuler)")),
    ("admin_erase", "trash", N_("Effacer un membre")),
    ("workshop_new", "calendar", N_("Ateliers")),
    ("checkin", "people", N_("Pointage d’atelier")),
    ("admin_draws", "star", N_("Tirages au sort")),
    ("admin_elections", "people", N_("Élections")),
    ("admin_sync", "sync", N_("État et synchro")),
    ("admin_pair", "link", N_("Appairer avec le hub")),
    ("admin_export", "export", N_("Exporter")),
    ("admin_settings", "gear", N_("Réglages")),
    ("admin_maintenance", "door", N_("Quitter le kiosque")),
)


class AdminTile(BigButton):
    """A big button with its pictogram above its word(s): four tiles a row leave no room beside."""

    route = StringProperty("")
    label = StringProperty("")  # the French message id, shown translated

    def _reserve_icon_space(self) -> None:
        self.icon_size = dp(ICON_SIZE) if self.icon_texture else 0
        self.padding = [0, self.icon_size + dp(4) if self.icon_texture else 0, 0, 0]

    def _place_icon(self, *_args: object) -> None:
        top = self.y + self.height / 2 + self.texture_size[1] / 2  # the texture's top: padding included
        self.icon_pos = [int(self.x + self.width / 2 - self.icon_size / 2), int(top - self.icon_size)]


class AdminHomeScreen(AdminScreen):
    librarian = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        grid = self.ids.tiles
        self._even_out = Clock.create_trigger(self._even_out_heights)
        for route, icon, label in TILES:
            tile = AdminTile(route=route, icon=icon, label=label, text=_(label))
            tile.bind(on_release=lambda button: self.open(button.route), texture_size=self._even_out)
            grid.add_widget(tile)

    def _even_out_heights(self, *_args: object) -> None:
        """Every tile as tall as the tallest: a one-line word beside two lines must not make a ragged row."""
        tiles = self.tiles()
        tallest = max((tile.texture_size[1] + dp(20) for tile in tiles), default=0)
        for tile in tiles:
            tile.height = max(dp(TILE_MIN_HEIGHT), tallest)

    def fill(self, **_params: Any) -> None:
        member = self.session.member
        self.librarian = member.pseudonym if member is not None else ""

    def wipe(self) -> None:
        self.librarian = ""

    def refresh_language(self) -> None:
        for tile in self.tiles():
            tile.text = _(tile.label)

    def tiles(self) -> list[AdminTile]:
        return [child for child in reversed(self.ids.tiles.children) if isinstance(child, AdminTile)]

    def tile_for(self, route: str) -> AdminTile:
        return next(tile for tile in self.tiles() if tile.route == route)

    def open(self, route: str) -> None:
        self.shell.go(route)

    def finish(self) -> None:
        self.shell.end_session()


if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)
