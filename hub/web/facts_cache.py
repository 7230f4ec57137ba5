"""The coordinators' pages read one scope's facts again only when they may have changed.

`load_facts` replays a scope's events (seconds for a network of 100,000 members); a coordinator going from
page to page asks for the same facts each time. They are kept per scope and reused while nothing they come
from changed. New events and kiosks' syncs (every push, on a busy hub) may wait `FRESH_S` seconds: figures a
few seconds late are fine on these pages. A kiosk paired or revoked shows at once: the coordinator who just
did it looks for it. One computation per scope at a time: a second request waits for the first instead of
doing the same work beside it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import NamedTuple

from sqlalchemy import Connection

from hub.sql import Sql
from hub.stats.facts import Facts, Scope, load_facts

FRESH_S = 30.0
KEPT_SCOPES = 16


class FactsCache:
    def __init__(self, fresh_s: float = FRESH_S, kept: int = KEPT_SCOPES) -> None:
        self.fresh_s = fresh_s
        self.kept = kept
        self._entries: OrderedDict[Scope, tuple[_Fingerprint, float, Facts]] = OrderedDict()
        self._locks: dict[Scope, threading.Lock] = {}
        self._guard = threading.Lock()

    def facts(self, conn: Connection, scope: Scope) -> Facts:
        newest = _fingerprint(conn)
        with self._guard:
            lock = self._locks.setdefault(scope, threading.Lock())
        with lock:
            with self._guard:
                entry = self._entries.get(scope)
            if entry is not None:
                seen, at, facts = entry
                if seen == newest or (
                    seen.kiosks_changed == newest.kiosks_changed and time.monotonic() - at < self.fresh_s
                ):
                    return facts
            facts = load_facts(conn, scope)
            with self._guard:
                self._entries[scope] = (newest, time.monotonic(), facts)
                self._entries.move_to_end(scope)
                while len(self._entries) > self.kept:
                    self._entries.popitem(last=False)
            return facts


class _Fingerprint(NamedTuple):
    newest_event: object
    kiosks_seen: object  # the latest sync of any kiosk
    kiosks_changed: tuple[object, ...]  # how many kiosks, the latest paired, the latest revoked


def _fingerprint(conn: Connection) -> _Fingerprint:
    """Changes whenever an event is stored or a kiosk is paired, seen, or revoked (two small reads)."""
    sql = Sql(conn)
    events = sql.first("SELECT max(pk) FROM events")
    kiosks = sql.first("SELECT max(last_seen_at), count(*), max(paired_at), max(revoked_at) FROM kiosks")
    assert events is not None and kiosks is not None  # aggregates always answer one row
    return _Fingerprint(events[0], kiosks[0], tuple(kiosks[1:]))
