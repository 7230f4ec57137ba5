"""Projections of what the kiosk notices for people: interest in a listing (« ça m'intéresse », shown to
its owner at their next tap, until seen) and taps of cards it does not know (rate limit, librarian's view).

Registered into `kiosk.projections` on import; like every projection, reads only the event.
"""

from __future__ import annotations

import sqlite3

from kiosk.journal import Event
from kiosk.projections import UTC_SQL, projects


@projects("listing.interest_expressed")
def _interest_expressed(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    # Two kiosks offline may each record the same person's interest (same id: it is derived from the listing
    # and the member): the earliest one (hybrid clock) is kept, in whatever order the kiosks learn of them.
    conn.execute(
        "INSERT INTO listing_interests (id, listing_id, member_id, expressed_at, hlc)"
        " VALUES (?, ?, ?, " + UTC_SQL + ", ?) ON CONFLICT (id) DO UPDATE"
        " SET expressed_at = excluded.expressed_at, hlc = excluded.hlc"
        " WHERE excluded.hlc < listing_interests.hlc",
        (p["interest_id"], p["listing_id"], p["member_id"], event.occurred_at, event.hlc),
    )


@projects("listing.interests_seen")
def _interests_seen(conn: sqlite3.Connection, event: Event) -> None:
    """The owner was shown these interests (by id: one expressed meanwhile elsewhere stays new)."""
    ids = [str(interest_id) for interest_id in event.payload["interest_ids"]]
    conn.executemany(
        "UPDATE listing_interests SET seen_at = " + UTC_SQL + " WHERE id = ? AND seen_at IS NULL",
        [(event.occurred_at, interest_id) for interest_id in ids],
    )


@projects("card.unknown_tapped")
def _unknown_tapped(conn: sqlite3.Connection, event: Event) -> None:
    # `last_tapped_at` follows the latest event, not the latest time: after the clock jumped back, the rate
    # limit still compares with the tap just recorded.
    conn.execute(
        "INSERT INTO unknown_card_taps (uid_hash, first_tapped_at, last_tapped_at, taps)"
        " VALUES (?, " + UTC_SQL + ", " + UTC_SQL + ", 1) ON CONFLICT (uid_hash) DO UPDATE"
        " SET last_tapped_at = excluded.last_tapped_at, taps = taps + 1",
        (event.payload["uid_hash"], event.occurred_at, event.occurred_at),
    )
