"""The kiosk app: the one place where Kivy, the devices, the services and the screens meet (DESIGN §2, §3).

`run(config, demo=…, windowed=…)` sets Kivy's environment *before* Kivy is imported (it reads it at import),
opens the services, starts every device thread (NFC reader, printer worker, QR scanners, sync worker when
the kiosk is paired), and runs the Kivy app. Device threads only put plain events on one queue; the Kivy
thread drains it every 50 ms (`EventPump`), a bounded number per tick, and turns each event into one call
on the shell. An error in Kivy's loop is logged and the kiosk goes back to Accueil with a calm message
(`screens.shell.RecoveryHandler`). On exit every thread started here is stopped, then the store closed.

The "larger text" setting is read from the environment for now: KIOSK_LARGER_TEXT=1 multiplies every
type size by 1.25 (Kivy's font scale); a config key will replace it with the librarian's settings.

This module imports neither Kivy nor the screens at import time: `kiosk.cli` imports it lazily, and the
UI tests import `EventPump` after their own Kivy set-up.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import queue
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hardware.events import (
    CardReadError,
    CardRefused,
    CardTapped,
    PrinterStatus,
    PrintFinished,
    QrScanned,
    ReaderState,
    ReaderStatus,
)
from kiosk.cardid import CardRead
from kiosk.config import Config
from kiosk.domain import Identification, Identified
from kiosk.services import Services, open_services
from sync_client.worker import SyncStatus

if TYPE_CHECKING:
    from hardware.ports import NfcReader
    from hardware.simulated import SimulatedReader
    from screens.shell import Shell

log = logging.getLogger("kiosk.app")

DEFAULT_WINDOW = (800, 480)  # the official 7" Raspberry Pi display, the smallest screen supported
REFERENCE_HEIGHT = 480
LARGER_TEXT_ENV = "KIOSK_LARGER_TEXT"
LARGER_TEXT_SCALE = 1.25
DRAIN_SECONDS = 0.05
DRAIN_BUDGET = 20  # events per tick: a burst (sync statuses, a card held) never stalls a frame


def text_scale(environ: Mapping[str, str]) -> float:
    value = environ.get(LARGER_TEXT_ENV, "").strip().lower()
    return LARGER_TEXT_SCALE if value in ("1", "true", "yes", "oui") else 1.0


def kivy_environment(size: tuple[int, int] | None, environ: Mapping[str, str]) -> dict[str, str]:
    """What Kivy must find in the environment at import. `size`: the window's, when known beforehand
    (windowed); fullscreen sets the density once the window exists (see KioskRuntime.build)."""
    env = {
        "KIVY_NO_ARGS": "1",  # `kiosk run`'s own options are not Kivy's
        "KIVY_LOG_MODE": environ.get("KIVY_LOG_MODE", "MIXED"),  # our logging config stays ours
        "KIVY_METRICS_FONTSCALE": f"{text_scale(environ):g}",
    }
    if size is not None:
        env["KIVY_METRICS_DENSITY"] = f"{max(1.0, size[1] / REFERENCE_HEIGHT):g}"
    return env


def configure_kivy(size: tuple[int, int] | None, *, demo: bool) -> None:
    from kivy.config import Config as KivyConfig

    if size is None:
        KivyConfig.set("graphics", "fullscreen", "auto")
        KivyConfig.set("graphics", "show_cursor", "1" if demo else "0")
    else:
        KivyConfig.set("graphics", "fullscreen", "0")
        KivyConfig.set("graphics", "width", str(size[0]))
        KivyConfig.set("graphics", "height", str(size[1]))
        KivyConfig.set("graphics", "resizable", "0")
    # Escape quits the demo; in production nobody may close the kiosk from a keyboard.
    KivyConfig.set("kivy", "exit_on_escape", "1" if demo else "0")
    # a right click must not leave red multitouch dots on a kiosk screen
    KivyConfig.set("input", "mouse", "mouse,multitouch_on_demand")


def configure_logging(config: Config) -> None:
    folder = config.data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        folder / "kiosk.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


# --- devices -----------------------------------------------------------------------------------


@dataclass
class Devices:
    """Every device thread the app started, so that each is stopped on exit."""

    readers: list[NfcReader] = field(default_factory=list)
    simulated: SimulatedReader | None = None  # the demo's reader, driven by the keyboard shortcuts
    printer: Any = None  # hardware.printer.PrinterWorker
    sync: Any = None  # sync_client.worker.SyncWorker, when the kiosk is paired
    scanner: Any = None  # hardware.hid_scanner.EvdevScanner, when one is configured
    wedge: Any = None  # hardware.kivy_keyboard.KeyboardWedge
    camera: Any = None  # hardware.qr_camera.PiCamera or hardware.kivy_camera.KivyCameraFeed
    frames: Any = None  # hardware.qr_camera.FrameScanner, decoding the camera's frames

    def stop(self) -> None:
        stops: list[Callable[[], object]] = [reader.stop for reader in self.readers]
        parts = (self.camera, self.frames, self.printer, self.sync, self.scanner, self.wedge)
        stops += [part.stop for part in parts if part is not None]
        for stop in stops:
            try:
                stop()
            except Exception:  # one stuck device must not keep the others running
                log.exception("could not stop %r", stop)
        self.readers.clear()
        self.printer = self.sync = self.scanner = self.wedge = self.camera = self.frames = None


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


def open_devices(
    config: Config, services: Services, events: queue.Queue[object], window: Any, *, demo: bool
) -> Devices:
    from hardware.device_doctor import printer_settings
    from hardware.kivy_keyboard import KeyboardWedge
    from hardware.printer import PrinterWorker, make_printer
    from hardware.simulated import SimulatedPrinter, SimulatedReader
    from sync_client.engine import read_link

    devices = Devices()
    key = services.ctx.card_key
    if config.nfc.enabled and (not demo or pcsc_reader_attached()):
        from hardware.nfc import NfcSettings, PcscNfcReader
        from hardware.pcsc import PcscUnavailable

        try:
            devices.readers.append(PcscNfcReader(events, key, NfcSettings(feedback=config.nfc.feedback)))
        except PcscUnavailable as error:  # pyscard or libpcsclite missing: say "reader unplugged"
            log.error("no PC/SC: %s", error)
            events.put(ReaderStatus(reader="", state=ReaderState.SERVICE_DOWN, message=str(error)))
    if demo:
        devices.simulated = SimulatedReader(events, key)
        devices.readers.append(devices.simulated)
    for reader in devices.readers:
        reader.start()

    printer = (
        SimulatedPrinter(config.data_dir / "printed", paper_mm=config.printer.paper_mm)
        if demo
        else make_printer(printer_settings(config))
    )
    if printer is not None:
        devices.printer = PrinterWorker(printer, events)
        devices.printer.start()

    if config.scanner.device:
        from hardware.hid_scanner import EvdevScanner

        devices.scanner = EvdevScanner(events, config.scanner.device, config.scanner.layout)
        devices.scanner.start()
    devices.wedge = KeyboardWedge(events, window)  # a USB scanner without evdev rights still works
    devices.wedge.start()
    if config.scanner.camera:
        start_camera(devices, events)

    if read_link(services.store.conn) is not None:
        from sync_client.worker import SyncWorker

        devices.sync = SyncWorker(
            config.database_path,
            events,
            services.ctx.clock,
            hub_url=config.hub.url or None,
            ca_file=config.hub.ca_file or None,
        )
        devices.sync.start()
    return devices


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


# --- events → shell ----------------------------------------------------------------------------


class EventPump:
    """Drains the device queue on the Kivy thread; each event becomes one shell call."""

    def __init__(
        self, events: queue.Queue[object], shell: Shell, services: Services, budget: int = DRAIN_BUDGET
    ) -> None:
        self.events = events
        self.shell = shell
        self.services = services
        self.budget = budget

    def drain(self, *_args: object) -> int:
        handled = 0
        while handled < self.budget:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                break
            handled += 1
            try:
                self.handle(event)
            except Exception:
                log.exception("handling %s failed", type(event).__name__)
                self.shell.recover()
        return handled

    def handle(self, event: object) -> None:
        shell = self.shell
        if isinstance(event, CardTapped):
            card = CardRead(uid_hash=event.uid_hash)
            shell.identified(self.services.cards.identify(card), card=card)
        elif isinstance(event, CardRefused):
            card = CardRead(uid_hash="", random_uid=True)
            shell.identified(Identification(Identified.RANDOM_UID), card=card)
        elif isinstance(event, CardReadError):
            log.info("card read error on %s: %s %s", event.reader, event.code, event.message)
            shell.card_unreadable()
        elif isinstance(event, QrScanned):
            shell.identified(self.services.passes.identify(event.text))
        elif isinstance(event, ReaderStatus):
            log.info("reader %r: %s %s", event.reader, event.state, event.message)
            shell.reader_status(event.reader, event.state.value)
        elif isinstance(event, PrinterStatus):
            shell.printer_status(event.state)
        elif isinstance(event, PrintFinished):
            shell.print_finished(event.job_id, event.ok, event.error_code)
        elif isinstance(event, SyncStatus):
            shell.sync_status(event.state.value, event.pending)
        # CardRemoved, ScannerStatus: nothing to show


# --- the app -----------------------------------------------------------------------------------


class KioskRuntime:
    """Builds the shell inside Kivy's App, starts and stops everything around it."""

    def __init__(self, config: Config, services: Services, *, demo: bool) -> None:
        self.config = config
        self.services = services
        self.demo = demo
        self.events: queue.Queue[object] = queue.Queue()
        self.devices = Devices()
        self.shell: Shell | None = None
        self.pump: EventPump | None = None
        self.keys: Any = None  # screens.overlays.DemoShortcuts, in the demo
        self._handlers: list[Any] = []
        self._stopped = False

    def build(self) -> Shell:
        from kivy.core.window import Window
        from kivy.metrics import Metrics

        from screens import overlays, style
        from screens.context import UiContext
        from screens.shell import Shell

        # Fullscreen: the window's size is known only now, before any widget is built.
        Metrics.density = style.ui_scale(Window.height)
        log.info(
            "window %dx%d, density %.2f, font scale %.2f", *Window.size, Metrics.density, Metrics.fontscale
        )
        style.register_fonts()
        self.devices = open_devices(self.config, self.services, self.events, Window, demo=self.demo)
        printer, sync = self.devices.printer, self.devices.sync
        ctx = UiContext(
            services=self.services,
            config=self.config,
            clock=self.services.ctx.clock,
            print_slip=printer.submit if printer is not None else None,
            sync_now=sync.retry_now if sync is not None else _nothing,
            after_write=sync.wake if sync is not None else _nothing,
            demo=self.demo,
        )
        if self.demo:
            from kiosk.demo import DEMO_CARDS

            overlays.DEMO_CARD_NAMES = tuple(card.pseudonym for card in DEMO_CARDS)
        self.shell = Shell(ctx)
        return self.shell

    def start(self, app: Any) -> None:
        from kivy.clock import Clock
        from kivy.core.window import Window

        from screens.shell import RecoveryHandler

        shell = self.shell
        assert shell is not None, "build() runs before on_start"
        recovery = RecoveryHandler(shell)
        recovery.install()
        self._handlers.append(recovery.remove)
        # kept on self: Kivy's clock and bindings hold bound methods weakly
        self.pump = pump = EventPump(self.events, shell, self.services)
        drain = Clock.schedule_interval(pump.drain, DRAIN_SECONDS)
        self._handlers.append(drain.cancel)
        if self.demo and self.devices.simulated is not None:
            from screens.overlays import DemoShortcuts

            self.keys = keys = DemoShortcuts(self.devices.simulated, shell)
            Window.bind(on_key_down=keys.on_key_down)
            self._handlers.append(lambda: Window.unbind(on_key_down=keys.on_key_down))
        # `kill PID` (systemd stop) closes the kiosk cleanly, threads included
        signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: app.stop()))

    def stop(self, *_args: object) -> None:
        if self._stopped:
            return
        self._stopped = True
        for undo in reversed(self._handlers):
            with contextlib.suppress(Exception):
                undo()
        self._handlers.clear()
        if self.shell is not None:
            self.shell.shutdown()
        self.devices.stop()


def _nothing() -> None:
    return None


def run(config: Config, *, demo: bool, windowed: bool, size: tuple[int, int] | None = None) -> int:
    """`kiosk run`: fullscreen on the configured devices, or `demo` on simulated ones. Returns the exit
    status once the kiosk is closed (Escape in the demo, SIGTERM from systemd)."""
    window = (size or DEFAULT_WINDOW) if windowed or size else None
    os.environ.update(kivy_environment(window, os.environ))
    configure_logging(config)
    configure_kivy(window, demo=demo)
    services = open_services(config)
    runtime = KioskRuntime(config, services, demo=demo)
    try:
        from kivy.app import App

        app = App(title=config.kiosk.name)
        app.build = runtime.build
        app.bind(on_start=lambda instance: runtime.start(instance), on_stop=runtime.stop)
        app.run()
    finally:
        runtime.stop()
        services.close()
    return 0
