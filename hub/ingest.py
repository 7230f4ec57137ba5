"""Push: store a kiosk's events, exactly once each, in the collective's hub sequence.

Events are facts: the hub never drops one because of what it says (a card revoked meanwhile, a member erased
since); it stores it and flags it. It refuses only what it cannot keep or relay: an id reused for another
event (`conflict`), a kiosk seq reused (`seq_reused`), a type it does not know (`unsupported`), a payload the
kiosks' projections could not apply (`invalid`). Those answers are definite: the same event gets the same one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.exc import NoResultFound

from hub import effects, network
from hub.auth import KioskAuth, kiosk_and_last_seq
from hub.db import Database
from hub.errors import HubError
from hub.sql import Sql
from hub.util import iso, parse_iso, utcnow
from hub.wire import EVENT_COLUMNS, Result, change_json, push_json
from sync_client.protocol import (
    EVENT_TYPES,
    REDACTABLE_TYPES,
    REQUIRED_KEYS,
    Envelope,
    ErrorCode,
    EventResult,
    Outcome,
    PushResponse,
    Reason,
    canonical,
    same_payload,
)

__all__ = ["KioskAuth", "PushBatch", "invalid_reason", "push", "push_for_token"]

_ID_KEYS = ("member_id", "uid_hash", "listing_id", "exchange_id", "workshop_id")
# A member id is kept in 36-character columns (members, cards, events): a longer one, which no kiosk makes
# (they make UUIDs), is refused as invalid, where PostgreSQL's refusal to store it was a 500 at every retry.
_LONGEST = {"member_id": 36}


@dataclass
class _New:
    event: Envelope
    payload: dict[str, Any]
    row: dict[str, Any]
    flags: list[str] = field(default_factory=list)


def invalid_reason(event: Envelope) -> tuple[Reason, str] | None:
    """Why the hub cannot keep or relay this new event, or None."""
    known = EVENT_TYPES.get(event.type)
    if known is None or event.schema_ > known:
        return Reason.UNSUPPORTED, f"{event.type} v{event.schema_}"
    payload = event.payload
    missing = [key for key in REQUIRED_KEYS.get(event.type, ()) if key not in payload]
    if missing:
        return Reason.INVALID, "missing: " + ", ".join(missing)
    wrong = [
        key
        for key in _ID_KEYS
        if key in payload and payload[key] is not None and not _is_id(payload[key], _LONGEST.get(key, 64))
    ]
    if wrong:
        return Reason.INVALID, "not an id: " + ", ".join(wrong)
    if event.type == "exchange.recorded":
        parts = payload["participants"]
        if not isinstance(parts, list) or not all(
            isinstance(p, dict) and "role" in p and "confirmed" in p for p in parts
        ):
            return Reason.INVALID, "participants"
    if event.type == "listing.interests_seen":
        ids = payload["interest_ids"]
        if not (isinstance(ids, list) and all(_is_id(i) for i in ids)):
            return Reason.INVALID, "interest_ids"
    return None


def _is_id(value: Any, longest: int = 64) -> bool:
    return isinstance(value, str) and 0 < len(value) <= longest


def corrected_time(event: Envelope, skew_ms: int | None) -> str:
    """The hub's best estimate of when it happened: the kiosk's time, less the skew measured on this request,
    unless the kiosk says its clock was known good when it recorded the event."""
    occurred = parse_iso(event.occurred_at)
    if event.clock_synced or skew_ms is None:
        return iso(occurred)
    return iso(occurred - timedelta(milliseconds=skew_ms))


def _same_envelope(stored: Any, event: Envelope) -> bool:
    return (
        stored.type == event.type
        and stored.schema == event.schema_
        and stored.kiosk_id == event.kiosk_id
        and stored.kiosk_seq == event.seq
        and stored.occurred_at == event.occurred_at
        and stored.hlc == event.hlc
        and bool(stored.clock_synced) == event.clock_synced
        and same_payload(event.type, json.loads(stored.payload), event.payload)
    )


class PushBatch:
    """A kiosk's events, checked and turned into rows before the write transaction: SQLite has one writer
    at a time, so nothing that needs no database is done while holding it."""

    def __init__(self, events: list[Envelope], skew_ms: int | None, pending: int | None = None) -> None:
        self.events = events
        self.skew_ms = skew_ms
        self.pending = pending
        self.received_at = iso(utcnow())
        self.prepared = [_prepare(event, skew_ms, self.received_at) for event in events]

    def store(self, conn: Connection, kiosk: KioskAuth, last_seq: int | None = None) -> list[Result]:
        """Store the batch for `kiosk`. `last_seq`: its collective's hub sequence, when the caller already
        read (and locked) it in this transaction."""
        for event in self.events:
            if event.kiosk_id != kiosk.kiosk_id:
                raise HubError(403, ErrorCode.FORBIDDEN, "Ces évènements viennent d’une autre borne.")
        if not self.events:
            return []
        if last_seq is None:
            last_seq = _lock_last_seq(Sql(conn), kiosk)
        seen = _Seen(self.received_at, self.skew_ms, self.pending)
        return _store(conn, kiosk, self.events, self.prepared, last_seq, seen)

    def response(self, results: list[Result]) -> PushResponse:
        answers = [
            EventResult(id=id_, status=status, reason=reason, detail=detail, hub_seq=hub_seq)
            for id_, status, reason, detail, hub_seq in results
        ]
        return PushResponse(results=answers, hub_time=iso(utcnow()), skew_ms=self.skew_ms)


def push(
    db: Database, kiosk: KioskAuth, events: list[Envelope], skew_ms: int | None, pending: int | None = None
) -> PushResponse:
    for event in events:  # before any work
        if event.kiosk_id != kiosk.kiosk_id:
            raise HubError(403, ErrorCode.FORBIDDEN, "Ces évènements viennent d’une autre borne.")
    batch = PushBatch(events, skew_ms, pending)
    results = db.write_retrying(lambda conn: batch.store(conn, kiosk)) if events else []
    return batch.response(results)


async def push_for_token(
    db: Database,
    token: str,
    events: list[Envelope],
    skew_ms: int | None,
    check: Callable[[KioskAuth], None],
    pending: int | None = None,
) -> str:
    """`push` for the kiosk of `token` (401 otherwise; then `check`, which may refuse it), as the JSON text
    of its `PushResponse`. The token is checked inside the push's own write transaction."""

    def work(conn: Connection) -> list[Result]:
        kiosk, last_seq = kiosk_and_last_seq(conn, token, lock=bool(events))
        check(kiosk)
        return batch.store(conn, kiosk, last_seq)

    batch = PushBatch(events, skew_ms, pending)
    if events:
        results = await db.write_async(work)
    else:  # nothing to write: a read is enough
        results = await db.read_async(work)
    return push_json(results, iso(utcnow()), skew_ms)


def _prepare(event: Envelope, skew_ms: int | None, received_at: str) -> tuple[Reason, str] | dict[str, Any]:
    """The reason a new event would be rejected, or its row (collective and hub `seq` still to be set)."""
    problem = invalid_reason(event)
    return problem if problem is not None else _row(event, skew_ms, received_at)


_event_values = itemgetter(*EVENT_COLUMNS)


class _Seen(NamedTuple):
    """What the hub notes of the kiosk at each push: when, its clock skew, what it said was left to send."""

    at: str
    skew_ms: int | None
    pending: int | None


class _Stored(NamedTuple):
    """An event already stored under an id the batch sends again."""

    id: str
    seq: int
    type: str
    schema: int
    kiosk_id: str
    kiosk_seq: int
    occurred_at: str
    hlc: str
    clock_synced: Any
    payload: str


_STORED_SQL = "SELECT " + ", ".join(_Stored._fields) + " FROM events"


def _lock_last_seq(sql: Sql, kiosk: KioskAuth) -> int:
    # The collective row lock serialises pushes of one collective, so hub sequences commit in order
    # and a pull that saw `last_seq` can never miss a lower one committed later.
    locked = " FOR UPDATE" if sql.postgres else ""  # SQLite: one writer at a time anyway
    found = sql.first("SELECT last_seq FROM collectives WHERE id = ?" + locked, (kiosk.collective_id,))
    if found is None:
        raise NoResultFound(f"collective {kiosk.collective_id}")
    last_seq: int = found[0]
    return last_seq


def _store(
    conn: Connection,
    kiosk: KioskAuth,
    events: list[Envelope],
    prepared: list[tuple[Reason, str] | dict[str, Any]],
    last_seq: int,
    seen: _Seen,
) -> list[Result]:
    sql = Sql(conn)
    _check_collectives(sql, kiosk, events)
    ids, seqs = {event.id for event in events}, {event.seq for event in events}
    # One statement, two indexed look-ups (a probe per key, Sql.probe): events already stored under these
    # ids, and this kiosk's events already stored under these seqs.
    by_id, id_params = sql.probe(f"{_STORED_SQL} WHERE TRUE", (), "id", list(ids))
    by_seq, seq_params = sql.probe(
        f"{_STORED_SQL} WHERE kiosk_id = ?", (kiosk.kiosk_id,), "kiosk_seq", list(seqs), "bigint"
    )
    stored_rows = sql.rows(f"{by_id} UNION ALL {by_seq}", [*id_params, *seq_params])
    known: dict[str, _Stored] = {}
    taken: dict[int, str] = {}
    for values in stored_rows:
        before = _Stored(*values)
        if before.id in ids:
            known[before.id] = before
        if before.kiosk_id == kiosk.kiosk_id and before.kiosk_seq in seqs:
            taken[before.kiosk_seq] = before.id
    results: list[Result] = []
    fresh: dict[str, _New] = {}
    for event, ready in zip(events, prepared, strict=True):
        stored = known.get(event.id)
        if stored is not None or event.id in fresh:
            same = (
                _same_envelope(stored, event) if stored is not None else _same_fresh(fresh[event.id], event)
            )
            hub_seq = stored.seq if stored is not None else fresh[event.id].row["seq"]
            results.append(
                (event.id, Outcome.DUPLICATE, None, "", hub_seq)
                if same
                else (event.id, Outcome.REJECTED, Reason.CONFLICT, "", None)
            )
            continue
        if event.seq in taken:
            detail = f"seq {event.seq} = {taken[event.seq]}"
            results.append((event.id, Outcome.REJECTED, Reason.SEQ_REUSED, detail, None))
            continue
        if isinstance(ready, tuple):
            reason, detail = ready
            results.append((event.id, Outcome.REJECTED, reason, detail, None))
            continue
        last_seq += 1
        taken[event.seq] = event.id
        # a copy: `effects.apply` edits rows, and a retried transaction starts again from `prepared`
        row = {**ready, "collective_id": kiosk.collective_id, "seq": last_seq}
        fresh[event.id] = _New(event, dict(event.payload), row)
        results.append((event.id, Outcome.ACCEPTED, None, "", last_seq))
    if fresh:
        batch = list(fresh.values())
        learned = effects.apply(conn, kiosk.collective_id, kiosk.network_id, batch)
        for new in batch:  # after `apply`: payloads and flags are final now
            new.row["change_json"] = change_json(new.row)
        sql.insert("events", EVENT_COLUMNS, [_event_values(new.row) for new in batch])
        homes = effects.write(conn, kiosk.collective_id, kiosk.network_id, batch, learned)
        effects.record_taps(conn, kiosk.network_id, batch)
        network.share_batch(conn, kiosk.collective_id, kiosk.network_id, batch, homes)  # issue 9
    _note(sql, kiosk, last_seq if fresh else None, seen)
    return results


_SEEN_SQL = "UPDATE kiosks SET last_seen_at = ?, skew_ms = ?, pending_events = ? WHERE id = ?"
_SEQ_SQL = "UPDATE collectives SET last_seq = ? WHERE id = ?"


def _note(sql: Sql, kiosk: KioskAuth, last_seq: int | None, seen: _Seen) -> None:
    """The collective's new hub sequence (when the batch brought new events) and what the hub saw of the
    kiosk. PostgreSQL: both in one statement, one round trip."""
    seen_params = (seen.at, seen.skew_ms, seen.pending, kiosk.kiosk_id)
    if last_seq is None:
        sql.send(_SEEN_SQL, seen_params)
    elif sql.postgres:
        sql.send(f"WITH bumped AS ({_SEQ_SQL}) {_SEEN_SQL}", (last_seq, kiosk.collective_id, *seen_params))
    else:
        sql.send(_SEQ_SQL, (last_seq, kiosk.collective_id))
        sql.send(_SEEN_SQL, seen_params)


def _same_fresh(new: _New, event: Envelope) -> bool:
    """Twice the same id in one batch: the second is a duplicate only if it is the same event."""
    first = new.event
    return first.model_dump(exclude={"payload"}) == event.model_dump(exclude={"payload"}) and same_payload(
        event.type, first.payload, event.payload
    )


def _check_collectives(sql: Sql, kiosk: KioskAuth, events: list[Envelope]) -> None:
    """A payload naming another collective of this hub is an attempt to write there: 403.

    Collective ids the hub does not know are let through: a kiosk that ran standalone before pairing
    registered its first members under its local `[collective] id`, and those facts stay as they were.
    """
    named = {
        str(event.payload["collective_id"])
        for event in events
        if isinstance(event.payload.get("collective_id"), str)
        and event.payload["collective_id"] != kiosk.collective_id
    }
    if not named:
        return
    among, params = sql.among("id", list(named))
    if sql.first(f"SELECT id FROM collectives WHERE {among}", params):
        raise HubError(403, ErrorCode.FORBIDDEN, "Une borne n’écrit que dans son propre collectif.")


def _row(event: Envelope, skew_ms: int | None, received_at: str) -> dict[str, Any]:
    member_id = event.payload.get("member_id") if event.type in REDACTABLE_TYPES else None
    return {
        "id": event.id,
        "type": event.type,
        "schema": event.schema_,
        "kiosk_id": event.kiosk_id,
        "kiosk_seq": event.seq,
        "occurred_at": event.occurred_at,
        "hlc": event.hlc,
        "clock_synced": event.clock_synced,
        "payload": canonical(event.payload),
        "received_at": received_at,
        "skew_ms": skew_ms,
        "corrected_at": corrected_time(event, skew_ms),
        "flags": "[]",
        "member_id": member_id if isinstance(member_id, str) else None,
        "redacted": False,
    }
