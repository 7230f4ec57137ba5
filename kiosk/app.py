"""The kiosk app: the one place where Kivy, the devices, the services and the screens meet (DESIGN §2, §3).

`run(config, demo=…, windowed=…)` (through `create_app`) sets Kivy's environment *before* Kivy is imported
(it reads it at import), opens the services and runs the Kivy app. The device threads (NFC reader, printer
worker, QR scanners, sync worker when the kiosk is paired) start once Accueil is drawn: the first frame
waits for none of them (issue 5: cold start ≤ 2× a bare Kivy app). Device threads only put plain events on
one queue; the Kivy thread drains it every 50 ms (`EventPump`), a bounded number per tick, and turns each
event into one call on the shell. An error in Kivy's loop is logged and the kiosk goes back to Accueil with
a calm message (`screens.recovery`). On exit every thread started here is stopped, then the store closed.

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
from typing import TYPE_CHECKING, Any

from hardware.devices import Devices, start_devices
from hardware.events import (
    CardReadError,
    CardRefused,
    CardTapped,
    PrinterStatus,
    PrintFinished,
    QrScanned,
    ReaderStatus,
)
from kiosk.app_admin import AdminWiring
from kiosk.app_ballots import HubBallots
from kiosk.app_network import CardLookUps
from kiosk.app_ops import CLOCK_POLL_SECONDS, HEARTBEAT_SECONDS, OpsWiring, SyncGate
from kiosk.cardid import CardRead
from kiosk.config import Config
from kiosk.domain import Identification, Identified
from kiosk.services import Services, open_services
from sync_client.worker import SyncStatus

if TYPE_CHECKING:
    from screens.shell import Shell

log = logging.getLogger("kiosk.app")

DEFAULT_WINDOW = (800, 480)  # the official 7" Raspberry Pi display, the smallest screen supported
LARGER_TEXT_ENV = "KIOSK_LARGER_TEXT"
LARGER_TEXT_SCALE = 1.25
DRAIN_SECONDS = 0.05
DRAIN_BUDGET = 20  # events per tick: a burst (sync statuses, a card held) never stalls a frame
# After the first frame: Accueil has made member home ahead by then (screens/accueil.py, 0.3 s), and what the
# kiosk keeps for good is set aside from the cycle collector (screens/memory.py)
SET_ASIDE_SECONDS = 1.0


def text_scale(environ: Mapping[str, str], larger_text: bool = False) -> float:
    """The librarian's « texte plus grand » setting (kiosk.larger_text), or $KIOSK_LARGER_TEXT=1."""
    value = environ.get(LARGER_TEXT_ENV, "").strip().lower()
    return LARGER_TEXT_SCALE if larger_text or value in ("1", "true", "yes", "oui") else 1.0


def kivy_environment(
    size: tuple[int, int] | None, environ: Mapping[str, str], larger_text: bool = False
) -> dict[str, str]:
    """What Kivy must find in the environment at import. `size`: the window's, when known beforehand
    (windowed); fullscreen sets the density once the window exists (see KioskRuntime.build)."""
    env = {
        "KIVY_NO_ARGS": "1",  # `kiosk run`'s own options are not Kivy's
        "KIVY_LOG_MODE": environ.get("KIVY_LOG_MODE", "MIXED"),  # our logging config stays ours
        "KIVY_METRICS_FONTSCALE": f"{text_scale(environ, larger_text):g}",
    }
    if size is not None:
        from screens.style import ui_scale  # no Kivy import there

        env["KIVY_METRICS_DENSITY"] = f"{ui_scale(*size):g}"
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
    # on a touchscreen the mouse provider steps aside while fingers are used (no double events)
    KivyConfig.set("input", "mouse", "mouse,multitouch_on_demand" + ("" if demo else ",disable_on_activity"))


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


# --- devices (hardware/devices.py) -------------------------------------------------------------


def make_devices(config: Config, services: Services, events: queue.Queue[object], *, demo: bool) -> Devices:
    """The devices, not started; with the sync worker when the kiosk is paired."""
    from hardware.devices import make_devices as make_hardware

    devices = make_hardware(config, events, services.ctx.keys, config.data_dir / "printed", demo=demo)
    if is_paired(services):
        devices.sync = make_sync_worker(config, services, events)
    return devices


def make_sync_worker(config: Config, services: Services, events: queue.Queue[object]) -> Any:
    """The sync worker (not started): at start when paired, or once the librarian pairs the kiosk."""
    from sync_client.worker import SyncWorker

    hub = config.hub
    return SyncWorker(
        config.database_path,
        events,
        services.ctx.clock,
        hub_url=hub.url or None,
        ca_file=hub.ca_file or None,
    )


def is_paired(services: Services) -> bool:
    """Whether the kiosk has a hub link (sync_client.engine.read_link's row), asked without importing the
    sync client's HTTP stack (~0.1 s): an unpaired kiosk never needs it."""
    return services.store.conn.execute("SELECT 1 FROM hub_link WHERE id = 1").fetchone() is not None


# --- events → shell ----------------------------------------------------------------------------


class EventPump:
    """Drains the device queue on the Kivy thread; each event becomes one shell call."""

    def __init__(
        self,
        events: queue.Queue[object],
        shell: Shell,
        services: Services,
        budget: int = DRAIN_BUDGET,
        states: AdminWiring | None = None,
    ) -> None:
        self.events = events
        self.shell = shell
        self.services = services
        self.budget = budget
        # the librarian screens' states and the maintenance mode (kiosk/app_admin.py)
        self.admin = states

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
        admin = self.admin
        if isinstance(event, CardTapped):
            card = CardRead(uid_hash=event.uid_hash, next_uid_hash=event.next_uid_hash)
            identification = self.services.cards.identify(card)
            if admin is not None and admin.card_while_away(identification.member):
                return  # left for maintenance: only a staff card brings the kiosk back
            shell.identified(identification, card=card)
        elif isinstance(event, CardRefused):
            card = CardRead(uid_hash="", random_uid=True)
            shell.identified(Identification(Identified.RANDOM_UID), card=card)
        elif isinstance(event, CardReadError):
            log.info("card read error on %s: %s %s", event.reader, event.code, event.message)
            shell.card_unreadable()
        elif isinstance(event, QrScanned):
            if shell.scanned_text(event.text):
                return  # the screen shown used the text itself (a pairing QR on « Appairer »)
            shell.identified(self.services.passes.identify(event.text))
        elif isinstance(event, ReaderStatus):
            log.info("reader %r: %s %s", event.reader, event.state, event.message)
            if admin is not None:
                admin.states.reader = event.state.value
            shell.reader_status(event.reader, event.state.value)
        elif isinstance(event, PrinterStatus):
            if admin is not None:
                admin.states.printer = event.state
            shell.printer_status(event.state)
        elif isinstance(event, PrintFinished):
            shell.print_finished(event.job_id, event.ok, event.error_code)
        elif isinstance(event, SyncStatus):
            if admin is not None:
                admin.states.sync = event
            shell.sync_status(event.state.value, event.pending)
            # A pull may have brought a card key rotation: the readers hash the next tap with its keys.
            self.services.ctx.keys.load(self.services.store.conn)
        # CardRemoved, ScannerStatus: nothing to show


# --- the app -----------------------------------------------------------------------------------


class KioskRuntime:
    """Builds the shell inside Kivy's App, starts and stops everything around it."""

    def __init__(self, config: Config, services: Services, *, demo: bool, windowed: bool = False) -> None:
        self.config = config
        self.services = services
        self.demo = demo
        self.events: queue.Queue[object] = queue.Queue()
        self.admin = AdminWiring(
            config,
            services,
            start_sync=self.start_sync,
            run_on_ui=run_on_ui,
            window=KivyWindow(),
            windowed=windowed,
            apply_devices=self.apply_device_settings,
        )
        self.ballots = HubBallots(config, run_on_ui)
        # issue 9: a card this kiosk does not know, asked of the hub (a visitor from another collective)
        self.card_look_ups = CardLookUps(config, services, run_on_ui, self.admin.sync_status)
        self.devices = Devices()
        # systemd watchdog, run lock, update confirmation; the first hub sync waits for a synced clock
        self.ops = OpsWiring(config, services, lambda: self.devices.readers)
        self.sync_gate = SyncGate(services.ctx.clock, services)
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
        Metrics.density = style.ui_scale(*Window.size)
        log.info(
            "window %dx%d, density %.2f, font scale %.2f", *Window.size, Metrics.density, Metrics.fontscale
        )
        style.register_fonts()
        self.devices = make_devices(self.config, self.services, self.events, demo=self.demo)
        self.devices.sync = self.sync_gate.hold(self.devices.sync)
        printer, admin = self.devices.printer, self.admin
        ctx = UiContext(
            services=self.services,
            config=self.config,
            clock=self.services.ctx.clock,
            print_slip=printer.submit if printer is not None else None,
            sync_now=self.sync_now,
            after_write=self.after_write,
            demo=self.demo,
            sync_status=admin.sync_status,
            hub_url=admin.hub_url,
            device_status=admin.device_status,
            pair_with_hub=admin.pair_with_hub,
            hub_cast_ballot=self.ballots.hub_cast_ballot,
            hub_voter_status=self.ballots.hub_voter_status,
            hub_election_result=self.ballots.hub_election_result,
            look_up_card=self.card_look_ups.look_up_card,
            apply_settings=admin.apply_settings,
            leave_kiosk=admin.leave_kiosk,
            data_dir=self.config.data_dir,
        )
        if self.demo:
            from kiosk.demo import DEMO_CARDS

            overlays.DEMO_CARD_NAMES = tuple(card.pseudonym for card in DEMO_CARDS)
        self.shell = admin.shell = Shell(ctx)
        return self.shell

    def start(self, app: Any) -> None:
        from kivy.clock import Clock
        from kivy.core.window import Window

        from screens.recovery import RecoveryHandler

        shell = self.shell
        assert shell is not None, "build() runs before on_start"
        recovery = RecoveryHandler(shell)
        recovery.install()
        self._handlers.append(recovery.remove)
        # kept on self: Kivy's clock and bindings hold bound methods weakly
        self.pump = pump = EventPump(self.events, shell, self.services, states=self.admin)
        drain = Clock.schedule_interval(pump.drain, DRAIN_SECONDS)
        self._handlers.append(drain.cancel)
        if self.demo and self.devices.simulated is not None:
            from screens.overlays import DemoShortcuts

            self.keys = keys = DemoShortcuts(self.devices.simulated, shell)
            Window.bind(on_key_down=keys.on_key_down)
            self._handlers.append(lambda: Window.unbind(on_key_down=keys.on_key_down))
        Window.bind(on_flip=self._first_frame)
        self._handlers.append(lambda: Window.unbind(on_flip=self._first_frame))
        beat = Clock.schedule_interval(self.ops.tick, HEARTBEAT_SECONDS)
        self._handlers.append(beat.cancel)
        self.ops.start()
        # `kill PID` (systemd stop) closes the kiosk cleanly, threads included
        signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: app.stop()))

    def _first_frame(self, *_args: object) -> None:
        """Accueil is on screen: the devices start at the next tick, a frame later than before."""
        from kivy.clock import Clock
        from kivy.core.window import Window

        Window.unbind(on_flip=self._first_frame)
        Clock.schedule_once(self._start_devices, 0)
        self.ops.ready()  # READY=1: feeding the watchdog starts (kiosk/health.py)

    def _start_devices(self, _dt: float = 0.0) -> None:
        from kivy.clock import Clock
        from kivy.core.window import Window

        if not self._stopped and not self.devices.started:
            key = self.services.ctx.keys  # shared with the readers: a card key rotation needs no restart
            start_devices(self.devices, self.config, self.events, key, Window, demo=self.demo)
            log.info("devices started, after the first frame")
            if self.sync_gate.held is not None:
                poll = Clock.schedule_interval(self._sync_when_clock_synced, CLOCK_POLL_SECONDS)
                self._handlers.append(poll.cancel)
            Clock.schedule_once(self._preload_sounds, 0)  # a frame of its own (~80 ms: the audio device)
            set_aside = Clock.schedule_once(self._set_aside_long_lived, SET_ASIDE_SECONDS)
            self._handlers.append(set_aside.cancel)

    def _sync_when_clock_synced(self, _dt: float = 0.0) -> bool:
        worker = self.sync_gate.poll()
        if worker is not None and not self._stopped:
            self.devices.sync = worker
            worker.start()
        return self.sync_gate.held is not None  # False unschedules the poll

    # the worker may start after the shell (the librarian pairs the kiosk): looked up at each call
    def sync_now(self) -> None:
        held = self.sync_gate.release()  # a librarian asks: no more waiting for the clock
        if held is not None and not self._stopped:
            self.devices.sync = held
            held.start()
        if self.devices.sync is not None:
            self.devices.sync.retry_now()

    def after_write(self) -> None:
        if self.devices.sync is not None:
            self.devices.sync.wake()

    def start_sync(self) -> None:
        """Paired from the librarian's screen: the sync worker starts now, no restart needed."""
        if self._stopped or self.devices.sync is not None:
            return
        self.sync_gate.release()  # paired again while waiting: the new worker replaces the held one
        self.devices.sync = make_sync_worker(self.config, self.services, self.events)
        self.devices.sync.start()
        log.info("sync worker started after pairing")

    def apply_device_settings(self, config: Config) -> None:
        """The librarian saved new settings: the printer and the scanner follow them now."""
        from hardware.devices import replace_printer_and_scanner

        self.config = config
        if self._stopped:
            return
        replace_printer_and_scanner(self.devices, config, self.events, demo=self.demo)
        if self.shell is not None:
            printer = self.devices.printer
            self.shell.ctx.print_slip = printer.submit if printer is not None else None

    def _set_aside_long_lived(self, _dt: float = 0.0) -> None:
        from screens import memory

        if not self._stopped:
            memory.set_aside_long_lived()

    def _preload_sounds(self, _dt: float = 0.0) -> None:
        if not self._stopped and self.shell is not None:
            self.shell.sounds.preload()  # the first card tap must not open the audio device

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
            from screens import memory

            memory.take_back_long_lived()
        self.devices.stop()
        self.ops.stop()  # STOPPING=1, the run lock released


class KivyWindow:
    """The window moves kiosk/app_admin.py asks for (maintenance, larger text), done with Kivy."""

    def step_aside(self) -> None:
        from kivy.core.window import Window

        Window.fullscreen = False
        Window.minimize()

    def come_back(self, fullscreen: bool) -> None:
        from kivy.core.window import Window

        Window.restore()
        if fullscreen:
            Window.fullscreen = "auto"

    def set_font_scale(self, scale: float) -> None:
        from kivy.metrics import Metrics

        Metrics.fontscale = scale


def run_on_ui(action: Callable[[], None]) -> None:
    """Hand `action` to the Kivy thread (from a worker thread): at the next frame."""
    from kivy.clock import Clock

    Clock.schedule_once(lambda _dt: action(), 0)


def create_app(
    config: Config, *, demo: bool, windowed: bool, size: tuple[int, int] | None = None
) -> tuple[Any, KioskRuntime]:
    """Everything `run` does before Kivy's loop: Kivy's environment and config, logging, the services, and a
    Kivy App whose build/start/stop are the runtime's. The caller runs `app.run()`, then `close(runtime)`.
    The benchmark (bench/ui_driver.py) builds the kiosk it measures through here."""
    window = (size or DEFAULT_WINDOW) if windowed or size else None
    os.environ.update(kivy_environment(window, os.environ, config.kiosk.larger_text))
    configure_logging(config)
    configure_kivy(window, demo=demo)
    services = open_services(config)
    runtime = KioskRuntime(config, services, demo=demo, windowed=window is not None)
    try:
        from kivy.app import App

        app = App(title=config.kiosk.name)
    except BaseException:
        services.close()
        raise
    app.build = runtime.build
    app.bind(on_start=lambda instance: runtime.start(instance), on_stop=runtime.stop)
    return app, runtime


def close(runtime: KioskRuntime) -> None:
    """After Kivy's loop: every device thread stopped, then the store closed."""
    try:
        runtime.stop()
    finally:
        runtime.services.close()


def run(config: Config, *, demo: bool, windowed: bool, size: tuple[int, int] | None = None) -> int:
    """`kiosk run`: fullscreen on the configured devices, or `demo` on simulated ones. Returns the exit
    status once the kiosk is closed (Escape in the demo, SIGTERM from systemd)."""
    app, runtime = create_app(config, demo=demo, windowed=windowed, size=size)
    try:
        app.run()
    finally:
        close(runtime)
    return 0
