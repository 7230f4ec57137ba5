"""The health watchdog against a datagram socket of ours: READY, WATCHDOG=1 only while the UI loop ticks,
the reader monitor runs and the store answers, STOPPING. Real parts: the store, the simulated reader's
thread (the demo's reader), a thread standing for the Kivy clock (bumps the heartbeat, asks the store)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.simulated import SimulatedReader
from kiosk.health import HealthWatchdog, Heartbeat, StoreWatch, heartbeat_probe, readers_probe
from kiosk.sd_notify import Notifier
from kiosk.services import Services

INTERVAL = 0.05


class Listener:
    """What systemd would receive."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.05)
        self.received: list[str] = []

    def collect(self, seconds: float) -> list[str]:
        """Messages arriving within `seconds` (also kept in `received`)."""
        got: list[str] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                got.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue
        self.received += got
        return got

    def wait_for(self, line: str, seconds: float = 5.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(line in message.splitlines() for message in self.collect(0.05)):
                return
        raise AssertionError(f"{line} never came; got {self.received}")


class Ticker:
    """What the app's Kivy clock does every second (OpsWiring.tick), until frozen."""

    def __init__(self, heartbeat: Heartbeat, store: StoreWatch) -> None:
        self.heartbeat = heartbeat
        self.store = store
        self.frozen = threading.Event()
        self.close_store = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.frozen.wait(0.02):
            if self.close_store.is_set():
                self.store.store.close()  # on the thread that uses it, as the app would
            self.heartbeat.beat()
            self.store.check()


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    sock = Listener(tmp_path / "notify.sock")
    yield sock
    sock.sock.close()


@pytest.fixture
def reader(services: Services) -> Iterator[SimulatedReader]:
    import queue

    simulated = SimulatedReader(queue.Queue(), services.ctx.card_key, script=[(b"\x04\x01\x02\x03", 60.0)])
    simulated.start()
    yield simulated
    simulated.stop()


class Kiosk:
    """The health sources of a running kiosk, and its watchdog."""

    def __init__(
        self, listener: Listener, services: Services, reader: SimulatedReader, **kwargs: object
    ) -> None:
        self.heartbeat = Heartbeat()
        self.store = StoreWatch(services.store)
        self.watchdog = HealthWatchdog(
            Notifier({"NOTIFY_SOCKET": listener.path}),
            {
                "interface": heartbeat_probe(self.heartbeat, stale_after=0.3),
                "lecteurs": readers_probe(lambda: [reader]),
                "base": self.store.probe(stale_after=0.3),
            },
            interval=INTERVAL,
            first_check=0.0,
            **kwargs,  # type: ignore[arg-type]
        )
        self.ticker: Ticker | None = None

    def tick(self) -> Ticker:
        self.ticker = Ticker(self.heartbeat, self.store)
        return self.ticker

    def stop(self) -> None:
        self.watchdog.stop()
        if self.ticker is not None:
            self.ticker.frozen.set()
            self.ticker.thread.join()


def feeds(messages: list[str]) -> int:
    return sum(message == "WATCHDOG=1" for message in messages)


def test_ready_then_fed_while_healthy_then_stopping(
    listener: Listener, services: Services, reader: SimulatedReader
) -> None:
    healthy: list[int] = []
    kiosk = Kiosk(listener, services, reader, on_healthy=lambda: healthy.append(1))
    kiosk.tick()
    kiosk.watchdog.start()
    assert feeds(listener.collect(0.3)) == 0, "no feeding before READY"
    kiosk.watchdog.ready()
    listener.wait_for("READY=1")
    assert feeds(listener.collect(0.5)) >= 3
    assert healthy == [1], "the update is confirmed once, after the first good feed"
    kiosk.stop()
    listener.wait_for("STOPPING=1")
    listener.collect(0.3)
    stopping_at = next(i for i, m in enumerate(listener.received) if m.startswith("STOPPING=1"))
    assert feeds(listener.received[stopping_at:]) == 0, "nothing after STOPPING=1"


def test_a_frozen_ui_loop_stops_the_feeding(
    listener: Listener, services: Services, reader: SimulatedReader
) -> None:
    kiosk = Kiosk(listener, services, reader)
    ticker = kiosk.tick()
    kiosk.watchdog.start()
    kiosk.watchdog.ready()
    listener.wait_for("WATCHDOG=1")
    ticker.frozen.set()  # the Kivy loop no longer turns
    listener.wait_for("STATUS=Watchdog non nourri : boucle de l’interface figée depuis 0 s ; "
                      "la base n’a pas répondu depuis 0 s", 2.0)  # fmt: skip
    assert feeds(listener.collect(0.4)) == 0
    kiosk.stop()


def test_a_dead_reader_thread_stops_the_feeding(
    listener: Listener, services: Services, reader: SimulatedReader
) -> None:
    kiosk = Kiosk(listener, services, reader)
    kiosk.tick()
    kiosk.watchdog.start()
    kiosk.watchdog.ready()
    listener.wait_for("WATCHDOG=1")
    reader.stop()
    listener.wait_for("STATUS=Watchdog non nourri : 1 lecteur(s) NFC arrêté(s)")
    assert feeds(listener.collect(0.3)) == 0
    kiosk.stop()


def test_a_closed_store_stops_the_feeding(
    listener: Listener, services: Services, reader: SimulatedReader
) -> None:
    kiosk = Kiosk(listener, services, reader)
    ticker = kiosk.tick()
    kiosk.watchdog.start()
    kiosk.watchdog.ready()
    listener.wait_for("WATCHDOG=1")
    ticker.close_store.set()  # (the fixture closes it again: sqlite3 allows that)
    listener.wait_for(
        "STATUS=Watchdog non nourri : la base ne répond pas (Cannot operate on a closed database.)"
    )
    assert feeds(listener.collect(0.3)) == 0
    kiosk.stop()


def test_feeding_resumes_when_health_comes_back(
    listener: Listener, services: Services, reader: SimulatedReader
) -> None:
    kiosk = Kiosk(listener, services, reader)
    kiosk.watchdog.start()
    kiosk.watchdog.ready()
    listener.wait_for("STATUS=Watchdog non nourri : boucle de l’interface figée depuis 0 s ; "
                      "la base n’a pas répondu depuis 0 s", 2.0)  # fmt: skip
    kiosk.tick()
    listener.wait_for("STATUS=Borne en bonne santé")
    assert feeds(listener.collect(0.3)) >= 2
    kiosk.stop()


def test_the_interval_is_half_the_watchdog_period() -> None:
    assert HealthWatchdog.interval_for(30.0) == 15.0
    assert HealthWatchdog.interval_for(None) == 15.0  # kiosk.service's WatchdogSec=30
