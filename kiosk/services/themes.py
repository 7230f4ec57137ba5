"""The themes members choose from and read, as the `themes` table holds them (issue 4).

The table holds the shipped catalogue (assets/themes.toml, loaded at start) and the collective's own themes,
which a pull may add while the app runs (kiosk/projections_themes.py): the screens read the catalogue here
each time they are shown, never the shipped file. The table keeps no order, so the shipped themes come in
the shipped file's order, then the others in the order they were added, each sub-theme right after its
parent. A few hundred rows at most: reading them is cheap.
"""

from __future__ import annotations

from kiosk.services.context import Context
from kiosk.themes import Catalogue, Theme


class Themes:
    def __init__(self, ctx: Context, shipped: Catalogue) -> None:
        self.ctx = ctx
        self._shipped_order = {theme.id: n for n, theme in enumerate(shipped.themes)}
        self._version = shipped.version

    def catalogue(self) -> Catalogue:
        rows = self.ctx.store.query("SELECT id, parent_id, label_fr, label_en FROM themes ORDER BY rowid")
        added_last = len(self._shipped_order)
        themes = sorted(
            (Theme(row["id"], row["parent_id"], row["label_fr"], row["label_en"]) for row in rows),
            key=lambda theme: self._shipped_order.get(theme.id, added_last),  # stable: added ones by rowid
        )
        children: dict[str, list[Theme]] = {}
        for theme in themes:
            if theme.parent_id is not None:
                children.setdefault(theme.parent_id, []).append(theme)
        ordered: list[Theme] = []
        for theme in themes:
            if theme.parent_id is None:
                ordered.append(theme)
                ordered.extend(children.pop(theme.id, ()))
        # A sub-theme whose parent this kiosk lacks (a newer hub's catalogue) still gets its label.
        ordered.extend(theme for orphans in children.values() for theme in orphans)
        return Catalogue(self._version, tuple(ordered))
