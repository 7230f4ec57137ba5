"""The coordinators' governance page: volunteer pools and draws by lot, elections and — once published —
their ranking at majority judgment with the candidates' pseudonyms (hub/stats/dashboard.py `pseudonyms`).

A result is published only when the election closed with enough voters to keep every vote secret
(hub/stats/governance.py); before that the page says so and names nobody. A candidate erased on request is
never named, only counted in the ranking. Texts are French; figures are formatted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from hub.stats import dashboard as d
from hub.stats.model import Facts
from hub.web.render import number
from kiosk.governance.majority import MENTIONS

DRAW_STATUS = {"announced": "appel aux volontaires", "frozen": "liste arrêtée", "performed": "tirage fait"}
ELECTION_STATUS = {"announced": "annoncée", "open": "vote ouvert", "closed": "close"}
ELECTION_ORDER = {"open": 0, "announced": 1, "closed": 2}
# A candidate erased on request is never named; one whose registration the hub lacks is not guessed.
ERASED_CANDIDATE = "membre effacé·e à sa demande"
UNNAMED_CANDIDATE = "membre au nom inconnu du hub"


@dataclass(frozen=True)
class ElectionRow:
    title: str
    collective: str
    status: str
    voters: str
    result: str
    anchor: str | None  # the ranking's table below, when the result is published


@dataclass(frozen=True)
class RankingView:
    anchor: str
    caption: str
    rows: list[tuple[str, str, str, str]]  # rank, candidate, majority grade, « élu·e » or —
    tie_broken: bool


def governance(conn: Connection, facts: Facts) -> dict[str, Any]:
    summary = d.governance_summary(facts)
    collectives = facts.collectives
    pools = [
        (
            p.title or d.theme_label(p.theme_id),
            collectives.get(p.collective_id, (p.collective_id, ""))[0],
            d.theme_label(p.theme_id),
            number(p.seats),
            number(p.volunteers),
            DRAW_STATUS.get(p.status, p.status),
            number(p.selected) if p.selected is not None else "—",
        )
        for p in summary.pools
    ]
    # votes under way first, then the coming ones, then the closed ones; by title within each
    ordered = sorted(summary.elections, key=lambda e: (ELECTION_ORDER.get(e.status, 3), e.title, e.id))
    published = [e for e in ordered if e.result is not None]
    anchors = {e.id: f"classement-{n}" for n, e in enumerate(published, 1)}
    elections = [
        ElectionRow(
            e.title,
            collectives.get(e.collective_id, (e.collective_id, ""))[0],
            ELECTION_STATUS.get(e.status, e.status),
            number(e.voters),
            "publié"
            if e.published
            else ("secret gardé (trop peu de votants)" if e.status == "closed" else "—"),
            anchors.get(e.id),
        )
        for e in ordered
    ]
    candidates = [entry["candidate"] for e in published for entry in _ranking_of(e)]
    names = d.pseudonyms(conn, candidates)  # erased members are not in it
    erased = {member.id for member in facts.members if member.erased}
    rankings = [
        RankingView(
            anchors[e.id],
            f"Classement de « {e.title} » au jugement majoritaire ({_seats(e.seats)})",
            [
                (
                    number(rank),
                    names.get(entry["candidate"])
                    or (ERASED_CANDIDATE if entry["candidate"] in erased else UNNAMED_CANDIDATE),
                    _mention(entry.get("median")),
                    "élu·e" if rank <= e.seats else "—",
                )
                for rank, entry in enumerate(_ranking_of(e), 1)
            ],
            bool(e.result and e.result.get("tie_broken_by_seed")),
        )
        for e in published
    ]
    return {
        "summary": summary,
        "pools": pools,
        "elections": elections,
        "rankings": rankings,
        "draw_status": DRAW_STATUS,
    }


def _ranking_of(election: d.ElectionSummary) -> list[dict[str, Any]]:
    ranking = (election.result or {}).get("ranking")
    return [entry for entry in ranking if isinstance(entry, dict)] if isinstance(ranking, list) else []


def _seats(seats: int) -> str:
    return "1 siège" if seats == 1 else f"{number(seats)} sièges"


def _mention(median: object) -> str:
    """The majority grade in words, as the kiosks' ballot says it (« Très bien »…)."""
    if isinstance(median, int) and 0 <= median < len(MENTIONS):
        return MENTIONS[median]
    return "—"
