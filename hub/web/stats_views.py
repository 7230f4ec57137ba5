"""What each statistics page shows, built from hub/stats: charts (inline SVG) with the same figures as table
rows, and the short lists of members to invite. Texts are French; figures are formatted here. The
governance page (draws and elections) is in hub/web/governance_views.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection

from hub.stats import dashboard as d
from hub.stats.model import Facts
from hub.web.charts import bar_chart, heat_map, line_chart, paired_bars
from hub.web.render import month_label, number, percent

WEEKDAYS = ("Lun.", "Mar.", "Mer.", "Jeu.", "Ven.", "Sam.", "Dim.")
HOURS = tuple(f"{h}h" for h in range(24))
MAX_LISTED = 60  # names shown per list; the count says how many there are in all


@dataclass(frozen=True)
class FigureView:
    caption: str
    chart: Markup
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    note: str | None = None


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def overview(facts: Facts, now: datetime) -> dict[str, Any]:
    months = d.monthly_activity(facts, now)
    people = d.engagement(facts, now)
    labels = [month_label(m.month) for m in months]
    exchanges = sum(m.exchanges for m in months)
    minutes = sum(m.minutes for m in months)
    figures = [
        ("Membres", number(people.members)),
        ("Actifs ces 90 jours", number(people.active_90d)),
        ("Échanges sur 12 mois", number(exchanges)),
        ("Heures partagées sur 12 mois", number(_hours(minutes), 1 if minutes % 60 else 0)),
        ("Réciprocité", percent(people.reciprocity)),
    ]
    trend = FigureView(
        "Échanges et membres actifs par mois",
        line_chart(
            "Échanges et membres actifs par mois",
            "Nombre d’échanges confirmés et de membres y ayant pris part, mois par mois, sur douze mois.",
            [m.month[2:].replace("-", "/") for m in months],
            [
                ("Échanges", [m.exchanges for m in months]),
                ("Membres actifs", [m.active_members for m in months]),
            ],
        ),
        ("Mois", "Échanges", "Membres actifs"),
        [
            (label, number(m.exchanges), number(m.active_members))
            for label, m in zip(labels, months, strict=True)
        ],
    )
    return {"figures": figures, "trend": trend, "by_collective": _by_collective(facts)}


def _by_collective(facts: Facts) -> list[tuple[str, str, str, str]]:
    """For a network: members, confirmed exchanges and hours per collective (an exchange between two
    collectives counts in both)."""
    if facts.scope.collective_id is not None:
        return []
    rows = []
    for collective_id, (name, quartier) in facts.collectives.items():
        members = sum(1 for m in facts.members if m.collective_id == collective_id and not m.erased)
        done = [x for x in facts.exchanges if x.status == d.CONFIRMED and collective_id in x.collective_ids]
        minutes = sum(x.duration_min for x in done)
        rows.append((f"{name} ({quartier})", number(members), number(len(done)), number(_hours(minutes), 1)))
    return rows


def activity(facts: Facts, now: datetime) -> dict[str, Any]:
    months = d.monthly_activity(facts, now)
    labels = [month_label(m.month) for m in months]
    short = [m.month[2:].replace("-", "/") for m in months]
    views = []
    for caption, desc, values, shown in (
        (
            "Inscriptions par mois",
            "Nouveaux membres inscrits chaque mois sur douze mois.",
            [float(m.registrations) for m in months],
            [number(m.registrations) for m in months],
        ),
        (
            "Échanges par mois",
            "Échanges confirmés chaque mois sur douze mois.",
            [float(m.exchanges) for m in months],
            [number(m.exchanges) for m in months],
        ),
        (
            "Heures partagées par mois",
            "Durée totale des échanges confirmés chaque mois, en heures, sur douze mois.",
            [_hours(m.minutes) for m in months],
            [number(_hours(m.minutes), 1) for m in months],
        ),
    ):
        header = caption.split(" par ")[0]
        views.append(
            FigureView(
                caption,
                bar_chart(caption, desc, short, values),
                ("Mois", header),
                [(label, value) for label, value in zip(labels, shown, strict=True)],
            )
        )
    return {"views": views}


def themes(facts: Facts) -> dict[str, Any]:
    balance = [b for b in d.themes_balance(facts) if b.offers or b.requests or b.matched]
    balance.sort(key=lambda b: (-(b.offers + b.requests), b.label))
    view = FigureView(
        "Offres et demandes par thème",
        paired_bars(
            "Offres et demandes par thème",
            "Pour chaque thème, le nombre d’offres et de demandes actuellement sur le tableau.",
            [b.label for b in balance],
            [(float(b.offers), float(b.requests)) for b in balance],
            ("Offres", "Demandes"),
        ),
        ("Thème", "Offres", "Demandes", "Demandes satisfaites", "Délai médian (jours)"),
        [
            (
                b.label,
                number(b.offers),
                number(b.requests),
                number(b.matched),
                # never below zero: an interest can be stamped a moment before the request (clock skew)
                number(max(b.median_days_to_match, 0.0), 1) if b.median_days_to_match is not None else "—",
            )
            for b in balance
        ],
        "Une demande est satisfaite quand quelqu’un s’y intéresse ou quand son auteur apprend dans ce "
        "thème ; le délai médian compte les jours entre sa publication et ce moment.",
    )
    return {"view": view, "empty": not balance}


def members(conn: Connection, facts: Facts, now: datetime) -> dict[str, Any]:
    people = d.engagement(facts, now)
    only_give = people.givers - people.both
    only_receive = people.receivers - people.both
    reciprocity = FigureView(
        "Qui donne, qui reçoit (90 derniers jours)",
        bar_chart(
            "Qui donne, qui reçoit",
            "Membres ayant seulement transmis, seulement appris, ou les deux, sur les 90 derniers jours.",
            ["Transmettent", "Apprennent", "Les deux"],
            [float(only_give), float(only_receive), float(people.both)],
        ),
        ("Rôle dans les échanges", "Membres"),
        [
            ("Transmettent seulement", number(only_give)),
            ("Apprennent seulement", number(only_receive)),
            ("Transmettent et apprennent", number(people.both)),
        ],
    )
    names = d.pseudonyms(conn, (*people.inactive_90d[:MAX_LISTED], *people.without_offer[:MAX_LISTED]))
    return {
        "people": people,
        "reciprocity": reciprocity,
        "inactive": [names[i] for i in people.inactive_90d[:MAX_LISTED] if i in names],
        "without_offer": [names[i] for i in people.without_offer[:MAX_LISTED] if i in names],
        "max_listed": MAX_LISTED,
    }


def kiosk_use(facts: Facts) -> FigureView | None:
    grid = d.kiosk_use(facts)
    if not any(any(line) for line in grid):
        return None
    return FigureView(
        "Activité aux bornes par jour et par heure",
        heat_map(
            "Activité aux bornes par jour et par heure",
            "Nombre d’actions enregistrées aux bornes (heure de Paris) : "
            "plus la case est foncée, plus il y en a.",
            WEEKDAYS,
            HOURS,
            grid,
        ),
        ("Heure", *d.WEEKDAYS_FR),
        [
            (f"{h} h", *(number(grid[day][h]) for day in range(7)))
            for h in range(24)
            if any(grid[day][h] for day in range(7))
        ],
        "Le tableau ne montre que les heures où une borne a servi.",
    )


def workshops(facts: Facts) -> dict[str, Any]:
    summaries = d.workshops_summary(facts)
    view = FigureView(
        "Inscrits et présents par atelier",
        paired_bars(
            "Inscrits et présents par atelier",
            "Pour chaque atelier, le nombre de personnes inscrites et de personnes présentes.",
            [w.title for w in summaries],
            [(float(w.registered), float(w.attended)) for w in summaries],
            ("Inscrits", "Présents"),
        ),
        ("Atelier", "Date", "Places", "Inscrits", "Présents", "Présence"),
        [
            (
                w.title,
                f"{w.date[8:10]}/{w.date[5:7]}/{w.date[:4]} {w.time}",
                number(w.capacity),
                number(w.registered),
                number(w.attended),
                percent(w.rate),
            )
            for w in summaries
        ],
        "Les présents comptent aussi les invités venus sans inscription : la présence peut dépasser 100 %.",
    )
    return {"view": view, "empty": not summaries}
