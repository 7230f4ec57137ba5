"""The sync worker gives way to the UI (issue 5: frames while a backlog syncs): a lower OS priority for its
thread only, and a shorter GIL switch interval while a sync runs, restored after it."""

from __future__ import annotations

import os
import queue
import socket
import sys
import threading

import pytest

from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.services import Services
from sync_client.worker import SYNC_SWITCH_INTERVAL, WORKER_NICENESS, SyncState, SyncWorker, lower_priority

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values: Linux")


@linux_only
def test_only_the_worker_thread_is_lowered() -> None:
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict[str, int] = {}

    def worker() -> None:
        me = threading.get_native_id()
        seen["before"] = os.getpriority(os.PRIO_PROCESS, me)
        lower_priority()
        seen["after"] = os.getpriority(os.PRIO_PROCESS, me)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["after"] == min(19, seen["before"] + WORKER_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before


def closed_port() -> int:
    """A local port nothing listens on: the hub is « unreachable » at once (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_sync_shortens_the_switch_interval_while_it_runs_and_restores_it(
    config: Config, services: Services, clock: FixedClock
) -> None:
    with services.store.transaction() as conn:
        conn.execute(
            "INSERT INTO hub_link (id, hub_url, token, kiosk_name, collective_id, network_id, paired_at)"
            " VALUES (1, ?, 'jeton', 'Borne', 'c', 'n', '2026-11-25T10:00:00+01:00')",
            (f"http://127.0.0.1:{closed_port()}",),
        )
    statuses: queue.Queue[object] = queue.Queue()
    worker = SyncWorker(config.database_path, statuses, clock, connect_timeout=2.0)
    during: list[float] = []
    publish = worker._publish

    def watch(*args: object, **kwargs: object) -> None:  # each status: while syncing, then the outcome
        during.append(sys.getswitchinterval())
        publish(*args, **kwargs)  # type: ignore[arg-type]

    worker._publish = watch  # type: ignore[method-assign]
    original = sys.getswitchinterval()
    before = 0.005  # Python's default, set here: what matters is that it comes back
    sys.setswitchinterval(before)
    worker.start()
    try:
        first, outcome = statuses.get(timeout=10), statuses.get(timeout=10)
    finally:
        worker.stop()
        restored = sys.getswitchinterval()
        sys.setswitchinterval(original)
    assert getattr(first, "state", None) == SyncState.SYNCING
    assert getattr(outcome, "state", None) == SyncState.OFFLINE
    # « syncing » is published before the attempt, its outcome while the attempt still runs
    assert during == [before, SYNC_SWITCH_INTERVAL]
    assert restored == before  # restored once the attempt failed


def test_overlapping_syncs_put_the_interval_back_only_when_the_last_one_ends() -> None:
    """Two workers (two kiosks in one test process, as the hub tests run them) overlap: the one that
    started first ends first; the interval stays short until the other ends, then comes back."""
    from sync_client.worker import _SwitchInterval

    original = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    guard = _SwitchInterval()
    try:
        guard.enter()  # worker A
        guard.enter()  # worker B
        guard.leave()  # A ends
        assert sys.getswitchinterval() == SYNC_SWITCH_INTERVAL
        guard.leave()  # B ends
        assert sys.getswitchinterval() == 0.005
    finally:
        sys.setswitchinterval(original)
