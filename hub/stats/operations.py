"""The running side of the coordinators' pages: kiosks and their syncs, workshops, draws and elections.

Pure functions of `Facts` (and `now`); re-exported by hub/stats/dashboard.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.stats.calendar import paris
from hub.stats.model import Facts, KioskFact

UP_TO_DATE_MIN = 60  # seen within the hour with nothing left to send
SILENT_MIN = 24 * 60  # not seen for a day: a market stall may be offline that long, not longer


@dataclass(frozen=True)
class KioskHealth:
    id: str
    name: str
    collective_id: str
    collective: str  # its name
    last_seen_at: str | None
    minutes_since: int | None
    pending_events: int | None
    skew_ms: int | None
    revoked: bool
    status: str  # « à jour », « en retard », « muette depuis 3 jours », « jamais synchronisée », « retirée »
    code: str  # "up_to_date", "late", "silent", "never", "revoked": for styles and translations


def _silence(minutes: int) -> str:
    days, hours = minutes // (24 * 60), minutes // 60
    if days >= 2:
        return f"muette depuis {days} jours"
    return f"muette depuis {hours} h"


def _health(kiosk: KioskFact, collective: str, now: datetime) -> KioskHealth:
    minutes = None
    if kiosk.last_seen_at is not None:
        minutes = max(0, int((now - datetime.fromisoformat(kiosk.last_seen_at)).total_seconds() // 60))
    if kiosk.revoked_at is not None:
        status, code = "retirée", "revoked"
    elif minutes is None:
        status, code = "jamais synchronisée", "never"
    elif minutes > SILENT_MIN:
        status, code = _silence(minutes), "silent"
    elif minutes > UP_TO_DATE_MIN or (kiosk.pending_events or 0) > 0:
        status, code = "en retard", "late"
    else:
        status, code = "à jour", "up_to_date"
    return KioskHealth(
        id=kiosk.id,
        name=kiosk.name,
        collective_id=kiosk.collective_id,
        collective=collective,
        last_seen_at=kiosk.last_seen_at,
        minutes_since=minutes,
        pending_events=kiosk.pending_events,
        skew_ms=kiosk.skew_ms,
        revoked=kiosk.revoked_at is not None,
        status=status,
        code=code,
    )


def kiosk_health(facts: Facts, now: datetime) -> list[KioskHealth]:
    """Every kiosk of the scope by collective and name: last sync, events left to send, clock skew."""
    found = [_health(k, facts.collectives.get(k.collective_id, ("", ""))[0], now) for k in facts.kiosks]
    return sorted(found, key=lambda health: (health.collective, health.name, health.id))


@dataclass(frozen=True)
class WorkshopSummary:
    id: str
    title: str
    theme_id: str
    date: str  # Paris date, "2026-11-14"
    time: str  # Paris time, "14:30"
    capacity: int
    registered: int
    attended: int  # guests included
    rate: float | None  # attended / registered (above 1 when guests came); None without registrations
    status: str  # "scheduled" or "held"


def workshops_summary(facts: Facts) -> list[WorkshopSummary]:
    """The scope's workshops by start time."""
    summaries = []
    for workshop in facts.workshops:
        local = paris(workshop.starts_at)
        summaries.append(
            WorkshopSummary(
                id=workshop.id,
                title=workshop.title,
                theme_id=workshop.theme_id,
                date=local.date().isoformat(),
                time=local.strftime("%H:%M"),
                capacity=workshop.capacity,
                registered=workshop.registered,
                attended=workshop.attended,
                rate=workshop.attended / workshop.registered if workshop.registered else None,
                status=workshop.status,
            )
        )
    return summaries


@dataclass(frozen=True)
class DrawSummary:
    id: str
    collective_id: str
    title: str
    theme_id: str
    seats: int
    volunteers: int  # the pool: frozen once frozen
    status: str  # "announced", "frozen", "performed"
    selected: int | None  # drawn, once performed


@dataclass(frozen=True)
class ElectionSummary:
    id: str
    collective_id: str
    title: str
    status: str  # "announced", "open", "closed"
    voters: int
    published: bool  # closed with enough voters to keep the secret (result below)
    result: dict[str, Any] | None  # candidates and ranking (merit profiles), as ElectionFact.result
    seats: int = 1  # the first `seats` of the ranking are elected


@dataclass(frozen=True)
class GovernanceSummary:
    pools: tuple[DrawSummary, ...]  # every draw with its volunteers, newest announced last
    draws: dict[str, int]  # how many draws are "announced", "frozen", "performed"
    volunteers: int  # in all pools
    elections: tuple[ElectionSummary, ...]


def governance_summary(facts: Facts) -> GovernanceSummary:
    pools = tuple(
        DrawSummary(
            id=draw.id,
            collective_id=draw.collective_id,
            title=draw.title,
            theme_id=draw.theme_id,
            seats=draw.seats,
            volunteers=draw.volunteers,
            status=draw.status,
            selected=len(draw.record.get("selected") or []) if draw.record else None,
        )
        for draw in facts.draws
    )
    draws = {
        status: sum(p.status == status for p in pools) for status in ("announced", "frozen", "performed")
    }
    elections = tuple(
        ElectionSummary(
            id=election.id,
            collective_id=election.collective_id,
            title=election.title,
            status=election.status,
            voters=election.voters,
            published=election.result is not None,
            result=election.result,
            seats=election.seats,
        )
        for election in facts.elections
    )
    return GovernanceSummary(pools, draws, sum(p.volunteers for p in pools), elections)
