"""Faults, each repeated until it has hit every phase of a sync: nothing lost, nothing twice.

The network faults come from our own TCP proxy (fault_proxy.py): a real network cannot lose an answer on
demand. The hub crash is a real SIGKILL of the real uvicorn process, restarted on the same database.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from hub import schema as t
from sync_client.worker import SyncWorker
from tests.hub.fault_proxy import FAULTS, FaultProxy
from tests.hub.kiosks import HubHandle, Kiosk, state

pytestmark = pytest.mark.slow
FAST_RETRY = {"backoff_base": 0.05, "backoff_cap": 0.4, "debounce": 0.05, "poll_interval": 0.2}
_names = itertools.count(1)


def hub_holds_exactly(hub: HubHandle, collective: str, kiosks: list[Kiosk]) -> None:
    with hub.db.read() as conn:
        rows = conn.execute(
            select(t.events.c.id, t.events.c.kiosk_id, t.events.c.kiosk_seq, t.events.c.seq).where(
                t.events.c.collective_id == collective
            )
        ).all()
    ids = [row.id for row in rows]
    assert len(ids) == len(set(ids)), "an event is on the hub twice"
    expected = set().union(*(k.local_ids() for k in kiosks))
    assert set(ids) == expected, f"lost: {len(expected - set(ids))}, unknown: {len(set(ids) - expected)}"
    for kiosk in kiosks:
        seqs = sorted(row.kiosk_seq for row in rows if row.kiosk_id == kiosk.kiosk_id)
        assert seqs == list(range(1, len(seqs) + 1))
    assert sorted(row.seq for row in rows) == list(range(1, len(rows) + 1)), "hub sequence has gaps"


def activity(kiosk: Kiosk, prefix: str, members: int = 2) -> None:
    for _ in range(members):
        member = kiosk.member(f"{prefix} {next(_names)}")
        kiosk.card(member)


@contextmanager
def running(workers: list[SyncWorker]) -> Iterator[None]:
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        for worker in workers:
            worker.stop()


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, pause: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "did not settle in time"
        time.sleep(pause)


def _pair_two(hub: HubHandle, tmp_path: Path, name: str) -> tuple[str, Kiosk, Kiosk]:
    collective = hub.collective(name)
    a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    return collective, a, b


def test_a_faulty_network_loses_nothing_and_duplicates_nothing(hub: HubHandle, tmp_path: Path) -> None:
    collective, a, b = _pair_two(hub, tmp_path, "Réseau capricieux")
    # Every third request to each endpoint gets that endpoint's next fault, so that syncs still progress
    # between faults and every fault hits both push and pull, however the two kiosks' syncs interleave.
    proxy = FaultProxy(
        hub.server.port,
        lambda endpoint, n: FAULTS[(n // 3) % len(FAULTS)] if n % 3 == 2 else "pass",
        delay=1.0,
    )
    statuses: queue.Queue[object] = queue.Queue()
    workers = [
        SyncWorker(
            k.config.database_path,
            statuses,
            k.clock,
            hub_url=proxy.url,
            connect_timeout=0.5,
            read_timeout=0.6,
            batch_events=6,
            pull_limit=5,
            **FAST_RETRY,  # type: ignore[arg-type]
        )
        for k in (a, b)
    ]

    def every_phase_hit() -> bool:
        return all((fault, endpoint) in proxy.hits for fault in FAULTS for endpoint in ("push", "pull"))

    try:
        with running(workers):
            # Bounded by time, not by rounds: a loaded machine syncs less often per round.
            deadline = time.monotonic() + 120
            while not every_phase_hit() and time.monotonic() < deadline:
                activity(a, "Alpha")
                activity(b, "Beta")
                for worker in workers:
                    worker.wake()
                time.sleep(0.15)
            assert every_phase_hit(), dict(proxy.hits)
            wait_for(lambda: a.pending() == b.pending() == 0 and state(a) == state(b))
    finally:
        proxy.stop()
    hub_holds_exactly(hub, collective, [a, b])
    a.close()
    b.close()


def test_killing_the_hub_mid_push_loses_nothing_and_duplicates_nothing(
    fresh_hub: HubHandle, tmp_path: Path
) -> None:
    hub = fresh_hub
    collective, a, b = _pair_two(hub, tmp_path, "Hub fragile")
    # A pass-through proxy of ours, only to see when a push is at the hub (passed on, not answered yet).
    watcher = FaultProxy(hub.server.port, lambda _endpoint, _n: "pass")
    statuses: queue.Queue[object] = queue.Queue()
    workers = [
        SyncWorker(
            k.config.database_path,
            statuses,
            k.clock,
            hub_url=watcher.url,
            connect_timeout=0.5,
            read_timeout=3,
            batch_events=4,
            pull_limit=10,
            **FAST_RETRY,  # type: ignore[arg-type]
        )
        for k in (a, b)
    ]
    rng = random.Random(4)
    kills_in_push = kills_pending = kills_idle = 0
    try:
        with running(workers):
            for round_ in range(16):
                activity(a, "Alpha", 6)
                activity(b, "Beta", 6)
                for worker in workers:
                    worker.wake()
                if round_ % 2 == 0:  # the kill lands while the hub is handling a push
                    with contextlib.suppress(AssertionError):
                        wait_for(lambda: watcher.in_flight["push"] > 0, timeout=2.0, pause=0.001)
                else:  # anywhere in the sync's cycle
                    time.sleep(rng.uniform(0.0, 0.15))
                in_push, pending = watcher.in_flight["push"] > 0, a.pending() + b.pending()
                hub.server.kill()
                kills_in_push += in_push
                kills_pending += pending > 0
                kills_idle += pending == 0
                time.sleep(0.2)
                hub.server.start()
                if kills_in_push >= 3 and kills_idle >= 1:
                    break
            assert kills_in_push >= 3, (kills_in_push, kills_pending, kills_idle)
            wait_for(lambda: a.pending() == b.pending() == 0 and state(a) == state(b))
    finally:
        watcher.stop()
    hub_holds_exactly(hub, collective, [a, b])
    a.close()
    b.close()
