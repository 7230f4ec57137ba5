"""PcscNfcReader against a scripted PC/SC layer, for what the real stack cannot produce on demand.

vpcd readers cannot be unplugged from a running pcscd, have no SAM slot, and never report a mute card;
the real-stack tests (tests/integration/nfc) cover everything else. Here a stand-in for `hardware.pcsc.Pcsc`
replays what pcsc-lite answers for a USB dual reader (ACR1252U: a PICC slot and a SAM slot).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence

from hardware.atr import ATR_MIFARE_CLASSIC_1K
from hardware.events import CardReadError, CardRemoved, CardTapped, HardwareEvent, ReaderState, ReaderStatus
from hardware.nfc import NfcSettings, PcscNfcReader
from hardware.pcsc import (
    PNP_NOTIFICATION,
    SCARD_E_CANCELLED,
    SCARD_E_TIMEOUT,
    STATE_CHANGED,
    STATE_EMPTY,
    STATE_MUTE,
    STATE_PRESENT,
    STATE_UNKNOWN,
    PcscError,
    StatusEntry,
)
from hardware.ports import NfcReader
from kiosk.cardid import uid_hash

PICC = "ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00"
SAM = "ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 01"
UID = bytes.fromhex("04A1B2C3")
KEY = bytes(32)

Step = Callable[["ScriptedPcsc"], list[StatusEntry]]


def entry(name: str, state: int, atr: bytes = b"") -> StatusEntry:
    return StatusEntry(name, state | STATE_CHANGED, atr)


class ScriptedPcsc:
    """Answers SCardGetStatusChange from a script; then times out until cancelled."""

    def __init__(self, readers: list[str], steps: Sequence[Step]) -> None:
        self.readers = readers
        self.steps = list(steps)
        self.connected: list[str] = []
        self.cancelled = threading.Event()

    def establish(self) -> int:
        return 1

    def release(self, context: int) -> None:
        pass

    def cancel(self, context: int) -> None:
        self.cancelled.set()

    def list_readers(self, context: int) -> list[str]:
        return list(self.readers)

    def get_status_change(
        self, context: int, timeout_ms: int, states: Sequence[tuple[str, int]]
    ) -> list[StatusEntry]:
        if self.steps:
            return self.steps.pop(0)(self)
        if self.cancelled.wait(timeout_ms / 1000):
            raise PcscError("SCardGetStatusChange", SCARD_E_CANCELLED)
        raise PcscError("SCardGetStatusChange", SCARD_E_TIMEOUT)

    def connect(self, context: int, reader: str) -> tuple[int, int]:
        self.connected.append(reader)
        return 7, 2

    def transmit(self, card: int, protocol: int, apdu: bytes) -> bytes:
        return UID + b"\x90\x00"

    def disconnect(self, card: int) -> None:
        pass


def run(pcsc: ScriptedPcsc, until: Callable[[HardwareEvent], bool]) -> list[HardwareEvent]:
    """Run the monitor until an event satisfies `until`; return every event up to it."""
    events: queue.Queue[HardwareEvent] = queue.Queue()
    # The stand-in is duck-typed, not a Pcsc subclass; the annotation also checks the port's protocol.
    monitor: NfcReader = PcscNfcReader(
        events,
        KEY,
        NfcSettings(wait_timeout=0.05),
        pcsc=pcsc,  # type: ignore[arg-type]
    )
    monitor.start()
    seen: list[HardwareEvent] = []
    try:
        while not seen or not until(seen[-1]):
            seen.append(events.get(timeout=5))
    finally:
        monitor.stop()
    assert not monitor.running
    return seen


def unplugged(pcsc: ScriptedPcsc) -> list[StatusEntry]:
    pcsc.readers = []
    return [entry(PNP_NOTIFICATION, 0), entry(PICC, STATE_UNKNOWN)]


def plugged_back(pcsc: ScriptedPcsc) -> list[StatusEntry]:
    pcsc.readers = [PICC, SAM]
    return [entry(PNP_NOTIFICATION, 0)]


def test_usb_unplug_and_replug_within_one_context_and_the_sam_slot_is_never_touched() -> None:
    pcsc = ScriptedPcsc(
        [PICC, SAM],
        [
            lambda _: [entry(PNP_NOTIFICATION, 0), entry(PICC, STATE_EMPTY)],
            lambda _: [entry(PICC, STATE_PRESENT | (1 << 16), ATR_MIFARE_CLASSIC_1K)],
            unplugged,
            plugged_back,
        ],
    )
    readies: list[HardwareEvent] = []

    def second_ready(event: HardwareEvent) -> bool:
        if isinstance(event, ReaderStatus) and event.state is ReaderState.READY:
            readies.append(event)
        return len(readies) == 2

    seen = run(pcsc, second_ready)
    kinds = [(type(e).__name__, getattr(e, "reader", ""), getattr(e, "state", None)) for e in seen]
    assert kinds == [
        ("ReaderStatus", PICC, ReaderState.READY),
        ("CardTapped", PICC, None),
        ("CardRemoved", PICC, None),
        ("ReaderStatus", PICC, ReaderState.DISCONNECTED),
        ("ReaderStatus", "", ReaderState.NO_READER),
        ("ReaderStatus", PICC, ReaderState.READY),
    ]
    tapped = seen[1]
    assert isinstance(tapped, CardTapped) and tapped.uid_hash == uid_hash(KEY, UID)
    assert pcsc.connected == [PICC]


def test_a_mute_card_is_a_read_error_once() -> None:
    pcsc = ScriptedPcsc(
        [PICC],
        [
            lambda _: [entry(PNP_NOTIFICATION, 0), entry(PICC, STATE_EMPTY)],
            lambda _: [entry(PICC, STATE_PRESENT | STATE_MUTE | (1 << 16))],
            lambda _: [entry(PICC, STATE_PRESENT | STATE_MUTE | (1 << 16))],  # INUSE-like flicker: same card
            lambda _: [entry(PICC, STATE_EMPTY | (2 << 16))],
        ],
    )
    seen = run(pcsc, lambda e: isinstance(e, CardRemoved))
    errors = [e for e in seen if isinstance(e, CardReadError)]
    assert [(e.reader, e.code) for e in errors] == [(PICC, "card_mute")]
    assert pcsc.connected == []
