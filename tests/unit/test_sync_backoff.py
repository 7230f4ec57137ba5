"""The sync worker's retries after failures (issue 4: « exponential backoff with jitter, capped at a few
minutes »): each failed attempt announces its delay (`SyncStatus.retry_in`), which doubles from attempt to
attempt within its jitter bounds, never passes the cap, starts again from the base after a success, and
differs from kiosk to kiosk.

The attempts are real: a local port nothing listens on refuses the connection at once (the hub is down), and
a real hub (uvicorn, SQLite) answers when a success is needed. Attempts are run one at a time
(`SyncWorker._cycle`), so the production delays (seconds to minutes) are announced without being waited for;
one test runs the thread itself with short delays and checks that it waits them.
"""

from __future__ import annotations

import itertools
import queue
import random
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app import make_sync_worker
from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.services import Services
from sync_client.client import HubClient
from sync_client.pairing import pair_kiosk
from sync_client.worker import SyncState, SyncStatus, SyncWorker
from tests.hub.servers import HubServer, free_port

SEED = 20261125  # a seeded generator where the test checks bounds, so that a failure can be replayed


def link_to(services: Services, hub_url: str) -> None:
    """The row pairing leaves (sync_client/pairing.py), written directly: attempts need only an address."""
    with services.store.transaction() as conn:
        conn.execute(
            "INSERT INTO hub_link (id, hub_url, token, kiosk_name, collective_id, network_id, paired_at)"
            " VALUES (1, ?, 'jeton', 'Borne', 'c', 'n', '2026-11-25T10:00:00+01:00')",
            (hub_url,),
        )


def down_hub_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # free: nothing listens there, the connection is refused


def production_worker(config: Config, services: Services, rng: random.Random | None = None) -> SyncWorker:
    """The worker as the app builds it (defaults of production), not started: attempts are run by the test."""
    worker = make_sync_worker(config, services, queue.Queue())
    assert isinstance(worker, SyncWorker)
    if rng is not None:
        worker.rng = rng  # same draws on every run; the production generator is `random.Random()`
    return worker


def attempt(worker: SyncWorker, services: Services) -> SyncStatus:
    """One sync attempt, as the thread runs it; its outcome (the status after « syncing »)."""
    worker._cycle(services.store)
    published: list[SyncStatus] = []
    while not worker.status_queue.empty():
        status = worker.status_queue.get_nowait()
        assert isinstance(status, SyncStatus)
        published.append(status)
    assert [s.state for s in published[:-1]] == [SyncState.SYNCING]
    return published[-1]


def failed_delay(worker: SyncWorker, services: Services) -> float:
    status = attempt(worker, services)
    assert status.state == SyncState.OFFLINE and status.error_code == "network", status
    assert status.retry_in is not None
    return status.retry_in


def ceiling(worker: SyncWorker, failures: int) -> float:
    """Upper bound of the delay after `failures` failures in a row: the base doubled at each failure after
    the first, capped. The jitter draws the delay in the upper half: [ceiling / 2, ceiling]."""
    return float(min(worker.backoff_cap, worker.backoff_base * 2 ** min(failures - 1, 64)))


def test_the_production_cap_is_a_few_minutes(config: Config, services: Services) -> None:
    worker = production_worker(config, services)
    assert 60 <= worker.backoff_cap <= 600
    assert 0 < worker.backoff_base <= 10  # the first retry comes soon: the hub may be back already


def test_delays_double_within_their_jitter_and_stay_under_the_cap(config: Config, services: Services) -> None:
    link_to(services, down_hub_url())
    worker = production_worker(config, services, random.Random(SEED))
    failures_to_cap = 1
    while ceiling(worker, failures_to_cap) < worker.backoff_cap:
        failures_to_cap += 1
    delays = [failed_delay(worker, services) for _ in range(failures_to_cap + 4)]
    for failures, delay in enumerate(delays, start=1):
        assert ceiling(worker, failures) / 2 <= delay <= ceiling(worker, failures), (failures, delay)
        assert delay <= worker.backoff_cap
    # Once at the cap, the delays stay in its range: they neither grow further nor fall back.
    assert all(delay >= worker.backoff_cap / 2 for delay in delays[failures_to_cap - 1 :])


def test_each_failure_doubles_the_delay_on_average_and_the_jitter_spreads_it(
    config: Config, services: Services
) -> None:
    # The delay drawn after n failures, 400 times for each n (the method the worker calls after a failure).
    worker = production_worker(config, services, random.Random(SEED))
    means = []
    failures = 1
    while ceiling(worker, failures) < worker.backoff_cap:
        worker._failures = failures
        draws = [worker._backoff() for _ in range(400)]
        top = ceiling(worker, failures)
        assert min(draws) < top * 0.55 and max(draws) > top * 0.95, "the jitter covers its whole range"
        means.append(statistics.fmean(draws))
        failures += 1
    assert len(means) >= 4
    for before, after in itertools.pairwise(means):
        assert 1.8 <= after / before <= 2.2, means


def test_kiosks_that_failed_together_do_not_retry_together(config: Config, services: Services) -> None:
    # Twenty kiosks whose hub went down at the same moment, each with the generator production gives it.
    link_to(services, down_hub_url())
    workers = [production_worker(config, services) for _ in range(20)]
    for _ in range(3):
        delays = [failed_delay(worker, services) for worker in workers]
    assert len(set(delays)) == len(delays), "two kiosks drew the same delay"
    top = ceiling(workers[0], 3)
    assert max(delays) - min(delays) > top / 10, "the delays bunch up"


def test_days_of_failures_leave_the_delay_at_the_cap_and_the_worker_alive(
    config: Config, services: Services
) -> None:
    link_to(services, down_hub_url())
    worker = production_worker(config, services, random.Random(SEED))
    # Stands in for some three days of refused attempts at the cap, which a test cannot wait: the count of
    # failures in a row is what the delay is computed from. An error here would end the worker's thread.
    worker._failures = 2000
    delay = failed_delay(worker, services)
    assert worker.backoff_cap / 2 <= delay <= worker.backoff_cap


# A success resets the backoff: needs a hub that answers ----------------------------------------------------


@pytest.fixture
def hub_server(tmp_path: Path) -> Iterator[HubServer]:
    pytest.importorskip("uvicorn", reason="the hub's extras (pip install .[hub]) are not installed")
    from hub import admin
    from hub.db import Database

    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    admin.init(db)
    server = HubServer(db.url, log=tmp_path / "hub.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        db.dispose()


def test_a_success_starts_the_backoff_again_from_the_base(
    config: Config, services: Services, hub_server: HubServer
) -> None:
    from hub import admin
    from hub.db import Database

    db = Database(hub_server.db_url)
    try:
        collective = admin.add_collective(db, "Collectif du retour", "Belleville").id
        code = admin.create_pairing_code(db, collective)[0]
    finally:
        db.dispose()
    client = HubClient(hub_server.url)
    try:
        pair_kiosk(services.store, client, code, "Borne")
    finally:
        client.close()
    worker = production_worker(config, services, random.Random(SEED))

    hub_server.stop()  # the hub goes down: four failures in a row
    delays = [failed_delay(worker, services) for _ in range(4)]
    assert delays[-1] >= ceiling(worker, 4) / 2 > ceiling(worker, 1), delays

    hub_server.start()  # back, on the same address and database
    back = attempt(worker, services)
    assert back.state == SyncState.OK, back
    assert back.retry_in == worker.poll_interval  # the regular poll, no backoff left

    hub_server.stop()  # down again: the first delay again, not the fifth
    again = failed_delay(worker, services)
    assert ceiling(worker, 1) / 2 <= again <= ceiling(worker, 1)


def test_the_running_worker_waits_each_announced_delay_even_when_writes_wake_it(
    config: Config, services: Services, clock: FixedClock
) -> None:
    link_to(services, down_hub_url())
    statuses: queue.Queue[object] = queue.Queue()
    worker = SyncWorker(
        config.database_path,
        statuses,
        clock,
        backoff_base=0.2,
        backoff_cap=0.8,
        debounce=0.0,
        rng=random.Random(SEED),
    )
    seen: list[tuple[float, SyncStatus]] = []  # (when it arrived, the status)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while sum(s.state == SyncState.OFFLINE for _, s in seen) < 5 and time.monotonic() < deadline:
            # A write on the kiosk must not bring the next attempt forward while backing off. (Not during the
            # first attempt: a write then plans one more sync after it, by design of `wake()`.)
            if any(status.state == SyncState.OFFLINE for _, status in seen):
                worker.wake()
            try:
                status = statuses.get(timeout=0.02)
            except queue.Empty:
                continue
            assert isinstance(status, SyncStatus)
            seen.append((time.monotonic(), status))
    finally:
        worker.stop()
    states = [status.state for _, status in seen]
    assert states == [SyncState.SYNCING, SyncState.OFFLINE] * 5, states
    failures = [(at, status) for at, status in seen if status.state == SyncState.OFFLINE]
    attempts = [at for at, status in seen if status.state == SyncState.SYNCING]
    announced = [status.retry_in or 0.0 for _, status in failures]  # (None or 0: no delay, fails below)
    for (failed_at, _), delay, next_at in zip(failures, announced, attempts[1:], strict=False):
        # Not before the announced delay (some leeway for when this thread saw each status), and not much
        # after it either: the worker comes back by itself.
        assert delay - 0.05 <= next_at - failed_at < delay + 2.0, (delay, next_at - failed_at)
    # [0.1, 0.2], [0.2, 0.4], [0.4, 0.8], then at the cap
    assert 0.1 <= announced[0] < announced[1] < announced[2] <= 0.8, announced
    assert all(0.4 <= delay <= 0.8 for delay in announced[2:]), announced
