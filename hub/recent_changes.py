"""Each collective's recent changes, kept by a hub process for its kiosks' pulls.

When 200 kiosks sync at once, the ten kiosks of a collective each pull the same new changes, and the pull's
query was the second costliest statement on PostgreSQL after the pushes' inserts. A process keeps, per
collective, the latest changes it has read (hub sequence, kiosk, type, change text; up to KEEP of them, for
up to COLLECTIVES collectives) and answers a pull from them when they cover it, reading from the database
only the changes committed since.

Stale text is the one danger: an erasure rewrites stored events (hub/effects.py). Each network counts its
erasures (`networks.redactions`, bumped in the erasure's own transaction); a pull reads that count with its
token (hub/auth.kiosk_state), and changes kept under another count are dropped. Otherwise a stored change
never changes, and every sequence up to the `last_seq` a pull read is committed (a push bumps it with its
events, holding the collective's row), so changes read once stay true.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple


class StoredChange(NamedTuple):
    pk: int
    seq: int
    kiosk_id: str
    type: str
    text: bytes  # the change's JSON (hub/wire.py), UTF-8


# Changes with hub sequence in (low, high] read from the database, or None when one has no text yet.
Fetch = Callable[[int, int], list[StoredChange] | None]


@dataclass
class _Kept:
    redactions: int
    since: int  # every change of sequence in (since, upto] is in `changes`
    upto: int
    changes: list[StoredChange]
    seqs: list[int]


class RecentChanges:
    KEEP = 1_000  # changes per collective (about 1 MB)
    COLLECTIVES = 64  # the least recently pulled are forgotten first

    def __init__(self) -> None:
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def between(
        self, collective_id: str, redactions: int, cursor: int, last: int, fetch: Fetch
    ) -> list[StoredChange] | None:
        """Every change of `collective_id` of sequence in (cursor, last], of every kiosk and type, in order;
        None when they are too many to keep (the caller then reads them as before)."""
        with self._lock:
            kept = self._kept.pop(collective_id, None)
            if kept is not None and kept.redactions == redactions:
                self._kept[collective_id] = kept  # now the most recently used
        if kept is None or kept.redactions != redactions or cursor < kept.since:
            if last - cursor > self.KEEP:
                return None
            changes = fetch(cursor, last)
            if changes is not None:
                self._keep(collective_id, _Kept(redactions, cursor, last, changes, [c.seq for c in changes]))
            return changes
        newer: list[StoredChange] = []
        if last > kept.upto:
            if last - kept.upto > self.KEEP:
                return None
            fetched = fetch(kept.upto, last)
            if fetched is None:
                return None
            newer = fetched
            self._extend(collective_id, kept, last, newer)
        start = bisect.bisect_right(kept.seqs, cursor)
        end = bisect.bisect_right(kept.seqs, min(last, kept.upto))
        return kept.changes[start:end] + [change for change in newer if change.seq <= last]

    def _keep(self, collective_id: str, kept: _Kept) -> None:
        with self._lock:
            self._kept.pop(collective_id, None)
            self._kept[collective_id] = kept
            while len(self._kept) > self.COLLECTIVES:
                del self._kept[next(iter(self._kept))]

    def _extend(self, collective_id: str, kept: _Kept, upto: int, newer: list[StoredChange]) -> None:
        changes = kept.changes + newer
        drop = max(0, len(changes) - self.KEEP)
        since = changes[drop - 1].seq if drop else kept.since
        changes = changes[drop:]
        with self._lock:
            if self._kept.get(collective_id) is not kept:
                return  # replaced meanwhile by another request's reading: keep that one
        self._keep(collective_id, _Kept(kept.redactions, since, upto, changes, [c.seq for c in changes]))
