"""Workshops replayed from the hub's events (kiosk/projections_workshops.py), and the collective's kiosks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from hub import schema as t
from hub.stats.events import EventRow, number, text, utc_text
from hub.stats.model import ExchangeFact, KioskFact, WorkshopFact

WORKSHOP_TYPES = ("event.scheduled", "event.registered", "event.unregistered", "attendance.checked_in")


@dataclass
class _Workshop:
    row: EventRow
    registered: dict[str, bool] = field(default_factory=dict)  # member id → still registered
    attendees: set[str] = field(default_factory=set)  # member ids and "guest:<id>", each counted once


def replay_workshops(rows: list[EventRow], exchanges: Iterable[ExchangeFact]) -> list[WorkshopFact]:
    workshops: dict[str, _Workshop] = {}
    for row in rows:
        workshop_id = row.payload.get("workshop_id")
        if row.type == "event.scheduled" and isinstance(workshop_id, str) and workshop_id not in workshops:
            workshops[workshop_id] = _Workshop(row)
    for row in rows:
        found = workshops.get(text(row.payload.get("workshop_id")))
        member_id = row.payload.get("member_id")
        if found is None:
            continue
        if row.type in ("event.registered", "event.unregistered") and isinstance(member_id, str):
            found.registered[member_id] = row.type == "event.registered"
        elif row.type == "attendance.checked_in":
            guest = row.payload.get("guest_id")
            attendee = member_id if isinstance(member_id, str) else f"guest:{guest}"
            found.attendees.add(attendee)
    held = {exchange.workshop_id for exchange in exchanges if exchange.workshop_id}
    return [
        WorkshopFact(
            id=workshop_id,
            collective_id=item.row.collective_id,
            theme_id=text(item.row.payload.get("theme_id")),
            title=text(item.row.payload.get("title")),
            starts_at=utc_text(item.row.payload.get("starts_at")) or item.row.corrected_at,
            capacity=number(item.row.payload.get("capacity")),
            registered=sum(item.registered.values()),
            attended=len(item.attendees),
            status="held" if workshop_id in held else "scheduled",
        )
        for workshop_id, item in workshops.items()
    ]


def load_kiosks(conn: Connection, collective_ids: Iterable[str]) -> list[KioskFact]:
    k = t.kiosks.c
    rows = conn.execute(
        select(k.id, k.name, k.collective_id, k.last_seen_at, k.skew_ms, k.pending_events, k.revoked_at)
        .where(k.collective_id.in_(list(collective_ids)))
        .order_by(k.collective_id, k.paired_at)
    )
    return [
        KioskFact(
            id=row.id,
            name=row.name,
            collective_id=row.collective_id,
            last_seen_at=row.last_seen_at,
            skew_ms=row.skew_ms,
            pending_events=row.pending_events,
            revoked_at=row.revoked_at,
        )
        for row in rows
    ]
