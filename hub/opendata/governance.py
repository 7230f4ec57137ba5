"""Draws by lot and election results, as the collectives published them, without anyone's answers.

Draws: one row per draw (theme, seats, volunteers, the published record's seed and how many were drawn);
never the tickets nor the order. The volunteers' counts per category come one attribute at a time (never
quartier × age × gender crossed), and an attribute only when each of its counts, « non renseigné »
included, is at least 5: nothing to suppress, so nothing to recover. A pool of fewer than 5 volunteers
shows neither its size nor how many were drawn (that would tell the size).
Elections: the merit profile of each candidate, by rank, only for results published with at least 5
voters (hub/governance.py already publishes their shuffled ballots); candidates are not named.
"""

from __future__ import annotations

from typing import Any

from hub.opendata.model import Dataset, Field, Value, theme_name
from hub.opendata.suppression import MIN_MEMBERS
from hub.stats.model import DrawFact, Facts
from kiosk.governance.majority import MENTIONS, PUBLISH_MIN_VOTERS

NOT_GIVEN = "non renseigné"
GRADE_FIELDS = ("aRejeter", "insuffisant", "passable", "assezBien", "bien", "tresBien", "excellent")

DRAW_FIELDS = (
    Field("tirage", "string", "Tirage", "Identifiant du tirage au sort."),
    Field("collectif", "string", "Collectif", "Identifiant du collectif qui tire au sort."),
    Field("theme", "string", "Thématique", "Identifiant de la thématique du tirage."),
    Field("themeLibelle", "string", "Libellé de la thématique", "Nom de la thématique en français."),
    Field(
        "statut",
        "string",
        "Statut",
        "announced (annoncé), frozen (vivier gelé) ou performed (tiré).",
    ),
    Field("sieges", "integer", "Sièges", "Nombre de places à pourvoir."),
    Field("volontaires", "integer", "Volontaires", "Taille du vivier ; vide sous 5 volontaires."),
    Field("graine", "string", "Graine", "Graine publiée du tirage (SHA-256) ; vide avant le tirage."),
    Field("nombreTires", "integer", "Nombre de tirés", "Personnes tirées ; vide avant le tirage ou sous 5."),
)
CATEGORY_FIELDS = (
    Field("tirage", "string", "Tirage", "Identifiant du tirage au sort."),
    Field("attribut", "string", "Attribut", "Caractéristique déclarée (une à la fois, jamais croisées)."),
    Field("categorie", "string", "Catégorie", f"Valeur déclarée, ou « {NOT_GIVEN} »."),
    Field("volontaires", "integer", "Volontaires", "Volontaires du vivier dans cette catégorie (5 ou plus)."),
)
ELECTION_FIELDS = (
    Field("election", "string", "Élection", "Identifiant de l’élection."),
    Field("collectif", "string", "Collectif", "Identifiant du collectif."),
    Field("votants", "integer", "Votants", "Nombre de votants (5 ou plus : sinon rien n’est publié)."),
    Field("rang", "integer", "Rang", "Rang du candidat au jugement majoritaire (1 = élu·e en premier)."),
    Field("mentionMajoritaire", "string", "Mention majoritaire", "Mention médiane reçue par le candidat."),
    *(
        Field(name, "integer", f"« {mention} »", f"Votants ayant donné la mention « {mention} ».")
        for name, mention in zip(GRADE_FIELDS, MENTIONS, strict=True)
    ),
)


def draws_dataset(facts: Facts) -> Dataset:
    rows = []
    for draw in sorted(facts.draws, key=lambda d: d.id):
        record = draw.record or {}
        enough = draw.volunteers >= MIN_MEMBERS
        drawn: Value = len(record["selected"]) if enough and "selected" in record else None
        theme = (draw.theme_id, theme_name(draw.theme_id))
        volunteers = draw.volunteers if enough else None
        rows.append(
            (
                draw.id,
                draw.collective_id,
                *theme,
                draw.status,
                draw.seats,
                volunteers,
                record.get("seed"),
                drawn,
            )
        )
    return Dataset(
        "tirages",
        "Tirages au sort",
        "Tirages au sort des collectifs : thématique, sièges, taille du vivier, graine publiée et nombre de "
        "personnes tirées (jamais les tickets).",
        DRAW_FIELDS,
        tuple(rows),
        ("tirage",),
    )


def draw_categories(draw: DrawFact) -> list[tuple[str, str, int]]:
    """(attribute, value, count) of the attributes whose every count, « non renseigné » too, is ≥ 5."""
    record: dict[str, Any] = draw.record or {}
    pool = int(record.get("pool_size", 0))
    published: list[tuple[str, str, int]] = []
    for attribute, counts in sorted(record.get("category_counts", {}).items()):
        values = {str(value): int(count) for value, count in counts.items()}
        missing = pool - sum(values.values())
        if missing:
            values[NOT_GIVEN] = missing
        if values and min(values.values()) >= MIN_MEMBERS:
            published.extend((attribute, value, count) for value, count in sorted(values.items()))
    return published


def categories_dataset(facts: Facts) -> Dataset:
    rows = tuple(
        (draw.id, *category)
        for draw in sorted(facts.draws, key=lambda d: d.id)
        for category in draw_categories(draw)
    )
    return Dataset(
        "tirages-categories",
        "Volontaires des tirages au sort par catégorie",
        "Volontaires de chaque vivier par catégorie déclarée, une caractéristique à la fois ; une "
        "caractéristique n’est publiée que si chacune de ses catégories compte au moins 5 volontaires.",
        CATEGORY_FIELDS,
        rows,
        ("tirage", "attribut", "categorie"),
    )


def elections_dataset(facts: Facts) -> Dataset:
    rows: list[tuple[Value, ...]] = []
    for election in sorted(facts.elections, key=lambda e: e.id):
        if election.result is None or election.status != "closed" or election.voters < PUBLISH_MIN_VOTERS:
            continue
        for rank, entry in enumerate(election.result["ranking"], start=1):
            profile = [int(count) for count in entry["profile"]]
            head = (
                election.id,
                election.collective_id,
                election.voters,
                rank,
                MENTIONS[int(entry["median"])],
            )
            rows.append(head + tuple(profile))
    return Dataset(
        "elections",
        "Résultats des élections au jugement majoritaire",
        "Profil de mérite de chaque candidat (votants par mention), pour les élections publiées (au moins 5 "
        "votants). Les candidats ne sont pas nommés, seulement classés.",
        ELECTION_FIELDS,
        tuple(rows),
        ("election", "rang"),
    )
