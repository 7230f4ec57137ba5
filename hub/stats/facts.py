"""Typed facts for the coordinators' pages and the open data, read from the hub's `events` table.

`load_facts` reads one query per family of events (members, exchanges, listings, workshops, draws and
elections), never one per event, and replays each family in Python as the kiosks project it. A scope is a
whole network or one collective of it; an exchange between members of two collectives is in the facts of
both (so exchanges are read over the whole network, then kept when one of their members is in scope).

Erased members stay as opaque ids that are still counted; pseudonyms are not facts (see
`hub.stats.dashboard.pseudonyms` for the only lists that name people).
"""

from __future__ import annotations

import gc

from sqlalchemy import Connection, select

from hub import schema as t
from hub.sql import Sql, marks
from hub.stats.events import read_events, text
from hub.stats.exchanges import EXCHANGE_TYPES, replay_exchanges
from hub.stats.governance import DRAW_TYPES, load_elections, replay_draws
from hub.stats.listings import LISTING_TYPES, replay_listings
from hub.stats.model import (
    DrawFact,
    ElectionFact,
    ExchangeFact,
    Facts,
    KioskFact,
    ListingFact,
    MemberFact,
    Scope,
    WorkshopFact,
)
from hub.stats.workshops import WORKSHOP_TYPES, load_kiosks, replay_workshops

__all__ = [
    "DrawFact",
    "ElectionFact",
    "ExchangeFact",
    "Facts",
    "KioskFact",
    "ListingFact",
    "MemberFact",
    "Scope",
    "WorkshopFact",
    "load_facts",
    "networks",
]


def networks(conn: Connection) -> list[tuple[str, str]]:
    """(id, name) of every network, by name."""
    rows = conn.execute(
        select(t.networks.c.id, t.networks.c.name).order_by(t.networks.c.name, t.networks.c.id)
    )
    return [(row.id, row.name) for row in rows]


def load_facts(conn: Connection, scope: Scope) -> Facts:
    """Everything the statistics need about `scope`, as of now. An unknown network has no facts."""
    # Millions of small objects, none of them garbage: the cyclic collector would walk the growing heap
    # again and again (half of the time on a network of 100,000 members).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(conn, scope)
    finally:
        if collecting:
            gc.enable()


def _load(conn: Connection, scope: Scope) -> Facts:
    c = t.collectives.c
    network = {
        row.id: (row.name, row.quartier)
        for row in conn.execute(
            select(c.id, c.name, c.quartier).where(c.network_id == scope.network_id).order_by(c.name, c.id)
        )
    }
    if scope.collective_id is not None and scope.collective_id not in network:
        raise ValueError(f"Collectif inconnu dans le réseau {scope.network_id} : {scope.collective_id}")
    in_scope = [scope.collective_id] if scope.collective_id is not None else list(network)
    wanted = set(in_scope)
    member_collective, erased_at = _hub_members(conn, list(network))

    all_exchanges = replay_exchanges(read_events(conn, network, EXCHANGE_TYPES), member_collective)
    # Over the network too: « ça m'intéresse » said at another collective's kiosk about a shared listing.
    listings = replay_listings(
        read_events(conn, network, LISTING_TYPES), member_collective, erased_at, all_exchanges
    )
    exchanges = [exchange for exchange in all_exchanges if exchange.collective_ids & wanted]
    governance_rows = read_events(conn, in_scope, (*DRAW_TYPES, "election.announced"))
    return Facts(
        scope=scope,
        collectives={key: network[key] for key in in_scope},
        members=tuple(_members(conn, in_scope, erased_at)),
        exchanges=tuple(sorted(exchanges, key=lambda e: (e.occurred_at, e.id))),
        listings=tuple(
            sorted((x for x in listings if x.collective_id in wanted), key=lambda x: x.published_at)
        ),
        workshops=tuple(
            sorted(
                replay_workshops(read_events(conn, in_scope, WORKSHOP_TYPES), all_exchanges),
                key=lambda w: (w.starts_at, w.id),
            )
        ),
        kiosks=tuple(load_kiosks(conn, in_scope)),
        kiosk_acts=tuple(_kiosk_acts(conn, in_scope)),
        draws=tuple(replay_draws(conn, [r for r in governance_rows if r.type in DRAW_TYPES], in_scope)),
        elections=tuple(
            load_elections(conn, [r for r in governance_rows if r.type == "election.announced"], in_scope)
        ),
    )


def _hub_members(conn: Connection, collective_ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """What the hub knows of every member of the network: their collective, and when they were erased."""
    m = t.members.c
    collective: dict[str, str] = {}
    erased: dict[str, str] = {}
    rows = conn.execute(select(m.id, m.collective_id, m.erased_at).where(m.collective_id.in_(collective_ids)))
    for member_id, collective_id, erased_at in rows:
        collective[member_id] = collective_id
        if erased_at is not None:
            erased[member_id] = erased_at
    return collective, erased


def _members(conn: Connection, collective_ids: list[str], erased_at: dict[str, str]) -> list[MemberFact]:
    seen: set[str] = set()
    facts: list[MemberFact] = []
    for row in read_events(conn, collective_ids, ("member.registered",)):
        member_id = text(row.payload.get("member_id"))
        if not member_id or member_id in seen:
            continue
        seen.add(member_id)
        facts.append(
            MemberFact(
                id=member_id,
                collective_id=text(row.payload.get("collective_id"), row.collective_id),
                quartier=text(row.payload.get("quartier")),
                registered_at=row.corrected_at,
                erased=member_id in erased_at,
            )
        )
    return facts


def _kiosk_acts(conn: Connection, collective_ids: list[str]) -> list[tuple[str, str]]:
    if not collective_ids:
        return []
    # Joined to the kiosks: an event the hub itself wrote into a collective's journal is no kiosk's use.
    rows = Sql(conn).rows(
        "SELECT e.kiosk_id, e.corrected_at FROM events e JOIN kiosks k ON k.id = e.kiosk_id"
        f" WHERE e.collective_id IN ({marks(len(collective_ids))})",
        collective_ids,
    )
    return [(kiosk_id, corrected_at) for kiosk_id, corrected_at in rows]
