"""Projections of draws by lot: announced, volunteers and withdrawals, the frozen pool, the performed record.

Registered into `kiosk.projections` on import; like every projection, reads only the event. The pool of a
draw is what its `draw.frozen` event names: a volunteer whose event arrives after the freeze (synced late
from another kiosk) is kept, as the fact it is, but `in_pool` says whether the frozen pool holds it — the
same answer on every kiosk, whatever order the events came in.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kiosk.journal import Event, encode_payload
from kiosk.projections import projects


def _json(value: Any) -> str | None:
    """Canonical JSON (as the journal's payloads), None kept as NULL."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@projects("draw.announced")
def _draw_announced(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "INSERT OR IGNORE INTO draws (id, theme_id, title, seats, cutoff, randomness_source, quotas,"
        " attributes_asked, announced_by, announced_at, hlc, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'announced')",
        (
            p["draw_id"],
            p["theme_id"],
            p["title"],
            p["seats"],
            p["cutoff"],
            p["randomness_source"],
            _json(p.get("quotas", [])),
            _json(p.get("attributes_asked", [])),
            p.get("announced_by"),
            event.occurred_at,
            event.hlc,
        ),
    )


@projects("draw.volunteered")
def _draw_volunteered(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    consent = bool(p.get("consent"))
    attributes = encode_payload(p.get("attributes") or {}) if consent else "{}"
    member_id = (
        p.get("member_id") or None
    )  # "" once the member asked to be erased: the ticket stays, unlinked
    conn.execute(
        "INSERT INTO draw_volunteers (draw_id, ticket, member_id, consent, attributes, volunteered_at,"
        " status, in_pool) VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT CASE WHEN pool_tickets IS NULL THEN NULL"
        " ELSE EXISTS (SELECT 1 FROM json_each(pool_tickets) WHERE value = ?) END FROM draws WHERE id = ?))"
        " ON CONFLICT (draw_id, ticket) DO UPDATE SET consent = excluded.consent,"
        " attributes = excluded.attributes, volunteered_at = excluded.volunteered_at,"
        " status = excluded.status"
        " WHERE draw_volunteers.member_id IS excluded.member_id",  # a ticket is never someone else's
        (
            p["draw_id"],
            p["ticket"],
            member_id,
            int(consent),
            attributes,
            event.occurred_at,
            "volunteered" if member_id else "withdrawn",
            p["ticket"],
            p["draw_id"],
        ),
    )


@projects("draw.withdrawn")
def _draw_withdrawn(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "UPDATE draw_volunteers SET status = 'withdrawn' WHERE draw_id = ? AND ticket = ?",
        (p["draw_id"], p["ticket"]),
    )


@projects("draw.frozen")
def _draw_frozen(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    updated = conn.execute(
        "UPDATE draws SET status = 'frozen', pool_hash = ?, pool_tickets = ?, category_counts = ?,"
        " panels_hash = ?, panels = ?, probabilities = ?, frozen_by = ?, frozen_at = ?"
        " WHERE id = ? AND status = 'announced'",  # the first freeze stands
        (
            p["pool_hash"],
            _json(sorted(p["tickets"])),
            _json(p.get("category_counts") or {}),
            p.get("panels_hash"),
            _json(p.get("panels")),
            _json(p.get("probabilities")),
            p.get("frozen_by"),
            event.occurred_at,
            p["draw_id"],
        ),
    ).rowcount
    if updated:
        conn.execute(
            "UPDATE draw_volunteers SET in_pool = EXISTS (SELECT 1 FROM json_each(?) WHERE value = ticket)"
            " WHERE draw_id = ?",
            (json.dumps(p["tickets"]), p["draw_id"]),
        )


@projects("draw.performed")
def _draw_performed(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    updated = conn.execute(
        "UPDATE draws SET status = 'performed', randomness = ? WHERE id = ? AND status = 'frozen'",
        (p["randomness"], p["draw_id"]),
    ).rowcount
    if updated:  # the first draw stands: a second one (two kiosks at once) is kept in the journal only
        conn.execute(
            "INSERT INTO draw_records (draw_id, record, performed_at, performed_by) VALUES (?, ?, ?, ?)",
            (p["draw_id"], encode_payload(p["record"]), event.occurred_at, p.get("performed_by")),
        )


def erase_volunteer(conn: sqlite3.Connection, member_id: str) -> None:
    """GDPR erasure (from `member.erased`): the member's tickets are withdrawn and unlinked in the state.

    The journal keeps its events unchanged: their member id leads to no one once the member is erased (as
    for listings and exchanges), the hub refuses events without a valid id, and a frozen pool's hash covers
    the tickets and their answers, so changing them would make a published draw impossible to check.
    """
    conn.execute(
        "UPDATE draw_volunteers SET member_id = NULL, status = 'withdrawn' WHERE member_id = ?", (member_id,)
    )
