"""Sharing between collectives (issue 9): what this kiosk knows of the other collectives of its network.

Only what someone chose to share reaches it (hub/network.py decides, and makes the `network.*` events):
- `member.visited` (written here, when the hub recognised a visitor's card) and `network.member_known`
  (from the hub: the other side of an exchange, someone interested in a shared listing): a member row with
  pseudonym, quartier and `home_collective` (their collective's name), never contact details nor a card;
- `network.listing_shared`: a listing shown on the board, read-only, its owner one of those rows;
- `network.listing_unshared`: off the board (withdrawn, hidden by its collective, owner erased: blanked);
- `network.relayed`: another collective's event about one of ours (an exchange, an interest, an erasure),
  applied with its own projection.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from kiosk import projections
from kiosk.journal import Event
from kiosk.projections import THEME_LABEL_SQL, projects
from kiosk.text import fold


def _know_member(conn: sqlite3.Connection, p: dict[str, Any], at: str) -> None:
    """A member of another collective, known here by pseudonym and quartier (first news wins; never over
    a member of this collective, nor over an erasure)."""
    conn.execute(
        "INSERT INTO members (id, collective_id, pseudonym, pseudonym_key, quartier, roles, languages,"
        " registered_at, home_collective) VALUES (?, ?, ?, ?, ?, '[\"member\"]', '[]', ?, ?)"
        " ON CONFLICT (id) DO NOTHING",
        (
            p["member_id"],
            p["home_collective_id"],
            p["pseudonym"],
            fold(p["pseudonym"]) or "redacted:" + p["member_id"],
            p["quartier"],
            at,
            p["home_collective_name"] or p["home_collective_id"],
        ),
    )


@projects("member.visited")
def _member_visited(conn: sqlite3.Connection, event: Event) -> None:
    _know_member(conn, event.payload, event.occurred_at)


@projects("network.member_known")
def _member_known(conn: sqlite3.Connection, event: Event) -> None:
    _know_member(conn, event.payload, event.occurred_at)


@projects("network.listing_shared")
def _listing_shared(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _know_member(conn, p, event.occurred_at)
    row = conn.execute(
        "SELECT l.rowid, m.home_collective FROM listings l JOIN members m ON m.id = l.member_id"
        " WHERE l.id = ?",
        (p["listing_id"],),
    ).fetchone()
    if row is not None and row[1] is None:
        return  # a listing of this collective is never rewritten from elsewhere
    values = (p["kind"], p["theme_id"], p["title"], p["description"], p["format"])
    if row is None:  # first shared
        cursor = conn.execute(
            "INSERT INTO listings (id, member_id, kind, theme_id, title, description, format, status,"
            " network_visible, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', 1, ?)",
            (p["listing_id"], p["member_id"], *values, event.occurred_at),
        )
        rowid = cursor.lastrowid
    else:  # shared again (a librarian of its collective restored it)
        rowid = row[0]
        conn.execute(
            "UPDATE listings SET kind = ?, theme_id = ?, title = ?, description = ?, format = ?,"
            " status = 'active', closed_at = NULL, closed_reason = NULL WHERE rowid = ?",
            (*values, rowid),
        )
        conn.execute("DELETE FROM listings_fts WHERE rowid = ?", (rowid,))
    theme = conn.execute(THEME_LABEL_SQL + " WHERE t.id = ?", (p["theme_id"],)).fetchone()
    conn.execute(
        "INSERT INTO listings_fts (rowid, title, description, theme_label) VALUES (?, ?, ?, ?)",
        (rowid, p["title"], p["description"], theme[0] if theme else ""),
    )


@projects("network.listing_unshared")
def _listing_unshared(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    erased = p.get("reason") == "erased"
    conn.execute(
        "UPDATE listings SET status = 'withdrawn', closed_at = ?, closed_reason = ?"
        " WHERE id = ? AND status = 'active'",
        (event.occurred_at, "network:" + str(p.get("reason", "")), p["listing_id"]),
    )
    owner = conn.execute(
        "SELECT m.id FROM listings l JOIN members m ON m.id = l.member_id"
        " WHERE l.id = ? AND m.home_collective IS NOT NULL AND m.erased_at IS NULL",
        (p["listing_id"],),
    ).fetchone()
    if erased and owner is not None:  # its owner erased: nothing of them stays here (board, journal)
        erasure = {"member_id": owner[0]}
        projections.apply(conn, Event(event.id, "member.erased", 1, event.kiosk_id, event.seq,
                                      event.occurred_at, event.hlc, event.clock_synced, erasure))  # fmt: skip


@projects("network.relayed")
def _relayed(conn: sqlite3.Connection, event: Event) -> None:
    inner = event.payload["event"]
    projections.apply(
        conn,
        Event(
            inner["id"],
            inner["type"],
            inner["schema"],
            inner["kiosk_id"],
            inner["seq"],
            inner["occurred_at"],
            inner["hlc"],
            inner["clock_synced"],
            inner["payload"],
        ),
    )
