"""Monthly exchanges by collective (and its quartier) and theme, with their totals, suppressed as needed.

One table per month: collectives × top themes, with each collective's total (all themes), each theme's
network total and the network's total. Only confirmed exchanges count. An exchange between members of two
collectives counts in both collectives, and once in the network's figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime

from hub.opendata import suppression
from hub.opendata.model import ALL, Dataset, Field, Value, before, local_month, rounded_hours, theme_name
from hub.opendata.suppression import TOTAL, Entry, Key, Table
from hub.stats.model import ExchangeFact, Facts

MINIMUM = (1.0, 60.0)  # a suppressed figure can move by one exchange and one hour at least


@dataclass
class Cell:
    exchanges: int = 0
    minutes: int = 0
    member_minutes: dict[str, int] = field(default_factory=dict)

    def add(self, exchange: ExchangeFact) -> None:
        self.exchanges += 1
        self.minutes += exchange.duration_min
        for member in set(exchange.transmitters) | set(exchange.learners):
            self.member_minutes[member] = self.member_minutes.get(member, 0) + exchange.duration_min

    def entry(self) -> Entry:
        sensitive = suppression.is_sensitive(self.member_minutes, self.minutes)
        return Entry((float(self.exchanges), float(self.minutes)), (1.0, 0.0), sensitive)


@dataclass(frozen=True)
class MonthTable:
    """One month's cells (keys: (collective or TOTAL, theme or TOTAL)) and which of them are suppressed."""

    month: str
    cells: dict[Key, Cell]
    suppressed: frozenset[Key]

    def shown(self, key: Key) -> Cell | None:
        return None if key in self.suppressed else self.cells[key]


def confirmed(facts: Facts, cutoff: datetime) -> list[ExchangeFact]:
    return [e for e in facts.exchanges if e.status == "confirmed" and before(e.occurred_at, cutoff)]


def month_tables(facts: Facts, cutoff: datetime) -> list[MonthTable]:
    by_month: dict[str, dict[Key, Cell]] = defaultdict(lambda: defaultdict(Cell))
    for exchange in confirmed(facts, cutoff):
        cells = by_month[local_month(exchange.occurred_at)]
        theme = exchange.theme_id.split(".", 1)[0]
        rows: list[Hashable] = [*sorted(exchange.collective_ids & facts.collectives.keys()), TOTAL]
        for row in rows:
            cells[(row, theme)].add(exchange)
            cells[(row, TOTAL)].add(exchange)
    tables = []
    for month in sorted(by_month):
        cells = dict(by_month[month])
        table = Table({key: cell.entry() for key, cell in cells.items()}, MINIMUM)
        tables.append(MonthTable(month, cells, suppression.protect(table)))
    return tables


FIELDS = (
    Field("mois", "yearmonth", "Mois", "Mois des échanges (AAAA-MM, heure de Paris)."),
    Field("collectif", "string", "Collectif", f"Identifiant du collectif ; « {ALL} » pour tout le réseau."),
    Field("collectifNom", "string", "Nom du collectif", "Nom du collectif, ou « Tout le réseau »."),
    Field("quartier", "string", "Quartier", f"Quartier du collectif ; « {ALL} » pour tout le réseau."),
    Field("theme", "string", "Thématique", f"Identifiant de la thématique ; « {ALL} » pour toutes."),
    Field("themeLibelle", "string", "Libellé de la thématique", "Nom de la thématique en français."),
    Field("nombreEchanges", "integer", "Nombre d’échanges", "Échanges confirmés par les deux parties."),
    Field("heures", "integer", "Heures", "Durée totale des échanges, en heures arrondies à l’unité."),
    Field("membresDistincts", "integer", "Membres distincts", "Membres différents ayant transmis ou appris."),
)


def exchanges_dataset(facts: Facts, tables: list[MonthTable]) -> Dataset:
    rows: list[tuple[Value, ...]] = []
    collectives = [*sorted(facts.collectives), TOTAL]
    for table in tables:
        themes = [*sorted({str(col) for _, col in table.cells if col != TOTAL}), TOTAL]
        for collective in collectives:
            for theme in themes:
                key = (collective, theme)
                if key in table.cells:
                    rows.append((table.month, *_place(facts, collective, theme), *_figures(table.shown(key))))
    return Dataset(
        "echanges-mensuels",
        "Échanges de savoirs par mois, collectif et thématique",
        "Échanges confirmés chaque mois, par collectif (et son quartier) et par grande thématique, avec les "
        "totaux par collectif, par thématique et pour tout le réseau. Les cellules trop petites sont vides.",
        FIELDS,
        tuple(rows),
        ("mois", "collectif", "theme"),
    )


def _place(facts: Facts, collective: Hashable, theme: str) -> tuple[Value, ...]:
    if collective == TOTAL:
        place: tuple[Value, ...] = (ALL, "Tout le réseau", ALL)
    else:
        name, quartier = facts.collectives[str(collective)]
        place = (str(collective), name, quartier)
    theme_key = ALL if theme == TOTAL else theme
    return (*place, theme_key, theme_name(theme_key))


def _figures(cell: Cell | None) -> tuple[Value, ...]:
    if cell is None:
        return (None, None, None)
    return (cell.exchanges, rounded_hours(cell.minutes), len(cell.member_minutes))
