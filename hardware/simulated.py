"""Simulated devices for the demo mode and the UI tests: same events, same queue, no hardware.

They behave like the real adapters from the app's point of view (the events are the ones in
hardware.events, built the same way), and their faults are switches the demo's keyboard shortcuts or a
UI test flip: reader unplugged, pcscd down, paper out, printer offline. There is no test logic in here:
what to tap and when is decided by the caller.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from hardware.events import CardKind, CardRefused, CardRemoved, CardTapped, QrScanned, ReaderStatus
from hardware.ports import EventSink, ReaderState
from hardware.printer import PrinterError, PrinterState
from hardware.receipts import LINE_WIDTHS, Slip, text_lines
from kiosk.card_keys import CardKeyRing, ring_of
from kiosk.cardid import is_random_uid

log = logging.getLogger(__name__)

SIMULATED_READER = "Lecteur simulé"


def _kind_for(uid: bytes) -> CardKind:
    """A plausible card family for a UID length (7-byte UIDs are typically NTAG / Ultralight stickers)."""
    return {4: CardKind.MIFARE_CLASSIC_1K, 7: CardKind.MIFARE_ULTRALIGHT}.get(len(uid), CardKind.OTHER)


class SimulatedReader:
    """An NFC reader (hardware.ports.NfcReader) driven by calls or by a script of (uid, delay) pairs.

    `tap(uid)` presents a card (replacing any card still on the reader), `remove()` takes it away. A
    script plays on its own thread: wait `delay` seconds, tap, hold for `hold` seconds, remove.
    While unplugged or with pcscd "down", taps are not seen, as with the real reader.
    """

    def __init__(
        self,
        events: EventSink,
        card_key: bytes | CardKeyRing,
        reader: str = SIMULATED_READER,
        script: Sequence[tuple[bytes, float]] = (),
        hold: float = 0.3,
    ) -> None:
        self.events = events
        self.keys = ring_of(card_key)  # read at each tap, as the real reader does
        self.reader = reader
        self.script = tuple(script)
        self.hold = hold
        self._lock = threading.Lock()
        self._present = False
        self._plugged = True
        self._service_up = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = False

    # --- NfcReader port ---

    def start(self) -> None:
        if self._started:
            raise RuntimeError("reader already started")
        self._started = True
        self._publish_state()
        if self.script:
            self._thread = threading.Thread(target=self._play, name="simulated-reader", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        if not self._started:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._started = False
        self.events.put(ReaderStatus(reader="", state=ReaderState.STOPPED))

    @property
    def running(self) -> bool:
        return self._started

    @property
    def readers(self) -> tuple[str, ...]:
        return (self.reader,) if self._started and self._plugged and self._service_up else ()

    # --- cards ---

    @property
    def ready(self) -> bool:
        return self._started and self._plugged and self._service_up

    def tap(self, uid: bytes, kind: CardKind | None = None) -> None:
        with self._lock:
            if not self.ready:
                log.info("simulated tap ignored: the reader is not available")
                return
            if self._present:
                self.events.put(CardRemoved(reader=self.reader))
            self._present = True
            kind = kind or _kind_for(uid)
            if is_random_uid(uid):
                self.events.put(CardRefused(reader=self.reader, reason="random_uid", atr_kind=kind))
            else:
                digest, following = self.keys.keys.hashes(uid)
                tapped = CardTapped(digest, kind, self.reader, uid=uid, next_uid_hash=following)
                self.events.put(tapped)

    def remove(self) -> None:
        with self._lock:
            if self._present:
                self._present = False
                self.events.put(CardRemoved(reader=self.reader))

    def _play(self) -> None:
        for uid, delay in self.script:
            if self._stop.wait(delay):
                return
            self.tap(uid)
            if self._stop.wait(self.hold):
                return
            self.remove()

    # --- faults ---

    def _publish_state(self) -> None:
        if not self._service_up:
            self.events.put(ReaderStatus(reader="", state=ReaderState.SERVICE_DOWN, message="simulated"))
        elif not self._plugged:
            self.events.put(ReaderStatus(reader=self.reader, state=ReaderState.DISCONNECTED))
        else:
            self.events.put(ReaderStatus(reader=self.reader, state=ReaderState.READY))

    def _set(self, plugged: bool | None = None, service_up: bool | None = None) -> None:
        with self._lock:
            before = (self._plugged, self._service_up)
            self._plugged = self._plugged if plugged is None else plugged
            self._service_up = self._service_up if service_up is None else service_up
            if (self._plugged, self._service_up) == before or not self._started:
                return
            if self._present and not (self._plugged and self._service_up):
                self._present = False  # the real monitor loses the card with the reader
                self.events.put(CardRemoved(reader=self.reader))
            self._publish_state()

    def unplug(self) -> None:
        self._set(plugged=False)

    def plug(self) -> None:
        self._set(plugged=True)

    def pcscd_down(self) -> None:
        self._set(service_up=False)

    def pcscd_up(self) -> None:
        self._set(service_up=True)


class SimulatedScanner:
    """A QR scanner: `scan(text)` is a code read by the wedge scanner or the camera."""

    def __init__(self, events: EventSink, source: str = "simulated") -> None:
        self.events = events
        self.source = source

    def scan(self, text: str) -> None:
        self.events.put(QrScanned(text=text, source=self.source))


class SimulatedPrinter:
    """A printer (hardware.printer.SlipPrinter) that writes each slip as `NNNN-kind.txt` + `NNNN-kind.png`
    (the QR) in `folder`. Wrap it in `PrinterWorker`, like the real one, to get the same events; after
    flipping a fault, `PrinterWorker.check()` publishes the new state at once."""

    def __init__(self, folder: Path, paper_mm: int = 58, codepage: str = "cp858") -> None:
        self.folder = folder
        self.width = LINE_WIDTHS[paper_mm]
        self.codepage = codepage
        self.paper_out = False
        self.offline = False
        self.printed: list[Path] = []

    def check(self) -> PrinterState:
        if self.offline:
            return PrinterState.OFFLINE
        return PrinterState.PAPER_OUT if self.paper_out else PrinterState.READY

    def print_slip(self, slip: Slip) -> PrinterState:
        state = self.check()
        if state is not PrinterState.READY:
            raise PrinterError(state, "simulated fault")
        self.folder.mkdir(parents=True, exist_ok=True)
        number = len(list(self.folder.glob("*.txt"))) + 1
        stem = self.folder / f"{number:04d}-{slip.kind}"
        text_path = stem.with_suffix(".txt")
        text_path.write_text("\n".join(text_lines(slip, self.width, self.codepage)) + "\n", encoding="utf-8")
        if slip.qr_payload is not None:
            from hardware.qr import qr_png  # qrcode and PIL: not needed until the first slip

            qr_png(slip.qr_payload, module_px=6, path=stem.with_suffix(".png"))
        self.printed.append(text_path)
        return PrinterState.READY
