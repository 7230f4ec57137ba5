"""Projections of moderation: a librarian hides a listing (with a reason) or puts it back on the board.

A hidden listing keeps its row, its text and its search entry: every reader of the board (search, matches,
Accueil, interests) only sees `status = 'active'`, so hiding needs no other change and restoring is exact.
Registered into `kiosk.projections` on import; like every projection, reads only the event.
"""

from __future__ import annotations

import sqlite3

from kiosk.journal import Event
from kiosk.projections import projects


@projects("listing.hidden")
def _listing_hidden(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    # Only an active listing: one its owner withdrew (or an erasure blanked) meanwhile stays as it is.
    conn.execute(
        "UPDATE listings SET status = 'hidden', hidden_reason = ?, closed_at = ?, closed_reason = ?"
        " WHERE id = ? AND status = 'active'",
        (p.get("reason", ""), event.occurred_at, p.get("reason", ""), p["listing_id"]),
    )


@projects("listing.restored")
def _listing_restored(conn: sqlite3.Connection, event: Event) -> None:
    conn.execute(
        "UPDATE listings SET status = 'active', hidden_reason = NULL, closed_at = NULL, closed_reason = NULL"
        " WHERE id = ? AND status = 'hidden'",
        (event.payload["listing_id"],),
    )
