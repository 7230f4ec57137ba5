"""`services.themes.catalogue()`: the catalogue the screens show, read from the store's `themes` table.

The collective's own themes come in by a pull (`theme.added`, applied as the sync engine applies it); the
shipped ones keep the shipped file's order even when a newer catalogue added rows after them; a collective's
themes follow the shipped ones, each sub-theme right after its parent.
"""

from __future__ import annotations

import uuid

from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.services import Services, open_services
from kiosk.themes import Catalogue, Theme
from sync_client.engine import apply_remote
from sync_client.protocol import Envelope
from tests.hub.kiosks import wire_event

HUB = str(uuid.uuid4())  # the hub's kiosk id for the collective's hub-made events


def pull_theme(
    services: Services, seq: int, theme_id: str, label_fr: str, parent_id: str | None = None
) -> None:
    """What a pull does with the hub's `theme.added`: journal it and project it, in one transaction."""
    payload = {
        "theme_id": theme_id,
        "parent_id": parent_id,
        "label_fr": label_fr,
        "label_en": f"{label_fr} (en)",
        "collective_id": services.ctx.collective_id,
    }
    envelope = Envelope.model_validate(wire_event(HUB, seq, "theme.added", payload))
    with services.store.transaction() as conn:
        assert apply_remote(conn, envelope, services.ctx.now_iso()) == "applied"


def shipped(version: int, *themes: tuple[str, str | None]) -> Catalogue:
    return Catalogue(version, tuple(Theme(id, parent, id.title(), id.upper()) for id, parent in themes))


def test_shipped_themes_in_file_order_then_the_collective_s_each_under_its_parent(
    config: Config, clock: FixedClock
) -> None:
    first = shipped(1, ("cuisine", None), ("cuisine.pain", "cuisine"), ("velo", None))
    services = open_services(config, clock, catalogue=first)
    pull_theme(services, 1, "tricot", "Tricot")
    pull_theme(services, 2, "cuisine.confitures", "Confitures", "cuisine")
    services.close()

    # A newer catalogue, after the pulls: its new rows come last in the table, not in what is shown.
    newer = shipped(2, ("cuisine", None), ("cuisine.pain", "cuisine"), ("cuisine.soupe", "cuisine"),
                    ("velo", None), ("velo.freins", "velo"))  # fmt: skip
    services = open_services(config, clock, catalogue=newer)
    try:
        pull_theme(services, 3, "tricot.chaussettes", "Chaussettes", "tricot")
        pull_theme(services, 4, "mare.grenouilles", "Grenouilles", "mare")  # a parent this kiosk lacks

        catalogue = services.themes.catalogue()
        assert [(theme.id, theme.parent_id) for theme in catalogue.themes] == [
            ("cuisine", None),
            ("cuisine.pain", "cuisine"),
            ("cuisine.soupe", "cuisine"),
            ("cuisine.confitures", "cuisine"),
            ("velo", None),
            ("velo.freins", "velo"),
            ("tricot", None),
            ("tricot.chaussettes", "tricot"),
            ("mare.grenouilles", "mare"),
        ]
        assert catalogue.version == 2
        themes = catalogue.by_id()
        assert themes["tricot"].label("fr") == "Tricot" and themes["tricot"].label("en") == "Tricot (en)"
        assert themes["cuisine.soupe"] == Theme("cuisine.soupe", "cuisine", "Cuisine.Soupe", "CUISINE.SOUPE")
    finally:
        services.close()
