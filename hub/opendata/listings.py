"""Offers and requests in progress on the export date, by theme, for the whole network.

One table: top themes × {offers, requests}, with the network's totals of offers and of requests (no total
per theme). A cell is sensitive with fewer than 5 distinct members, or when one member holds more than
85 % of its listings.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from hub.opendata import suppression
from hub.opendata.model import ALL, Dataset, Field, Value, before, theme_name, top_theme
from hub.opendata.suppression import TOTAL, Entry, Key, Table
from hub.stats.model import Facts

KINDS = ("offer", "request")

FIELDS = (
    Field("theme", "string", "Thématique", f"Identifiant de la grande thématique ; « {ALL} » pour toutes."),
    Field("themeLibelle", "string", "Libellé de la thématique", "Nom de la thématique en français."),
    Field("offres", "integer", "Offres", "Annonces « je propose » en cours à la date de l’export."),
    Field("demandes", "integer", "Demandes", "Annonces « je cherche » en cours à la date de l’export."),
)


def open_listings(facts: Facts, cutoff: datetime) -> dict[Key, dict[str, float]]:
    """(theme or TOTAL, kind) → member → how many of the cell's listings they hold."""
    cells: dict[Key, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for listing in facts.listings:
        ended = listing.ended_at is not None and before(listing.ended_at, cutoff)
        if listing.kind in KINDS and before(listing.published_at, cutoff) and not ended:
            for theme in (top_theme(listing.theme_id), TOTAL):
                cells[(theme, listing.kind)][listing.member_id] += 1
    return {key: dict(holders) for key, holders in cells.items()}


def listings_table(cells: dict[Key, dict[str, float]]) -> Table:
    entries = {}
    for key, holders in cells.items():
        count = sum(holders.values())
        entries[key] = Entry((count,), (1.0,), suppression.is_sensitive(holders, count))
    return Table(entries, (1.0,))


def listings_dataset(facts: Facts, cutoff: datetime) -> Dataset:
    cells = open_listings(facts, cutoff)
    hidden = suppression.protect(listings_table(cells))
    themes = sorted({str(theme) for theme, _ in cells if theme != TOTAL})
    rows: list[tuple[Value, ...]] = []
    for theme in [*themes, TOTAL]:
        key_theme = ALL if theme == TOTAL else theme
        figures = [_shown(cells, hidden, (theme, kind)) for kind in KINDS]
        rows.append((key_theme, theme_name(key_theme), *figures))
    return Dataset(
        "offres-demandes",
        "Offres et demandes en cours par thématique",
        "Annonces « je propose » et « je cherche » en cours à la date de l’export, dans tout le réseau, par "
        "grande thématique, avec leurs totaux. Les cellules trop petites sont vides.",
        FIELDS,
        tuple(rows) if themes else (),
        ("theme",),
    )


def _shown(cells: dict[Key, dict[str, float]], hidden: frozenset[Key], key: Key) -> Value:
    if key not in cells:
        return 0
    return None if key in hidden else int(sum(cells[key].values()))
