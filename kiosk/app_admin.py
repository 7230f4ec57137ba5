"""What the librarian's screens get from the app (part of the composition root, like kiosk/app.py).

Screens never hold a device, a thread or a network client (DESIGN §2); the « Synchronisation et état »,
« Appairer », « Réglages » and « Maintenance » screens call the plain callables of `UiContext`, and this
module implements them: the last sync status and device states the event pump saw, pairing with the hub
on a thread of its own (its answer comes back on the Kivy thread), the librarian's settings applied at
once, and leaving the kiosk for maintenance — the window steps aside and the next staff card brings it
back on the PIN pad, without a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.config import Config
from kiosk.services import Services
from kiosk.settings import KioskSettings

if TYPE_CHECKING:
    from screens.context import PairOutcome
    from screens.shell import Shell
    from sync_client.worker import SyncStatus

log = logging.getLogger(__name__)

LARGER_TEXT_SCALE = 1.25


@dataclass
class DeviceStates:
    """The last states the event pump saw (ReaderStatus, PrinterStatus, SyncStatus events)."""

    reader: str = "absent"
    printer: str = "absent"
    sync: SyncStatus | None = None
    extra: dict[str, str] = field(default_factory=dict)


class WindowHooks(Protocol):
    """What this module asks of the window; kiosk/app.py gives Kivy's (the core never imports Kivy)."""

    def step_aside(self) -> None: ...  # leave fullscreen, minimise

    def come_back(self, fullscreen: bool) -> None: ...

    def set_font_scale(self, scale: float) -> None: ...


class AdminWiring:
    def __init__(
        self,
        config: Config,
        services: Services,
        *,
        start_sync: Callable[[], None],
        run_on_ui: Callable[[Callable[[], None]], None],
        window: WindowHooks,
        windowed: bool = False,
        apply_devices: Callable[[Config], None] | None = None,
    ) -> None:
        self.config = config
        self.services = services
        self.states = DeviceStates()
        self.shell: Shell | None = None
        self.away = False  # left for maintenance: the window is minimised until a staff card comes
        self.windowed = windowed  # a windowed kiosk (the demo) comes back windowed
        self._start_sync = start_sync
        self._run_on_ui = run_on_ui
        self._apply_devices = apply_devices
        self._window = window

    # --- what the sync and health screen reads ---

    def sync_status(self) -> SyncStatus | None:
        return self.states.sync

    def hub_url(self) -> str | None:
        row = self.services.store.conn.execute("SELECT hub_url FROM hub_link WHERE id = 1").fetchone()
        if row is not None and row[0]:
            return str(row[0])
        return self.config.hub.url or None

    def device_status(self) -> dict[str, str]:
        return {"reader": self.states.reader, "printer": self.states.printer, **self.states.extra}

    # --- pairing: the network off the Kivy thread ---

    def pair_with_hub(self, url: str, code: str, done: Callable[[PairOutcome], None]) -> None:
        threading.Thread(target=self._pair, args=(url, code, done), name="kiosk-pairing", daemon=True).start()

    def _pair(self, url: str, code: str, done: Callable[[PairOutcome], None]) -> None:
        from kiosk.store import Store
        from screens.context import PairOutcome
        from sync_client.client import HubClient, HubError
        from sync_client.pairing import pair_kiosk

        outcome = PairOutcome(True)
        try:
            store = Store.open(self.config.database_path)  # a connection of this thread's own
            try:
                client = HubClient(url, ca_file=self.config.hub.ca_file or None)
                try:
                    pair_kiosk(store, client, code, self.config.kiosk.name)
                finally:
                    client.close()
            finally:
                store.close()
        except HubError as error:
            outcome = PairOutcome(False, error.message, error.code)
        except Exception as error:  # a store or network fault: said in words, the kiosk carries on
            log.exception("pairing failed")
            outcome = PairOutcome(False, str(error), "unavailable")

        def answer() -> None:
            if outcome.ok:
                self._start_sync()  # paired now: the worker starts without a restart
            done(outcome)

        self._run_on_ui(answer)

    # --- settings, applied at once ---

    def apply_settings(self, settings: KioskSettings) -> None:
        shell = self.shell
        if shell is not None:
            shell.set_inactivity(settings.inactivity_s)
            if not shell.session.active:
                shell.switch_language(settings.language)  # a member's own language choice stays theirs
            self.config = shell.ctx.config  # the settings screen saved it (kiosk.settings.save_settings)
            if self._apply_devices is not None:
                self._apply_devices(self.config)  # printer and scanner made again: no restart
        self._window.set_font_scale(LARGER_TEXT_SCALE if settings.larger_text else 1.0)

    # --- maintenance ---

    def leave_kiosk(self) -> None:
        self.away = True
        self._window.step_aside()
        log.info("kiosk left for maintenance: a staff card brings it back")

    def card_while_away(self, member: Any) -> bool:
        """A card identified while away: a staff member's brings the kiosk back (on the PIN pad, by the
        usual way); anyone else's is ignored — nobody is at the kiosk. True when the card was used here."""
        if not self.away:
            return False
        if member is None or not self.services.admin.is_staff(member):
            return True
        self.away = False
        self._window.come_back(fullscreen=not self.windowed)
        log.info("kiosk back from maintenance")
        return False  # the shell opens their home as for any card; « Espace bibliothécaire » is there
