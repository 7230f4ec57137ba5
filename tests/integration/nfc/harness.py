"""What the NFC tests share besides fixtures: reader names, the card key, and a reader of the event queue."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import TypeVar

from hardware.events import CardRemoved, CardTapped, HardwareEvent, ReaderState, ReaderStatus
from tests.integration.nfc.pcscd import VIRTUAL_READERS

CARD_KEY = bytes(range(32))
READER_A, READER_B = VIRTUAL_READERS
WAIT = 10.0  # seconds: generous, these waits end as soon as the event arrives (vpcd polls every 400 ms)

E = TypeVar("E")


class EventLog:
    """The monitor's queue, read by the test: wait for a kind of event, or check that none comes."""

    def __init__(self) -> None:
        self.queue: queue.Queue[HardwareEvent] = queue.Queue()
        self.history: list[HardwareEvent] = []

    def next(self, kind: type[E], where: Callable[[E], bool] = lambda _: True, timeout: float = WAIT) -> E:
        """The next event of `kind` matching `where`; other events are kept in `history` and skipped."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {self.history[-10:]}")
            try:
                event = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.history.append(event)
            if isinstance(event, kind) and where(event):
                return event

    def status(self, reader: str, state: ReaderState, timeout: float = WAIT) -> ReaderStatus:
        return self.next(ReaderStatus, lambda e: e.reader == reader and e.state is state, timeout)

    def tap(self, reader: str = READER_A, timeout: float = WAIT) -> CardTapped:
        return self.next(CardTapped, lambda e: e.reader == reader, timeout)

    def removed(self, reader: str = READER_A, timeout: float = WAIT) -> CardRemoved:
        return self.next(CardRemoved, lambda e: e.reader == reader, timeout)

    def during(self, seconds: float) -> list[HardwareEvent]:
        """Every event that arrives in the next `seconds` (to show that nothing else happens)."""
        deadline = time.monotonic() + seconds
        seen: list[HardwareEvent] = []
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                seen.append(self.queue.get(timeout=remaining))
            except queue.Empty:
                break
        self.history.extend(seen)
        return seen


def wait_empty(readers: list[str], timeout: float = WAIT) -> None:
    """Block until pcscd sees no card on `readers`, so a test never inherits the previous test's card."""
    from smartcard.scard import (
        SCARD_SCOPE_USER,
        SCARD_STATE_PRESENT,
        SCardEstablishContext,
        SCardGetStatusChange,
        SCardReleaseContext,
    )

    deadline = time.monotonic() + timeout
    hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
    if hresult != 0:
        return
    try:
        states: list[tuple[str, int]] = [(name, 0) for name in readers]
        while time.monotonic() < deadline:
            hresult, answer = SCardGetStatusChange(context, 500, states)
            if hresult == 0:
                states = [(name, state & ~2) for name, state, _ in answer]
            if all(not state & SCARD_STATE_PRESENT for _, state in states) and hresult in (0, 0x8010000A):
                return
    finally:
        SCardReleaseContext(context)
