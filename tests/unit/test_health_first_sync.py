"""The first hub sync waits for a synced clock (kiosk/app_ops.py SyncGate, wired in kiosk/app.py), unless
the kiosk synced before or a librarian asks. A real store, a real (unstarted) sync worker."""

from __future__ import annotations

import queue

from kiosk.app import make_sync_worker
from kiosk.app_ops import SyncGate
from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.services import Services


def pair(services: Services, last_success_at: str | None = None) -> None:
    """The row `kiosk pair` leaves (sync_client/pairing.py), written directly: no hub in this test."""
    services.store.conn.execute(
        "INSERT INTO hub_link (id, hub_url, token, kiosk_name, collective_id, network_id, paired_at,"
        " last_success_at) VALUES (1, 'http://127.0.0.1:9', 't', 'Borne', 'c', 'n', '2026-11-25', ?)",
        (last_success_at,),
    )


def test_the_worker_waits_until_the_clock_is_synced(
    services: Services, config: Config, clock: FixedClock
) -> None:
    pair(services)
    clock.is_synced = False
    worker = make_sync_worker(config, services, queue.Queue())
    gate = SyncGate(clock, services)
    assert gate.hold(worker) is None, "not started with the devices"
    assert gate.poll() is None and gate.held is worker
    clock.is_synced = True  # NTP answered
    assert gate.poll() is worker
    assert gate.held is None and gate.poll() is None


def test_a_kiosk_that_synced_before_starts_at_once(
    services: Services, config: Config, clock: FixedClock
) -> None:
    pair(services, last_success_at="2026-11-24T18:00:00+01:00")
    clock.is_synced = False
    worker = make_sync_worker(config, services, queue.Queue())
    assert SyncGate(clock, services).hold(worker) is worker


def test_a_synced_clock_starts_at_once(services: Services, config: Config, clock: FixedClock) -> None:
    pair(services)
    worker = make_sync_worker(config, services, queue.Queue())
    assert SyncGate(clock, services).hold(worker) is worker


def test_a_librarian_asking_for_a_sync_does_not_wait(
    services: Services, config: Config, clock: FixedClock
) -> None:
    pair(services)
    clock.is_synced = False
    worker = make_sync_worker(config, services, queue.Queue())
    gate = SyncGate(clock, services)
    gate.hold(worker)
    assert gate.release() is worker  # KioskRuntime.sync_now starts what this returns
    assert gate.held is None


def test_the_runtime_starts_the_held_worker_once_synced_or_asked(
    services: Services, config: Config, clock: FixedClock
) -> None:
    from kiosk.app import KioskRuntime

    pair(services)
    clock.is_synced = False
    runtime = KioskRuntime(config, services, demo=False)
    runtime.devices.sync = runtime.sync_gate.hold(make_sync_worker(config, services, runtime.events))
    runtime.devices.started = True
    try:
        assert runtime.devices.sync is None
        assert runtime._sync_when_clock_synced() is True, "the poll goes on"
        assert runtime.devices.sync is None
        clock.is_synced = True
        assert runtime._sync_when_clock_synced() is False, "the poll ends"
        assert runtime.devices.sync is not None and runtime.devices.sync.is_alive()
    finally:
        runtime.devices.stop()
    clock.is_synced = False
    runtime.devices.sync = runtime.sync_gate.hold(make_sync_worker(config, services, runtime.events))
    try:
        runtime.sync_now()  # « Synchroniser maintenant » on the librarian's screen
        assert runtime.devices.sync is not None and runtime.devices.sync.is_alive()
    finally:
        runtime.devices.stop()
