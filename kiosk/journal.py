"""The append-only journal (outbox): every change is an event written in the same transaction as the state.

Events are facts. The state tables are a projection of the journal (`kiosk.projections`): replaying the
journal on an empty store gives the same state, which the property tests check.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.clock import HlcState, format_hlc, hlc_receive, hlc_tick, to_ms
from kiosk.ids import new_id

# Payload schema version of each event type. Extend, never rename; bump a version when a payload changes.
EVENT_SCHEMAS: dict[str, int] = {
    "member.registered": 1,
    "member.erased": 1,
    "card.enrolled": 1,
    "card.revoked": 1,
    "listing.published": 1,
    "listing.withdrawn": 1,
    "listing.hidden": 1,  # moderation by a librarian, with a reason
    "listing.restored": 1,  # a hidden listing back on the board
    "exchange.recorded": 1,
    "exchange.confirmed": 1,
    "exchange.declined": 1,
    "exchange.cancelled": 1,
    "event.scheduled": 1,
    "event.registered": 1,
    "event.unregistered": 1,
    "attendance.checked_in": 1,
    "pass.key_published": 1,
    "pass.revoked": 1,
    "listing.interest_expressed": 1,
    "listing.interests_seen": 1,
    "card.unknown_tapped": 1,  # pushed to the hub, which resolves it; never relayed to other kiosks
    # Representatives drawn by lot (issue 8): announced, volunteers, pool frozen, drawn with public dice.
    "draw.announced": 1,
    "draw.volunteered": 1,
    "draw.withdrawn": 1,
    "draw.frozen": 1,
    "draw.performed": 1,
    # Elections by majority judgment: the register says who voted, never how (ballots only at close).
    "election.announced": 1,
    "election.candidate_stood": 1,
    "election.candidate_withdrawn": 1,
    "election.voter_signed": 1,
    "election.closed": 1,
    # Sharing between collectives (issue 9): a member of another collective recognised here by the hub.
    "member.visited": 1,
    # The card key rotation (issue 9): a card known under the current key, tapped here, hashed with the next.
    "card.rekeyed": 1,
}


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    schema: int
    kiosk_id: str
    seq: int
    occurred_at: str
    hlc: str
    clock_synced: bool
    payload: dict[str, Any]

    def envelope(self) -> dict[str, Any]:
        """The wire form (DESIGN §4)."""
        return {
            "id": self.id,
            "type": self.type,
            "schema": self.schema,
            "kiosk_id": self.kiosk_id,
            "seq": self.seq,
            "occurred_at": self.occurred_at,
            "hlc": self.hlc,
            "clock_synced": self.clock_synced,
            "payload": self.payload,
        }


def encode_payload(payload: dict[str, Any]) -> str:
    """Canonical JSON: the same payload always gives the same text (the hub compares them)."""
    if _canonical_encoder is None:
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "".join(_canonical_encoder(payload, 0))


def _make_canonical_encoder() -> Any:
    """`json.dumps(…)` above builds a JSONEncoder and its C encoder at every call: two thirds of its time
    for a payload (the hub encodes each pushed event's: 6 µs each, 2 µs with this one built once). The same
    C encoder of the json module, with the same settings; no check for circular references (a payload is
    data decoded from JSON, or built from it). None where the json module has no C encoder."""
    import json.encoder

    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)  # not in the typeshed stubs
    if c_make_encoder is None:  # pragma: no cover - CPython has it
        return None
    encode_basestring = json.encoder.encode_basestring
    default = json.JSONEncoder().default  # raises TypeError for what JSON cannot hold, as json.dumps does
    return c_make_encoder(None, default, encode_basestring, None, ":", ",", True, False, True)


_canonical_encoder = _make_canonical_encoder()


INSERT_SQL = (
    "INSERT INTO journal (id, type, schema, kiosk_id, seq, occurred_at, hlc, clock_synced, payload,"
    " origin, pushed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def journal_row(event: Event, *, origin: str = "local", pushed: bool = False) -> tuple[object, ...]:
    """The journal table's row for an event, in `INSERT_SQL`'s order (payload in canonical JSON)."""
    return (
        event.id,
        event.type,
        event.schema,
        event.kiosk_id,
        event.seq,
        event.occurred_at,
        event.hlc,
        int(event.clock_synced),
        encode_payload(event.payload),
        origin,
        int(pushed),
    )


def merge_remote_clock(conn: sqlite3.Connection, remote: HlcState, wall_ms: int) -> None:
    """HLC receive rule: our next events order after everything we have seen, whatever our clock says."""
    hlc_ms, hlc_counter = conn.execute("SELECT hlc_ms, hlc_counter FROM kiosk_state WHERE id = 1").fetchone()
    merged = hlc_receive(HlcState(hlc_ms, hlc_counter), remote, wall_ms)
    conn.execute(
        "UPDATE kiosk_state SET hlc_ms = ?, hlc_counter = ? WHERE id = 1", (merged.ms, merged.counter)
    )


def append(
    conn: sqlite3.Connection,
    event_type: str,
    payload: dict[str, Any],
    now: datetime,
    clock_synced: bool,
) -> Event:
    """Write one local event. Must run inside the caller's write transaction (gap-free seq)."""
    kiosk_id, seq, hlc_ms, hlc_counter = conn.execute(
        "SELECT kiosk_id, next_seq, hlc_ms, hlc_counter FROM kiosk_state WHERE id = 1"
    ).fetchone()
    hlc = hlc_tick(HlcState(hlc_ms, hlc_counter), to_ms(now))
    event = Event(
        id=new_id(),
        type=event_type,
        schema=EVENT_SCHEMAS[event_type],
        kiosk_id=kiosk_id,
        seq=seq,
        occurred_at=now.isoformat(timespec="milliseconds"),
        hlc=format_hlc(hlc, kiosk_id),
        clock_synced=clock_synced,
        payload=payload,
    )
    conn.execute(INSERT_SQL, journal_row(event))
    conn.execute(
        "UPDATE kiosk_state SET next_seq = ?, hlc_ms = ?, hlc_counter = ? WHERE id = 1",
        (seq + 1, hlc.ms, hlc.counter),
    )
    return event


def _row_to_event(row: tuple[Any, ...]) -> Event:
    event_id, event_type, schema, kiosk_id, seq, occurred_at, hlc, synced, payload = row
    return Event(
        event_id, event_type, schema, kiosk_id, seq, occurred_at, hlc, bool(synced),
        json.loads(payload),
    )  # fmt: skip


_COLUMNS = "id, type, schema, kiosk_id, seq, occurred_at, hlc, clock_synced, payload"


def read_all(conn: sqlite3.Connection) -> Iterator[Event]:
    """Every event in the order it was applied here."""
    for row in conn.execute(f"SELECT {_COLUMNS} FROM journal ORDER BY pos"):
        yield _row_to_event(row)


def read_local_since(conn: sqlite3.Connection, after_seq: int, limit: int) -> list[Event]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM journal WHERE origin = 'local' AND seq > ? ORDER BY seq LIMIT ?",
        (after_seq, limit),
    ).fetchall()
    return [_row_to_event(row) for row in rows]


def pending_count(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM journal WHERE origin = 'local' AND pushed = 0").fetchone()
    return int(row[0])
