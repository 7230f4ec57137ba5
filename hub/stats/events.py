"""Reading the hub's `events` table for statistics: one query per family of event types, decoded in Python.

Payloads are JSON text (canonical, possibly redacted by an erasure): decoding them here keeps the queries the
same on SQLite and PostgreSQL, and one pass over a family's rows is fast enough for a network of 100,000
members (see tests/hub/test_stats.py and the report of issue 9).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection

from hub.sql import Sql, marks
from hub.util import iso


class EventRow(NamedTuple):
    pk: int
    type: str
    collective_id: str
    kiosk_id: str
    corrected_at: str  # the hub's estimate, UTC (hub.util.iso)
    skew_ms: int  # what the hub took off the kiosk's clock for `corrected_at` (0: clock known good)
    payload: dict[str, Any]


def read_events(conn: Connection, collective_ids: Iterable[str], types: Sequence[str]) -> list[EventRow]:
    """Every event of these types recorded by kiosks of these collectives, in hub order (pk)."""
    ids = list(collective_ids)
    if not ids or not types:
        return []
    rows = Sql(conn).rows(
        "SELECT pk, type, collective_id, kiosk_id, corrected_at, clock_synced, skew_ms, payload FROM events"
        f" WHERE collective_id IN ({marks(len(ids))}) AND type IN ({marks(len(types))}) ORDER BY pk",
        [*ids, *types],
    )
    decode = json.loads
    return [
        EventRow(pk, kind, c, k, fixed, 0 if synced or skew is None else int(skew), _object(decode(text)))
        for pk, kind, c, k, fixed, synced, skew, text in rows
    ]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_moment(text: Any) -> datetime | None:
    """An ISO 8601 moment with its offset, or None (no offset, not a time: a kiosk of another version)."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def utc_text(text: Any) -> str | None:
    moment = parse_moment(text)
    return None if moment is None else iso(moment)


def corrected(row: EventRow, declared: Any) -> str:
    """A time a payload declares (an exchange's `occurred_at`), moved as the hub moved the event's own time.

    The hub corrects an event recorded with an unsynced clock by the skew it measured (hub/ingest.py); the
    times in its payload came from the same clock, so they move by the same amount.
    """
    moment = parse_moment(declared)
    if moment is None:
        return row.corrected_at
    return iso(moment - timedelta(milliseconds=row.skew_ms))


def text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def number(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
