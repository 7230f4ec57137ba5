"""Projections of elections: announced, candidacies, the sign-in register, and the close with its ballots.

Registered into `kiosk.projections` on import; like every projection, reads only the event. The register
says who voted and never how; no event carries a ballot before `election.closed`, which carries the whole
box of a booth election shuffled (the box itself is local: `ballot_box`, written by the booth's service).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kiosk.journal import Event, encode_payload
from kiosk.projections import projects


@projects("election.announced")
def _election_announced(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "INSERT OR IGNORE INTO elections (id, title, theme_id, seats, mode, kiosk_id, candidacy_until,"
        " opens_at, closes_at, announced_by, announced_at, hlc, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'announced')",
        (
            p["election_id"],
            p["title"],
            p.get("theme_id"),
            p["seats"],
            p["mode"],
            p.get("kiosk_id"),
            p["candidacy_until"],
            p["opens_at"],
            p["closes_at"],
            p.get("announced_by"),
            event.occurred_at,
            event.hlc,
        ),
    )


@projects("election.candidate_stood")
def _candidate_stood(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "INSERT INTO election_candidates (election_id, member_id, statement, status)"
        " VALUES (?, ?, ?, 'standing') ON CONFLICT (election_id, member_id) DO UPDATE"
        " SET statement = excluded.statement, status = 'standing'",
        (p["election_id"], p["member_id"], p.get("statement", "")),
    )


@projects("election.candidate_withdrawn")
def _candidate_withdrawn(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "UPDATE election_candidates SET status = 'withdrawn' WHERE election_id = ? AND member_id = ?",
        (p["election_id"], p["member_id"]),
    )


@projects("election.voter_signed")
def _voter_signed(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "INSERT OR IGNORE INTO election_register (election_id, member_id, via) VALUES (?, ?, ?)",
        (p["election_id"], p["member_id"], p.get("via", "kiosk")),
    )


@projects("election.closed")
def _election_closed(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    ballots = json.dumps(p.get("ballots", []), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    conn.execute(
        "UPDATE elections SET status = 'closed', closed_at = ?, closed_by = ?, ballots = ?"
        " WHERE id = ? AND status = 'announced'",  # the first close stands
        (event.occurred_at, p.get("closed_by"), ballots, p["election_id"]),
    )


def erase_candidate(conn: sqlite3.Connection, member_id: str) -> None:
    """GDPR erasure (called from `member.erased`): a candidate's own words go; that they stood stays, under
    « Membre effacé », so ballots and results still add up. The register keeps its rows: « a voté » under an
    id that no longer leads to anyone, needed for the count of voters to match the ballots."""
    conn.execute("UPDATE election_candidates SET statement = '' WHERE member_id = ?", (member_id,))
    rows = conn.execute(
        "SELECT pos, payload FROM journal WHERE type = 'election.candidate_stood'"
        " AND json_extract(payload, '$.member_id') = ?",
        (member_id,),
    ).fetchall()
    for pos, text in rows:
        payload: dict[str, Any] = {**json.loads(text), "statement": ""}
        conn.execute("UPDATE journal SET payload = ? WHERE pos = ?", (encode_payload(payload), pos))
