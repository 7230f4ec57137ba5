"""Push: store a kiosk's events, exactly once each, in the collective's hub sequence.

Events are facts: the hub never drops one because of what it says (a card revoked meanwhile, a member erased
since); it stores it and flags it. It refuses only what it cannot keep or relay: an id reused for another
event (`conflict`), a kiosk seq reused (`seq_reused`), a type it does not know (`unsupported`), a payload the
kiosks' projections could not apply (`invalid`). Those answers are definite: the same event gets the same one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hub import effects
from hub import schema as t
from hub.db import Database
from hub.errors import HubError
from hub.util import iso, parse_iso, utcnow
from hub.wire import change_json
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

_ID_KEYS = ("member_id", "uid_hash", "listing_id", "exchange_id", "workshop_id")


@dataclass(frozen=True)
class KioskAuth:
    kiosk_id: str
    name: str
    collective_id: str
    network_id: str


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
        key for key in _ID_KEYS if key in payload and payload[key] is not None and not _is_id(payload[key])
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


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64


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


def push(db: Database, kiosk: KioskAuth, events: list[Envelope], skew_ms: int | None) -> PushResponse:
    for event in events:
        if event.kiosk_id != kiosk.kiosk_id:
            raise HubError(403, ErrorCode.FORBIDDEN, "Ces évènements viennent d’une autre borne.")
    received_at = iso(utcnow())
    # Checks and rows that need no database are made before the write lock: SQLite has one writer at a time.
    prepared = [_prepare(kiosk, event, skew_ms, received_at) for event in events]

    def work(conn: Connection) -> list[EventResult]:
        return _store(conn, kiosk, events, prepared, skew_ms, received_at)

    results = db.write_retrying(work) if events else []
    return PushResponse(results=results, hub_time=iso(utcnow()), skew_ms=skew_ms)


def _prepare(
    kiosk: KioskAuth, event: Envelope, skew_ms: int | None, received_at: str
) -> tuple[Reason, str] | dict[str, Any]:
    """The reason a new event would be rejected, or its row (hub `seq` still to be assigned)."""
    problem = invalid_reason(event)
    return problem if problem is not None else _row(kiosk, event, 0, skew_ms, received_at)


def _store(
    conn: Connection,
    kiosk: KioskAuth,
    events: list[Envelope],
    prepared: list[tuple[Reason, str] | dict[str, Any]],
    skew_ms: int | None,
    received_at: str,
) -> list[EventResult]:
    # The collective row lock serialises pushes of one collective, so hub sequences commit in order
    # and a pull that saw `last_seq` can never miss a lower one committed later.
    last_seq = conn.execute(
        select(t.collectives.c.last_seq).where(t.collectives.c.id == kiosk.collective_id).with_for_update()
    ).scalar_one()
    _check_collectives(conn, kiosk, events)
    ids = list({event.id for event in events})
    known = {row.id: row for row in conn.execute(select(t.events).where(t.events.c.id.in_(ids)))}
    seqs = list({event.seq for event in events})
    taken: dict[int, str] = {
        row.kiosk_seq: row.id
        for row in conn.execute(
            select(t.events.c.kiosk_seq, t.events.c.id).where(
                t.events.c.kiosk_id == kiosk.kiosk_id, t.events.c.kiosk_seq.in_(seqs)
            )
        )
    }
    results: list[EventResult] = []
    fresh: dict[str, _New] = {}
    for event, ready in zip(events, prepared, strict=True):
        stored = known.get(event.id)
        if stored is not None or event.id in fresh:
            same = (
                _same_envelope(stored, event) if stored is not None else _same_fresh(fresh[event.id], event)
            )
            hub_seq = stored.seq if stored is not None else fresh[event.id].row["seq"]
            results.append(
                EventResult(id=event.id, status=Outcome.DUPLICATE, hub_seq=hub_seq)
                if same
                else EventResult(id=event.id, status=Outcome.REJECTED, reason=Reason.CONFLICT)
            )
            continue
        if event.seq in taken:
            results.append(
                EventResult(
                    id=event.id,
                    status=Outcome.REJECTED,
                    reason=Reason.SEQ_REUSED,
                    detail=f"seq {event.seq} = {taken[event.seq]}",
                )
            )
            continue
        if isinstance(ready, tuple):
            reason, detail = ready
            results.append(EventResult(id=event.id, status=Outcome.REJECTED, reason=reason, detail=detail))
            continue
        last_seq += 1
        taken[event.seq] = event.id
        # a copy: `effects.apply` edits rows, and a retried transaction starts again from `prepared`
        fresh[event.id] = _New(event, dict(event.payload), {**ready, "seq": last_seq})
        # built from values checked above: no validation pass per event (500 of them per batch)
        results.append(EventResult.model_construct(id=event.id, status=Outcome.ACCEPTED, hub_seq=last_seq))
    if fresh:
        batch = list(fresh.values())
        effects.apply(conn, kiosk.collective_id, kiosk.network_id, batch)
        for new in batch:  # after `apply`: payloads and flags are final now
            new.row["change_json"] = change_json(new.row)
        conn.execute(insert(t.events), [new.row for new in batch])
        effects.record_taps(conn, kiosk.network_id, batch)
        conn.execute(
            update(t.collectives).where(t.collectives.c.id == kiosk.collective_id).values(last_seq=last_seq)
        )
    conn.execute(
        update(t.kiosks)
        .where(t.kiosks.c.id == kiosk.kiosk_id)
        .values(last_seen_at=received_at, skew_ms=skew_ms)
    )
    return results


def _same_fresh(new: _New, event: Envelope) -> bool:
    """Twice the same id in one batch: the second is a duplicate only if it is the same event."""
    first = new.event
    return first.model_dump(exclude={"payload"}) == event.model_dump(exclude={"payload"}) and same_payload(
        event.type, first.payload, event.payload
    )


def _check_collectives(conn: Connection, kiosk: KioskAuth, events: list[Envelope]) -> None:
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
    if named and conn.execute(select(t.collectives.c.id).where(t.collectives.c.id.in_(named))).first():
        raise HubError(403, ErrorCode.FORBIDDEN, "Une borne n’écrit que dans son propre collectif.")


def _row(
    kiosk: KioskAuth, event: Envelope, seq: int, skew_ms: int | None, received_at: str
) -> dict[str, Any]:
    member_id = event.payload.get("member_id") if event.type in REDACTABLE_TYPES else None
    return {
        "collective_id": kiosk.collective_id,
        "seq": seq,
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
