"""Monthly sign-ups and active members, by collective and for the whole network.

Sign-ups are one table, collectives × months, with the network's total per month (no total over months):
a collective's month with fewer than 5 sign-ups is suppressed, and others with it so that the network's
total does not give it away. Active members are the distinct members of the month's exchanges, i.e. the
« membresDistincts » of the exchanges file's totals: they are shown or hidden exactly as there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from datetime import datetime

from hub.opendata import suppression
from hub.opendata.exchanges import MonthTable
from hub.opendata.model import ALL, Dataset, Field, Value, before, local_month
from hub.opendata.suppression import TOTAL, Entry, Key, Table
from hub.stats.model import Facts

FIELDS = (
    Field("mois", "yearmonth", "Mois", "Mois (AAAA-MM, heure de Paris)."),
    Field("collectif", "string", "Collectif", f"Identifiant du collectif ; « {ALL} » pour tout le réseau."),
    Field("collectifNom", "string", "Nom du collectif", "Nom du collectif, ou « Tout le réseau »."),
    Field("quartier", "string", "Quartier", f"Quartier du collectif ; « {ALL} » pour tout le réseau."),
    Field("inscriptions", "integer", "Inscriptions", "Personnes inscrites ce mois-ci (effacées comprises)."),
    Field(
        "membresActifs",
        "integer",
        "Membres actifs",
        "Membres ayant participé à au moins un échange confirmé ce mois-ci.",
    ),
)


def signup_counts(facts: Facts, cutoff: datetime) -> dict[Key, set[str]]:
    members: dict[Key, set[str]] = defaultdict(set)
    for member in facts.members:
        if member.collective_id in facts.collectives and before(member.registered_at, cutoff):
            month = local_month(member.registered_at)
            members[(member.collective_id, month)].add(member.id)
            members[(TOTAL, month)].add(member.id)
    return dict(members)


def signup_table(signups: dict[Key, set[str]]) -> Table:
    entries = {
        key: Entry((float(len(ids)),), (1.0,), suppression.is_sensitive(dict.fromkeys(ids, 1.0), len(ids)))
        for key, ids in signups.items()
    }
    return Table(entries, (1.0,))


def members_dataset(facts: Facts, cutoff: datetime, exchanges: list[MonthTable]) -> Dataset:
    signups = signup_counts(facts, cutoff)
    hidden = suppression.protect(signup_table(signups))
    by_month = {table.month: table for table in exchanges}
    months = sorted({str(month) for _, month in signups} | set(by_month))
    rows: list[tuple[Value, ...]] = []
    for month in months:
        for collective in [*sorted(facts.collectives), TOTAL]:
            signed: Value = _shown(signups, hidden, (collective, month))
            active = _active(by_month.get(month), collective)
            if signed == 0 and active == 0:
                continue
            rows.append((month, *_place(facts, collective), signed, active))
    return Dataset(
        "membres-mensuels",
        "Inscriptions et membres actifs par mois et par collectif",
        "Personnes inscrites et membres actifs chaque mois, par collectif et pour tout le réseau. "
        "Les cellules trop petites sont vides.",
        FIELDS,
        tuple(rows),
        ("mois", "collectif"),
    )


def _shown(signups: dict[Key, set[str]], hidden: frozenset[Key], key: Key) -> Value:
    if key not in signups:
        return 0
    return None if key in hidden else len(signups[key])


def _active(table: MonthTable | None, collective: Hashable) -> Value:
    key = (collective, TOTAL)
    if table is None or key not in table.cells:
        return 0
    cell = table.shown(key)
    return None if cell is None else len(cell.member_minutes)


def _place(facts: Facts, collective: Hashable) -> tuple[Value, ...]:
    if collective == TOTAL:
        return (ALL, "Tout le réseau", ALL)
    name, quartier = facts.collectives[str(collective)]
    return (str(collective), name, quartier)
