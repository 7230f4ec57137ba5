"""The typed facts of the statistics layer (hub/stats/facts.py loads them; dashboard and open data read them).

Times are ISO 8601 text in UTC with milliseconds, as the hub stores them (`hub.util.iso`): they sort as text.
Members are ids, never pseudonyms: an erased member stays an opaque id that is still counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scope:
    network_id: str
    collective_id: str | None = None  # None: the whole network


@dataclass(frozen=True)
class MemberFact:
    id: str
    collective_id: str
    quartier: str
    registered_at: str
    erased: bool


@dataclass(frozen=True)
class ExchangeFact:
    id: str
    collective_ids: frozenset[str]  # every collective one of its members belongs to (counts in each)
    recorded_in: str  # collective of the kiosk that recorded it
    theme_id: str
    kind: str
    occurred_at: str
    duration_min: int
    status: str  # "confirmed", "pending", "cancelled", as the kiosks project it (kiosk/projections.py)
    transmitters: tuple[str, ...]  # member ids; guests and those who declined are left out
    learners: tuple[str, ...]
    workshop_id: str | None = None  # a workshop closed as this exchange


@dataclass(frozen=True)
class ListingFact:
    id: str
    member_id: str
    collective_id: str
    kind: str  # "offer" | "request"
    theme_id: str
    published_at: str
    ended_at: str | None  # withdrawn, hidden or erased (a restored listing is active again)
    matched_at: str | None  # requests: first interest, or first exchange in its theme where its owner learns
    network_visible: bool


@dataclass(frozen=True)
class WorkshopFact:
    id: str
    collective_id: str
    theme_id: str
    title: str
    starts_at: str
    capacity: int
    registered: int  # members registered at the end (waiting list included)
    attended: int  # people checked in at the door, guests included
    status: str  # "scheduled" or "held"


@dataclass(frozen=True)
class KioskFact:
    id: str
    name: str
    collective_id: str
    last_seen_at: str | None
    skew_ms: int | None
    pending_events: int | None
    revoked_at: str | None


@dataclass(frozen=True)
class DrawFact:
    id: str
    collective_id: str
    theme_id: str
    seats: int
    volunteers: int  # the frozen pool once frozen, else the tickets still volunteered
    status: str  # "announced", "frozen" or "performed"
    record: dict[str, Any] | None  # the published record once performed (hub_draw_records)
    title: str = ""


@dataclass(frozen=True)
class ElectionFact:
    id: str
    collective_id: str
    title: str
    status: str  # "announced" (not open yet), "open" or "closed" (hub clock)
    voters: int
    # Published only when closed with PUBLISH_MIN_VOTERS voters or more: {"candidates": [...], "ranking":
    # [{"candidate", "median", "profile"}, ...] best first} (as hub/governance.py publishes it).
    result: dict[str, Any] | None
    seats: int = 1  # the first `seats` of the ranking are elected (election.announced)


@dataclass(frozen=True)
class Facts:
    scope: Scope
    collectives: dict[str, tuple[str, str]]  # id -> (name, quartier), the collectives in scope
    members: tuple[MemberFact, ...]
    exchanges: tuple[ExchangeFact, ...]
    listings: tuple[ListingFact, ...]
    workshops: tuple[WorkshopFact, ...]
    kiosks: tuple[KioskFact, ...]
    kiosk_acts: tuple[tuple[str, str], ...]  # (kiosk_id, corrected_at) of every event a kiosk recorded
    draws: tuple[DrawFact, ...]
    elections: tuple[ElectionFact, ...]
