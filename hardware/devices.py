"""The kiosk's devices, chosen from the config, started together and stopped together (kiosk/app.py).

`make_devices` builds what the screens need a handle on before they exist (the printer worker), and the
demo's simulated reader, without starting anything; `start_devices` starts every device thread once the
app is on screen: NFC readers (PC/SC; in the demo, a real reader too when one is plugged in), the printer
worker, the evdev scanner, the keyboard-wedge fallback on the Kivy window, the QR camera. The sync worker
is the app's (sync_client): `Devices` only holds it, to start and stop it with the rest.

Adapters are imported when used: python-escpos, pyscard and the camera stack cost tenths of a second to
import, and the first frame of Accueil waits for none of them (issue 5).
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hardware.events import ReaderState, ReaderStatus
from kiosk.config import Config

if TYPE_CHECKING:
    from hardware.ports import NfcReader
    from hardware.printer import PrinterWorker, SlipPrinter
    from hardware.simulated import SimulatedReader
    from kiosk.card_keys import CardKeyRing

log = logging.getLogger(__name__)


@dataclass
class Devices:
    """Every device of the app; `stop` stops what `start_devices` started."""

    readers: list[NfcReader] = field(default_factory=list)
    simulated: SimulatedReader | None = None  # the demo's reader, driven by the keyboard shortcuts
    printer: PrinterWorker | None = None
    sync: Any = None  # sync_client.worker.SyncWorker, when the kiosk is paired (set by the app)
    scanner: Any = None  # hardware.hid_scanner.EvdevScanner, when one is configured
    wedge: Any = None  # hardware.kivy_keyboard.KeyboardWedge
    camera: Any = None  # hardware.qr_camera.PiCamera or hardware.kivy_camera.KivyCameraFeed
    frames: Any = None  # hardware.qr_camera.FrameScanner, decoding the camera's frames
    started: bool = False

    def stop(self) -> None:
        parts = (self.camera, self.frames, self.printer, self.sync, self.scanner, self.wedge)
        stops: list[Callable[[], object]] = [reader.stop for reader in self.readers]
        stops += [part.stop for part in parts if part is not None and self.started]
        for stop in stops:
            try:
                stop()
            except Exception:  # one stuck device must not keep the others running
                log.exception("could not stop %r", stop)
        self.readers.clear()
        self.printer = self.sync = self.scanner = self.wedge = self.camera = self.frames = None


def make_devices(
    config: Config, events: queue.Queue[object], card_key: bytes | CardKeyRing, printed: Path, *, demo: bool
) -> Devices:
    """Not started: no thread, no PC/SC call. `printed`: where the demo's printer writes its slips."""
    from hardware.printer import PrinterWorker
    from hardware.simulated import SimulatedPrinter, SimulatedReader

    devices = Devices()
    printer: SlipPrinter | None
    if demo:
        devices.simulated = SimulatedReader(events, card_key)
        printer = SimulatedPrinter(printed, paper_mm=config.printer.paper_mm)
    else:
        from hardware.device_doctor import printer_settings
        from hardware.printer import make_printer

        printer = make_printer(printer_settings(config))
    if printer is not None:
        devices.printer = PrinterWorker(printer, events)
    return devices


def replace_printer_and_scanner(
    devices: Devices, config: Config, events: queue.Queue[object], *, demo: bool
) -> None:
    """The librarian changed the printer or the scanner (« Réglages »): those two are stopped and made
    again from `config`, now; readers, camera and sync carry on. The demo keeps its simulated printer."""
    from hardware.printer import PrinterWorker

    if not demo:
        from hardware.device_doctor import printer_settings
        from hardware.printer import make_printer

        if devices.printer is not None:
            devices.printer.stop()
            devices.printer = None
        printer = make_printer(printer_settings(config))
        if printer is not None:
            devices.printer = PrinterWorker(printer, events)
            if devices.started:
                devices.printer.start()
    if devices.scanner is not None:
        devices.scanner.stop()
        devices.scanner = None
    if config.scanner.device and devices.started:
        from hardware.hid_scanner import EvdevScanner

        devices.scanner = EvdevScanner(events, config.scanner.device, config.scanner.layout)
        devices.scanner.start()


def start_devices(
    devices: Devices,
    config: Config,
    events: queue.Queue[object],
    card_key: bytes | CardKeyRing,
    window: Any,
    *,
    demo: bool,
) -> None:
    """Every device thread; on the Kivy thread (the wedge binds to `window`)."""
    from hardware.kivy_keyboard import KeyboardWedge

    if config.nfc.enabled and (not demo or pcsc_reader_attached()):
        from hardware.nfc import NfcSettings, PcscNfcReader
        from hardware.pcsc import PcscUnavailable

        try:
            devices.readers.append(PcscNfcReader(events, card_key, NfcSettings(feedback=config.nfc.feedback)))
        except PcscUnavailable as error:  # pyscard or libpcsclite missing: say "reader unplugged"
            log.error("no PC/SC: %s", error)
            events.put(ReaderStatus(reader="", state=ReaderState.SERVICE_DOWN, message=str(error)))
    if devices.simulated is not None:
        devices.readers.append(devices.simulated)
    devices.started = True  # from here on, stop() stops whatever is running
    for reader in devices.readers:
        reader.start()
    if devices.printer is not None:
        devices.printer.start()
    if config.scanner.device:
        from hardware.hid_scanner import EvdevScanner

        devices.scanner = EvdevScanner(events, config.scanner.device, config.scanner.layout)
        devices.scanner.start()
    devices.wedge = KeyboardWedge(events, window)  # a USB scanner without evdev rights still works
    devices.wedge.start()
    if config.scanner.camera:
        start_camera(devices, events)
    if devices.sync is not None:
        devices.sync.start()


def pcsc_reader_attached() -> bool:
    """Whether pcscd answers with a contactless reader attached (the demo then uses it too)."""
    from hardware.nfc import is_picc_reader
    from hardware.pcsc import Pcsc, PcscError, PcscUnavailable

    try:
        pcsc = Pcsc()
        context = pcsc.establish()
        try:
            names = pcsc.list_readers(context)
        finally:
            pcsc.release(context)
    except (PcscUnavailable, PcscError):
        return False
    return any(is_picc_reader(name) for name in names)


def start_camera(devices: Devices, events: queue.Queue[object]) -> None:
    """Passes shown to a camera: the Pi camera module when there is one, else Kivy's camera provider."""
    from hardware.qr_camera import FrameScanner, PiCamera

    devices.frames = FrameScanner(events)
    devices.frames.start()
    try:
        if PiCamera.available():
            devices.camera = PiCamera(devices.frames)
        else:
            from kivy.uix.camera import Camera

            from hardware.kivy_camera import KivyCameraFeed

            devices.camera = KivyCameraFeed(Camera(play=True, resolution=(640, 480)), devices.frames)
        devices.camera.start()
    except Exception:  # no camera after all: cards and the USB scanner still work
        log.exception("the QR camera could not start")
        devices.camera = None
