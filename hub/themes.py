"""A collective's own themes (issue 4): `kiosk-hub theme add`, a hub-made `theme.added` event.

The shipped catalogue (assets/themes.toml) is every kiosk's; a collective may need a theme it lacks (a local
knowledge domain). The hub appends `theme.added` to the collective's hub sequence, the way it appends its
`network.*` events (hub/network_outbox.py: row lock, `last_seq`, `change_json`), so each kiosk of the
collective pulls it like any change and adds the theme to its `themes` table (kiosk/projections_themes.py).

Ids follow the catalogue's rule: a top theme is one word, a sub-theme is its parent's id, a dot and a word.
A theme id is added once per collective: its event id comes from (collective, theme id), so the hub finds an
earlier one by id, and a second `add` is refused rather than taken as a new label. A rename would be another
fact (every kiosk must apply renames in one order, and listings indexed under the old label re-indexed): not
made here. Keeping the first label also keeps `add` safe to run again in a script.
"""

from __future__ import annotations

import json
import re
from functools import cache

from sqlalchemy import Connection

from hub.db import Database
from hub.network_outbox import Outbox, fact_id
from hub.sql import Sql
from kiosk.themes import Theme, load_catalogue
from sync_client.protocol import HUB_MADE_REQUIRED_KEYS

EVENT = "theme.added"
_WORD = r"[a-z0-9][a-z0-9_-]*"
THEME_ID_PATTERN = re.compile(rf"^{_WORD}(\.{_WORD})?$")
THEME_ID_MAX = 64
LABEL_MAX = 80  # as a listing's title: what a theme chip can show


class ThemeError(ValueError):
    """A theme the hub refuses, said in French for the coordinator (`kiosk-hub` prints it, exit code 2)."""


@cache
def _catalogue() -> dict[str, Theme]:
    return load_catalogue().by_id()


def theme_event_id(collective_id: str, theme_id: str) -> str:
    return fact_id(EVENT, collective_id, theme_id)


def _check_id(theme_id: str, parent_id: str | None) -> None:
    if len(theme_id) > THEME_ID_MAX or not THEME_ID_PATTERN.match(theme_id):
        raise ThemeError(
            f"Identifiant de thème invalide : « {theme_id} ». Lettres minuscules sans accent, chiffres,"
            " - et _ ; un sous-thème s’écrit « theme.sous_theme »."
        )
    if parent_id is None and "." in theme_id:
        raise ThemeError(f"« {theme_id} » est un sous-thème : indiquez son thème parent (--parent).")
    if parent_id is not None and not theme_id.startswith(parent_id + "."):
        raise ThemeError(
            f"Le sous-thème « {theme_id} » doit commencer par l’identifiant de son parent suivi d’un point"
            f" : « {parent_id}. »."
        )


def _label(text: str, language: str) -> str:
    label = " ".join(text.split())
    if not 1 <= len(label) <= LABEL_MAX:
        raise ThemeError(f"Le libellé {language} du thème doit faire de 1 à {LABEL_MAX} caractères.")
    return label


def _added(sql: Sql, collective_id: str, theme_id: str) -> dict[str, str | None] | None:
    """The payload of the collective's `theme.added` for `theme_id`, if it was added."""
    found = sql.first("SELECT payload FROM events WHERE id = ?", (theme_event_id(collective_id, theme_id),))
    return json.loads(found[0]) if found else None


def add_theme(
    db: Database,
    collective_id: str,
    theme_id: str,
    label_fr: str,
    label_en: str,
    parent_id: str | None = None,
) -> str:
    """Add a theme to the collective's kiosks; the id of its `theme.added` event. ThemeError when refused."""
    _check_id(theme_id, parent_id)
    payload = {
        "theme_id": theme_id,
        "label_fr": _label(label_fr, "français"),
        "label_en": _label(label_en, "anglais"),
        "parent_id": parent_id,
        "collective_id": collective_id,
    }
    assert set(payload) == set(HUB_MADE_REQUIRED_KEYS[EVENT])
    shipped = _catalogue().get(theme_id)
    if shipped is not None:
        raise ThemeError(f"Le thème « {theme_id} » fait déjà partie du catalogue (« {shipped.label_fr} »).")

    def work(conn: Connection) -> str:
        sql = Sql(conn)
        # The collective's row, locked as a push's delivery locks it: two `add` of one id are one after the
        # other, and the second finds the first.
        locked = " FOR UPDATE" if sql.postgres else ""
        if sql.first("SELECT id FROM collectives WHERE id = ?" + locked, (collective_id,)) is None:
            raise ThemeError(f"Collectif inconnu : « {collective_id} ».")
        earlier = _added(sql, collective_id, theme_id)
        if earlier is not None:
            raise ThemeError(
                f"Le thème « {theme_id} » existe déjà dans ce collectif (« {earlier['label_fr']} ») :"
                " un thème ajouté garde son libellé."
            )
        if parent_id is not None and parent_id not in _catalogue():
            parent = _added(sql, collective_id, parent_id)
            if parent is None:
                raise ThemeError(
                    f"Thème parent inconnu : « {parent_id} »"
                    " (ni dans le catalogue, ni ajouté à ce collectif)."
                )
        event_id = theme_event_id(collective_id, theme_id)
        outbox = Outbox()
        outbox.add(collective_id, event_id, EVENT, payload, None)
        outbox.deliver(sql)
        return event_id

    return db.write_retrying(work)
