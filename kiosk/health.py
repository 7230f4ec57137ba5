"""The kiosk's health, told to systemd's watchdog (kiosk.service: Type=notify, WatchdogSec=30).

A thread of its own checks the health sources every WatchdogSec/2 and sends WATCHDOG=1 only while every
one of them answers: the Kivy loop ticks (a `Heartbeat` the app's clock bumps), the reader monitor's
thread runs, the store answers `SELECT 1` (asked on the Kivy thread, `StoreWatch`). A frozen screen, a
dead reader thread or a lost database then stop the feeding and systemd restarts the kiosk. The thread
touches neither Kivy nor the database: it reads times, flags and the readers' `running` property.

READY=1 is sent by the app once Accueil is drawn (`ready`); feeding starts then. After the first good feed
`on_healthy` runs once: the app confirms a pending update there (kiosk/update.py), so a new version that
never gets healthy is rolled back by `kiosk update check`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from kiosk.sd_notify import DEFAULT_WATCHDOG_SECONDS, Notifier
from kiosk.store import Store

log = logging.getLogger("kiosk.health")

# A probe answers None when its part is healthy, else a short reason (logged and sent as STATUS=…).
Probe = Callable[[], str | None]
FIRST_CHECK_SECONDS = 1.0  # after READY: the devices start at the next frame, then the first feed
MIN_STALE_SECONDS = 5.0


class Heartbeat:
    """Bumped by the Kivy clock every second; its age says whether the UI loop still turns."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._at = now()

    def beat(self, *_args: object) -> None:
        self._at = self._now()

    def age(self) -> float:
        return self._now() - self._at


class Running(Protocol):
    @property
    def running(self) -> bool: ...


def heartbeat_probe(heartbeat: Heartbeat, stale_after: float) -> Probe:
    def probe() -> str | None:
        age = heartbeat.age()
        return f"boucle de l’interface figée depuis {age:.0f} s" if age > stale_after else None

    return probe


def readers_probe(readers: Callable[[], Iterable[Running]]) -> Probe:
    """Every reader monitor started must still run. No reader (QR-only kiosk, PC/SC missing): healthy,
    since a restart would not bring one either."""

    def probe() -> str | None:
        stopped = [reader for reader in readers() if not reader.running]
        return f"{len(stopped)} lecteur(s) NFC arrêté(s)" if stopped else None

    return probe


class StoreWatch:
    """Asks the store `SELECT 1` on the thread that owns the connection (the Kivy clock calls `check`),
    and tells the watchdog thread how that went. The watchdog thread never uses the connection itself:
    closing an sqlite3 connection while another thread runs a statement on it crashes CPython."""

    def __init__(self, store: Store, now: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._now = now
        self._answered_at = now()
        self._error: str | None = None

    def check(self, *_args: object) -> None:
        try:
            row = self.store.conn.execute("SELECT 1").fetchone()
        except (sqlite3.Error, ValueError) as error:  # ProgrammingError on a closed connection
            self._error = f"la base ne répond pas ({error})"
            return
        self._error = None if row == (1,) else "la base répond mal"
        if self._error is None:
            self._answered_at = self._now()

    def probe(self, stale_after: float) -> Probe:
        def probe() -> str | None:
            if self._error is not None:
                return self._error
            age = self._now() - self._answered_at
            return f"la base n’a pas répondu depuis {age:.0f} s" if age > stale_after else None

        return probe


class HealthWatchdog:
    """READY, then WATCHDOG=1 every `interval` while all probes pass, STOPPING at the end."""

    def __init__(
        self,
        notifier: Notifier,
        probes: Mapping[str, Probe],
        *,
        interval: float,
        on_healthy: Callable[[], None] | None = None,
        first_check: float = FIRST_CHECK_SECONDS,
    ) -> None:
        self.notifier = notifier
        self.probes = dict(probes)
        self.interval = interval
        self.first_check = min(first_check, interval)
        self.on_healthy = on_healthy
        self.feeds = 0  # WATCHDOG=1 sent so far (diagnostics and tests)
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._last_status = ""
        self._lock = threading.Lock()  # no WATCHDOG=1 may follow STOPPING=1
        self._thread = threading.Thread(target=self._run, name="health-watchdog", daemon=True)

    @staticmethod
    def interval_for(watchdog_seconds: float | None) -> float:
        """Feed twice per watchdog period (sd_watchdog_enabled(3) advice)."""
        return (watchdog_seconds or DEFAULT_WATCHDOG_SECONDS) / 2

    def start(self) -> None:
        self._thread.start()

    def ready(self, status: str = "Borne prête") -> None:
        """Accueil is on screen: READY=1, and the feeding starts."""
        if not self._ready.is_set():
            self.notifier.ready(status)
            self._ready.set()

    def problems(self) -> list[str]:
        found = []
        for name, probe in self.probes.items():
            try:
                reason = probe()
            except Exception as error:  # a broken probe is a failed one, never a dead watchdog thread
                reason = f"{name} : {error}"
            if reason is not None:
                found.append(reason)
        return found

    def stop(self, status: str = "Arrêt de la borne") -> None:
        if self._stop.is_set():
            return
        with self._lock:
            self._stop.set()
            self.notifier.stopping(status)
        if self._thread.is_alive():
            self._thread.join(5.0)

    def _run(self) -> None:
        while not self._ready.wait(0.5):
            if self._stop.is_set():
                return
        if self._stop.wait(self.first_check):
            return
        healthy_once = False
        while not self._stop.is_set():
            problems = self.problems()
            if problems:
                self._say("Watchdog non nourri : " + " ; ".join(problems))
                log.warning("watchdog not fed: %s", "; ".join(problems))
            else:
                with self._lock:
                    if self._stop.is_set():
                        return
                    self.notifier.watchdog()
                    self.feeds += 1
                self._say("Borne en bonne santé")
                if not healthy_once:
                    healthy_once = True
                    self._healthy()
            if self._stop.wait(self.interval):
                return

    def _say(self, status: str) -> None:
        with self._lock:
            if status != self._last_status and not self._stop.is_set():
                self._last_status = status
                self.notifier.status(status)

    def _healthy(self) -> None:
        if self.on_healthy is None:
            return
        try:
            self.on_healthy()
        except Exception:  # confirming an update must never stop the feeding
            log.exception("after the first healthy check")


def stale_after(interval: float) -> float:
    """How old the UI heartbeat may be: one feeding interval, at least a few seconds."""
    return max(interval, MIN_STALE_SECONDS)
