"""The background sync worker of the kiosk app (DESIGN §3).

A thread with its own store connection. It syncs shortly after local writes (`wake()`, debounced), every
`poll_interval` otherwise (to receive the other kiosks' changes), and after failures with exponential
backoff and jitter. It publishes plain immutable `SyncStatus` objects on the queue it was given; the Kivy
thread drains that queue and shows them. It never touches a widget and never dies of an error.

The HTTP side (requests, pydantic: ~0.1 s to import) is imported when the worker syncs, not with this module:
the app imports `SyncStatus` from here at start, paired or not.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import random
import sys
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.clock import Clock
from kiosk.errors import KioskError
from kiosk.journal import pending_count
from kiosk.store import Store

log = logging.getLogger("kiosk.sync")

# Changes asked of the hub per pull page. Each page is parsed and validated in one call that holds the GIL
# (~11 ms for 1,000 changes on the bench machine, ~1.3 ms for 200) and applied in one write transaction:
# small pages leave the Kivy thread a turn between them, so frames go on while a big backlog arrives.
PULL_PAGE = 200
# Added to this thread's nice value (Linux: per thread): on a 2-core Pi or a busy market stall, the Kivy
# thread and the renderer's threads get the CPU first; the sync only waits while the screen is busy.
WORKER_NICENESS = 10
SYNC_SWITCH_INTERVAL = 0.001  # s: while a sync runs, the Kivy thread waits at most this for the GIL


class SyncState(StrEnum):
    SYNCING = "syncing"
    OK = "ok"
    OFFLINE = "offline"  # will retry by itself
    NOT_PAIRED = "not_paired"
    REVOKED = "revoked"  # the hub revoked this kiosk: a librarian must pair it again
    REFUSED = "refused"  # a definite refusal: shown to the librarian, not retried until told
    OUTDATED = "outdated"  # the hub sends what this kiosk version cannot apply


class _SwitchInterval:
    """The GIL switch interval is process-wide: the first sync running shortens it, the last one to end
    puts back what it was (two workers overlapping must not leave it short)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._saved = 0.0

    def enter(self) -> None:
        with self._lock:
            if self._running == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(SYNC_SWITCH_INTERVAL)
            self._running += 1

    def leave(self) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                sys.setswitchinterval(self._saved)


_shorter_switch_interval = _SwitchInterval()


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState
    pending: int
    rejected: int
    last_success_at: str | None
    last_error: str | None = None
    error_code: str | None = None
    skew_ms: int | None = None
    retry_in: float | None = None  # seconds until the next attempt, when one is planned


def lower_priority() -> None:
    """This thread (only) yields the CPU to the UI's. Where threads have no nice value of their own
    (not Linux), or it cannot be read, the thread keeps its priority: slower frames, not a failure."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + WORKER_NICENESS)
    except (AttributeError, OSError):
        log.debug("sync worker priority unchanged", exc_info=True)


class SyncWorker(threading.Thread):
    def __init__(
        self,
        db_path: Path | str,
        status_queue: queue.Queue[object],
        clock: Clock,
        *,
        hub_url: str | None = None,
        ca_file: str | None = None,
        debounce: float = 2.0,
        poll_interval: float = 60.0,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        rng: random.Random | None = None,
        batch_events: int | None = None,  # None: the protocol's bound (sync_client.protocol)
        pull_limit: int = PULL_PAGE,
    ) -> None:
        super().__init__(name="sync-worker", daemon=True)
        self.db_path = Path(db_path)
        self.status_queue = status_queue
        self.clock = clock
        self.hub_url = hub_url
        self.ca_file = ca_file
        self.debounce = debounce
        self.poll_interval = poll_interval
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.timeouts = (connect_timeout, read_timeout)
        self.rng = rng or random.Random()
        self.engine_options: dict[str, Any] = {"pull_limit": pull_limit}
        if batch_events is not None:
            self.engine_options["batch_events"] = batch_events
        self._cond = threading.Condition()
        self._due = time.monotonic()  # a first sync right at start
        self._stopping = False
        self._blocked = False  # after a definite refusal: wait for `retry_now()`
        self._failures = 0
        self.cycles = 0

    # Called from other threads ---------------------------------------------------------------------

    def wake(self) -> None:
        """A local write happened: sync soon. Writes within `debounce` seconds share one sync."""
        with self._cond:
            # While blocked by a refusal or backing off from failures, writes do not shorten the wait.
            if not self._blocked and not self._failures:
                self._due = min(self._due, time.monotonic() + self.debounce)
                self._cond.notify()

    def retry_now(self) -> None:
        """After the librarian acted on a refusal (re-paired, updated): try again at once."""
        with self._cond:
            self._blocked = False
            self._failures = 0
            self._due = time.monotonic()
            self._cond.notify()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self.join(timeout)

    # The thread ------------------------------------------------------------------------------------

    def run(self) -> None:
        lower_priority()
        store = Store.open(self.db_path)
        try:
            while self._wait_until_due():
                self._cycle(store)
        finally:
            store.close()

    def _wait_until_due(self) -> bool:
        with self._cond:
            while not self._stopping:
                delay = self._due - time.monotonic()
                if delay <= 0 and not self._blocked:
                    self._due = math.inf  # nothing planned after this cycle until it plans it (or wake())
                    return True
                self._cond.wait(None if self._blocked or delay == math.inf else delay)
            return False

    def _cycle(self, store: Store) -> None:
        from sync_client.client import HubClient, HubRefused, HubUnauthorized, HubUnavailable
        from sync_client.engine import KioskTooOld, SyncEngine, read_link

        self.cycles += 1
        link = read_link(store.conn)
        if link is None:
            self._finish(store, SyncState.NOT_PAIRED, None, "not_paired", retry=None, block=False)
            return
        self._publish(store, SyncState.SYNCING)
        client = HubClient(
            self.hub_url or link.hub_url,
            link.token,
            self.ca_file,
            connect_timeout=self.timeouts[0],
            read_timeout=self.timeouts[1],
        )
        _shorter_switch_interval.enter()
        try:
            report = SyncEngine(store, client, self.clock, **self.engine_options).sync_once()
        except HubUnauthorized as error:
            state = SyncState.REVOKED if error.code == "kiosk_revoked" else SyncState.NOT_PAIRED
            self._finish(store, state, error.message, error.code, retry=None, block=True)
        except HubRefused as error:
            self._finish(store, SyncState.REFUSED, error.message, error.code, retry=None, block=True)
        except KioskTooOld as error:
            self._finish(store, SyncState.OUTDATED, str(error), "outdated", retry=None, block=True)
        except HubUnavailable as error:
            self._failures += 1
            delay = max(self._backoff(), error.retry_after or 0.0)
            self._finish(store, SyncState.OFFLINE, error.message, error.code, retry=delay, block=False)
        except KioskError as error:  # the local store (disk full…): the kiosk shows that elsewhere too
            self._failures += 1
            self._finish(
                store, SyncState.OFFLINE, error.text(), error.code, retry=self._backoff(), block=False
            )
        except Exception as error:  # never let the thread die: log it, back off, try again
            log.exception("sync cycle failed")
            self._failures += 1
            self._finish(
                store, SyncState.OFFLINE, repr(error), "unexpected", retry=self._backoff(), block=False
            )
        else:
            self._failures = 0
            self._finish(
                store, SyncState.OK, None, None, retry=self.poll_interval, block=False, skew=report.skew_ms
            )
        finally:
            _shorter_switch_interval.leave()
            client.close()

    def _backoff(self) -> float:
        """Exponential, capped, with jitter (half fixed, half random) so kiosks do not retry in step."""
        # The exponent stops growing long after the cap is reached: 2.0 ** 1024 overflows a float (some three
        # days of failures at the cap), and the error would end the thread.
        doublings = min(max(0, self._failures - 1), 64)
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0**doublings)
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def _finish(
        self,
        store: Store,
        state: SyncState,
        error: str | None,
        code: str | None,
        *,
        retry: float | None,
        block: bool,
        skew: int | None = None,
    ) -> None:
        with self._cond:
            self._blocked = block
            # A wake() during the cycle planned a sync after it: kept, unless the hub refused.
            next_due = time.monotonic() + (retry if retry is not None else self.poll_interval)
            self._due = math.inf if block else min(self._due, next_due)
        self._publish(store, state, error, code, retry if not block else None, skew)

    def _publish(
        self,
        store: Store,
        state: SyncState,
        error: str | None = None,
        code: str | None = None,
        retry: float | None = None,
        skew: int | None = None,
    ) -> None:
        from sync_client.engine import read_link

        link = read_link(store.conn)
        rejected = store.conn.execute("SELECT count(*) FROM sync_rejections").fetchone()[0]
        self.status_queue.put(
            SyncStatus(
                state=state,
                pending=pending_count(store.conn),
                rejected=int(rejected),
                last_success_at=link.last_success_at if link else None,
                last_error=error,
                error_code=code,
                skew_ms=skew if skew is not None else (link.clock_skew_ms if link else None),
                retry_in=retry,
            )
        )
