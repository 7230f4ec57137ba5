"""« Synchronisation et état »: what the librarian needs to know about this kiosk's link and devices.

Pending changes, the last successful sync (« il y a 3 minutes »), the last problem in plain words, the
hub's address, the card reader and the printer; « Synchroniser maintenant » asks the worker for a sync
(ctx.sync_now). Everything comes from the context's callables, which only return what the app already
knows, so the screen can refresh every 2 s while it is shown without touching the network.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.clock import Clock, ClockEvent
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import _
from kiosk.journal import pending_count
from screens import admin2_words as words
from screens.admin_widgets import AdminScreen

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

REFRESH_SECONDS = 2.0


class AdminSyncScreen(AdminScreen):
    personal = False
    pending = StringProperty("")
    last_success = StringProperty("")
    problem = StringProperty("")
    hub = StringProperty("")
    paired = BooleanProperty(False)
    reader = StringProperty("")
    printer = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tick: ClockEvent | None = None

    def fill(self, **_params: Any) -> None:
        self.refresh()

    def on_enter(self, *_args: Any) -> None:
        if self._tick is None:
            self._tick = Clock.schedule_interval(self._on_tick, REFRESH_SECONDS)

    def _on_tick(self, _dt: float) -> None:
        # A shell shut down (the app closing) never leaves its screen: stop here rather than read a
        # closed store.
        if self.get_root_window() is None or self.manager is None or self.manager.current != self.name:
            self.on_leave()
            return
        self.refresh()

    def on_leave(self, *_args: Any) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def refresh_language(self) -> None:
        if self.session.admin:
            self.refresh()

    def refresh(self) -> None:
        ctx = self.ctx
        status = ctx.sync_status()
        hub = ctx.hub_url()
        self.paired = bool(hub)
        self.hub = hub or _("Pas encore appairée")
        pending = status.pending if status is not None else pending_count(ctx.services.store.conn)
        self.pending = words.pending_text(pending, self.paired)
        if status is not None and status.last_success_at:
            then = datetime.fromisoformat(status.last_success_at)
            self.last_success = words.ago_text(then, ctx.clock.now())
        else:
            self.last_success = _("jamais")
        if status is None:
            self.problem = "" if self.paired else words.problem_text("not_paired", None)
        else:
            self.problem = words.problem_text(status.state.value, status.last_error)
        devices = ctx.device_status()
        self.reader = words.device_text("reader", devices.get("reader"))
        self.printer = words.device_text("printer", devices.get("printer"))

    def sync_now(self) -> None:
        self.ctx.sync_now()
        self.shell.notify(_("Synchronisation demandée : l’état se met à jour dans un instant."), "info")
        self.refresh()

    def pair(self) -> None:
        self.shell.go("admin_pair")
