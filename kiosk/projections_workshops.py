"""Projections of workshops: scheduled, registrations, and who came in at the door.

Registered into `kiosk.projections` on import; like every projection, reads only the event.
"""

from __future__ import annotations

import json
import sqlite3

from kiosk.journal import Event
from kiosk.projections import projects


@projects("event.scheduled")
def _workshop_scheduled(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "INSERT INTO workshops (id, title, theme_id, starts_at, duration_min, site_id, place,"
        " capacity, animator_ids, status, scheduled_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)",
        (
            p["workshop_id"],
            p["title"],
            p["theme_id"],
            p["starts_at"],
            p["duration_min"],
            p["site_id"],
            p.get("place", ""),
            p["capacity"],
            json.dumps(p["animator_ids"]),
            p.get("scheduled_by"),
        ),
    )


@projects("event.registered")
def _workshop_registered(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "INSERT INTO workshop_registrations (workshop_id, member_id, registered_at, hlc, status)"
        " VALUES (?, ?, ?, ?, 'registered') ON CONFLICT (workshop_id, member_id) DO UPDATE"
        " SET registered_at = excluded.registered_at, hlc = excluded.hlc, status = 'registered'"
        " WHERE workshop_registrations.status = 'cancelled'",
        (p["workshop_id"], p["member_id"], event.occurred_at, event.hlc),
    )


@projects("event.unregistered")
def _workshop_unregistered(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "UPDATE workshop_registrations SET status = 'cancelled' WHERE workshop_id = ? AND member_id = ?",
        (p["workshop_id"], p["member_id"]),
    )


@projects("attendance.checked_in")
def _checked_in(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    member_id = p.get("member_id")
    attendee = member_id or "guest:" + p["guest_id"]
    conn.execute(
        "INSERT OR IGNORE INTO workshop_attendance (workshop_id, attendee, member_id, checked_in_at, hlc)"
        " VALUES (?, ?, ?, ?, ?)",
        (p["workshop_id"], attendee, member_id, event.occurred_at, event.hlc),
    )
