"""What the visitor tests share (tests/ui/test_visitor_tap.py, test_visitor_partner.py): Nadia, a member of
collective A, about to visit collective B's kiosk through a real hub, and the hub's answers held on their way
back to the Kivy thread."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

from hub import admin
from hub import schema as t
from hub.util import iso, utcnow
from tests.hub.kiosks import HubHandle, Kiosk
from tests.ui import driver


class HeldAnswers:
    """`run_on_ui` of the tests: the hub's answers wait here until `release` hands them to the Kivy thread,
    as the app's `run_on_ui` does. Records the thread each answer came from."""

    def __init__(self) -> None:
        self.held: list[Callable[[], None]] = []
        self.threads: list[str] = []
        self._lock = threading.Lock()

    def run_on_ui(self, action: Callable[[], None]) -> None:
        with self._lock:
            self.threads.append(threading.current_thread().name)
            self.held.append(action)

    def wait(self, count: int = 1) -> None:
        driver.wait_until(lambda: len(self.held) >= count, timeout=15)

    def release(self) -> None:
        from kiosk.app import run_on_ui

        with self._lock:
            actions, self.held = self.held, []
        for action in actions:
            run_on_ui(action)
        driver.wait_frames(4)


@dataclass(frozen=True)
class Visiting:
    network_id: str
    a: admin.Collective  # Nadia's collective
    b: admin.Collective  # where she visits
    kiosk_a: Kiosk
    kiosk_b: Kiosk
    nadia: str
    nadia_uid: bytes


@contextmanager
def visiting(hub: HubHandle, tmp_path: Path) -> Iterator[Visiting]:
    """Two collectives of a network of their own, kiosks A1 and B1 paired (the network's card key: the same
    card, the same hash at both), Nadia registered at A1 with a card, synced to the hub."""
    network_id = "reseau-" + uuid.uuid4().hex[:8]
    with hub.db.write() as conn:
        conn.execute(
            insert(t.networks).values(id=network_id, name="Réseau", card_key=None, created_at=iso(utcnow()))
        )
    a = admin.add_collective(hub.db, "Savoirs de Belleville", "Belleville", network_id)
    b = admin.add_collective(hub.db, "Savoirs de la Goutte d’Or", "Goutte d’Or", network_id)
    kiosk_a = Kiosk(tmp_path / "a", a.id, name="A1")
    kiosk_b = Kiosk(tmp_path / "b", b.id, name="B1")
    try:
        kiosk_a.pair(hub, a.id)
        kiosk_b.pair(hub, b.id)
        nadia = kiosk_a.member("Nadia")
        uid = kiosk_a.card(nadia)
        kiosk_a.sync()
        yield Visiting(network_id, a, b, kiosk_a, kiosk_b, nadia, uid)
    finally:
        kiosk_a.close()
        kiosk_b.close()
