"""The app's operations side (issue 7), wired by kiosk/app.py: systemd watchdog, run lock, first hub sync.

`OpsWiring` holds the run lock (`kiosk restore` refuses while it is held), the UI heartbeat the Kivy clock
bumps, and the health watchdog thread (kiosk/health.py) that sends READY=1 / WATCHDOG=1 / STOPPING=1 and
confirms a pending update once the new version is healthy.

`SyncGate`: a Pi has no real-time clock, so the first hub sync waits until the clock is known good — unless
this kiosk has synced with the hub before (its clock was checked then) or a librarian asks for a sync.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.health import (
    HealthWatchdog,
    Heartbeat,
    Running,
    StoreWatch,
    heartbeat_probe,
    readers_probe,
    stale_after,
)
from kiosk.runlock import RunLock
from kiosk.sd_notify import Notifier, watchdog_seconds
from kiosk.services import Services
from kiosk.update import Installation, confirm, install_root

log = logging.getLogger("kiosk.app")

HEARTBEAT_SECONDS = 1.0
CLOCK_POLL_SECONDS = 5.0


class OpsWiring:
    def __init__(
        self,
        config: Config,
        services: Services,
        readers: Callable[[], Iterable[Running]],
        environ: Mapping[str, str] | None = None,
    ) -> None:
        environ = os.environ if environ is None else environ
        self.data_dir = config.data_dir
        self.lock = RunLock(config.data_dir)
        self.heartbeat = Heartbeat()
        self.store_watch = StoreWatch(services.store)
        interval = HealthWatchdog.interval_for(watchdog_seconds(environ))
        self.watchdog = HealthWatchdog(
            Notifier(environ),
            {
                "interface": heartbeat_probe(self.heartbeat, stale_after(interval)),
                "lecteurs": readers_probe(readers),
                "base": self.store_watch.probe(stale_after(interval)),
            },
            interval=interval,
            on_healthy=self.confirm_update,
        )
        self.install = Installation(install_root(environ=environ))

    def tick(self, *_args: object) -> None:
        """On the Kivy clock, every second: the UI loop turns, and the store answers on its own thread."""
        self.heartbeat.beat()
        self.store_watch.check()

    def start(self) -> None:
        if not self.lock.acquire():
            log.warning("another kiosk runs on %s", self.data_dir)
        self.watchdog.start()

    def ready(self) -> None:
        self.watchdog.ready()

    def confirm_update(self) -> None:
        """Healthy after READY and a first good feed: a pending update to this version is confirmed."""
        running = self.install.running_version()
        if running is None:
            return  # a checkout, not an installed version: nothing of ours to confirm
        confirmed = confirm(self.install, self.data_dir, running=running)
        if confirmed is not None:
            log.info("update to %s confirmed", confirmed.new)

    def stop(self) -> None:
        self.watchdog.stop()
        self.lock.release()


def has_synced_before(services: Services) -> bool:
    row = services.store.conn.execute("SELECT last_success_at FROM hub_link WHERE id = 1").fetchone()
    return row is not None and row[0] is not None


class SyncGate:
    """Holds a paired kiosk's sync worker (not started) until it may sync."""

    def __init__(self, clock: Clock, services: Services) -> None:
        self.clock = clock
        self.services = services
        self.held: Any = None  # sync_client.worker.SyncWorker, not started

    def hold(self, worker: Any) -> Any:
        """The worker to start with the devices now (None when it must wait for the clock)."""
        if worker is None or self.clock.synced() or has_synced_before(self.services):
            return worker
        log.info("first hub sync waits for the clock to be synced")
        self.held = worker
        return None

    def poll(self) -> Any:
        """On the clock's poll: the worker, once the clock is synced (the caller starts it), else None."""
        if self.held is not None and self.clock.synced():
            log.info("clock synced: first hub sync starts")
            return self.release()
        return None

    def release(self) -> Any:
        """Let the worker go now (clock synced, or a librarian asked)."""
        worker, self.held = self.held, None
        return worker
