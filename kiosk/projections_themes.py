"""A collective's own themes (issue 4): `theme.added`, made by the hub (`kiosk-hub theme add`, hub/themes.py).

The theme joins the shipped catalogue's in the `themes` table, so listings, workshops and exchanges may name
it and a search finds them by its labels. Its `collective_id` marks it as the collective's: a reload of a
newer catalogue (kiosk/services/__init__.py) replaces only the catalogue's rows, never this one.
"""

from __future__ import annotations

import sqlite3

from kiosk.journal import Event
from kiosk.projections import projects


@projects("theme.added")
def _theme_added(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    # Over a catalogue row of the same id (the hub refuses its own catalogue's ids, but a kiosk's catalogue
    # may be newer): the collective named it, its labels are the ones this collective's members know.
    conn.execute(
        "INSERT INTO themes (id, parent_id, label_fr, label_en, collective_id) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, label_fr = excluded.label_fr,"
        " label_en = excluded.label_en, collective_id = excluded.collective_id",
        (p["theme_id"], p["parent_id"], p["label_fr"], p["label_en"], p["collective_id"]),
    )
