"""The shell: the one root widget every screen lives in (see screens/base.py for the screen contract).

It owns the `ScreenManager` (screens created lazily from screens/routes.py), the `Session`, the banner strip
(reader, network, printer), the overlays (inactivity countdown, calm messages, demo help), the inactivity
timer, and what happens by default when a card or a pass is presented (a card this kiosk does not know is
asked of the hub first, screens/visitor.py: it may be a member of another collective, visiting).

Screens live as long as a visit: a person's entries and notices stay while they come and go between
screens. When the session ends (« Terminer », inactivity) every screen but `keep` (Accueil, member home) is
released and built again for the next person who needs it: a screen holds 5 to 40 MB of widgets and
textures and takes 10 to 50 ms to build (screens/memory.py), so the kiosk's memory stays flat over hundreds
of sessions (issue 5).

The app (kiosk/app.py) turns device events into the plain calls below — `identified`, `reader_status`,
`sync_status`, `printer_status`, `print_finished`, `card_unreadable` — so the shell never sees a device.
Everything here runs on the Kivy main thread. An exception in a screen's `prepare`, `on_identified` or
`wipe` never reaches the person: it is logged, a calm message is shown, and the kiosk goes back to Accueil
(`recover`); screens/recovery.py does the same for errors raised anywhere in Kivy's event loop.
"""

from __future__ import annotations

import importlib
import logging
import time
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kivy.clock import Clock, ClockEvent
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.cardid import CardRead
from kiosk.domain import Identification, Identified, Member
from kiosk.errors import KioskError, codes
from kiosk.i18n import _
from screens import banners, memory, overlays, style, theme_catalogue
from screens.base import KioskScreen, Session
from screens.context import UiContext
from screens.routes import ROOT_ROUTES, ROUTES
from screens.sounds import REFUSAL, SUCCESS, Sounds
from screens.tr import tr
from screens.visitor import VisitorDoor
from screens.widgets import manager as _manager  # noqa: F401  (shell.kv uses its FlatScreenManager)
from screens.widgets.keyboard_pages import layout_for

log = logging.getLogger(__name__)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

COUNTDOWN_SECONDS = 10
KEEP = frozenset({"accueil", "member_home"})  # kept between sessions (member home: wiped, refilled at a tap)
COMPACT_DELAY = 0.1  # s after a session ended: Accueil is drawn first, then ~0.2 s of collection


class UnknownRoute(LookupError):
    """A route no screen answers (yet): the person gets a calm "not available" message."""


class Shell(FloatLayout):  # type: ignore[misc]  # Kivy is untyped
    ctx = ObjectProperty(None)
    # Seconds of the "Vous êtes encore là ?" countdown once inactivity_seconds have passed.
    countdown_seconds = NumericProperty(COUNTDOWN_SECONDS)

    def __init__(
        self,
        ctx: UiContext,
        *,
        sounds: Sounds | None = None,
        routes: Mapping[str, str] | None = None,
        keep: frozenset[str] = KEEP,
        **kwargs: Any,
    ) -> None:
        self.session = Session()
        self.sounds = sounds or Sounds()
        self.routes = dict(ROUTES if routes is None else routes)
        self.keep = keep
        self.history: list[str] = []
        # The last card read, for a screen that needs more than the Identification (card enrolment).
        self.last_card: CardRead | None = None
        self._readers: dict[str, str] = {}  # reader name → state, to know whether any reader works
        self._recovering = False
        self._window_colour: tuple[float, ...] | None = None  # the window's, while this shell is on it
        super().__init__(ctx=ctx, **kwargs)
        self.manager: ScreenManager = self.ids.manager
        self.manager.transition = NoTransition()  # the Pi's GPU is slow; an instant switch is calm too
        self.banners: banners.BannerStrip = self.ids.banners
        self.overlays = overlays.OverlayLayer(shell=self)
        self.add_widget(self.overlays)
        self._inactivity = Clock.create_trigger(self._on_inactive, ctx.config.kiosk.inactivity_seconds)
        self._last_activity = time.monotonic()
        self._countdown_tick: ClockEvent | None = None
        self._compact = Clock.create_trigger(self._compact_memory, COMPACT_DELAY)
        self.visitors = VisitorDoor(self)  # issue 9: an unknown card may be a visitor the hub knows
        _follow_language(self)
        self.go("accueil")

    def on_parent(self, _shell: Any, parent: Any) -> None:
        """On the window, the window is cleared to the background colour behind every screen, for free
        (see shell.kv); taken off it (tests, screenshots), the window gets its own colour back."""
        if parent is not None:
            self._window_colour = tuple(Window.clearcolor)
            Window.clearcolor = style.colour("background")
        elif self._window_colour is not None:
            Window.clearcolor = self._window_colour
            self._window_colour = None

    # --- navigation (the contract of screens/base.py) ---

    @property
    def current(self) -> KioskScreen | None:
        screen = self.manager.current_screen
        return screen if isinstance(screen, KioskScreen) else None

    def screen(self, name: str) -> KioskScreen:
        """The screen of a route, created (and its module imported) when it is not there."""
        if self.manager.has_screen(name):
            return self.manager.get_screen(name)  # type: ignore[no-any-return]
        target = self.routes.get(name)
        if target is None:
            raise UnknownRoute(name)
        module_name, class_name = target.split(":")
        screen_class = getattr(importlib.import_module(module_name), class_name)
        created: KioskScreen = screen_class(name=name, shell=self)
        self.manager.add_widget(created)
        return created

    def go(self, name: str, **params: Any) -> None:
        try:
            target = self.screen(name)
            theme_catalogue.use(self.ctx.services.themes.catalogue())  # a pull may have added one
            target.prepare(**params)
        except UnknownRoute:
            log.warning("no screen for route %r yet", name)
            self.notify(_(overlays.NOT_AVAILABLE), "info")
            return
        except Exception:
            log.exception("could not open screen %r", name)
            self.recover()
            return
        previous = self.manager.current
        if name in ROOT_ROUTES:
            self.history.clear()
        elif previous and previous != name:
            self.history.append(previous)
        self.manager.current = name
        self.activity()
        memory.give_back_soon()

    def back(self) -> None:
        """The previous screen as it was left (not prepared again: a wizard keeps its entries)."""
        if not self.history:
            self.home()
            return
        self.manager.current = self.history.pop()
        self.activity()
        memory.give_back_soon()

    def home(self) -> None:
        if self.session.member is not None:
            self.go("member_home", member_id=self.session.member.id)
        else:
            self.go("accueil")

    def end_session(self) -> None:
        """Back to Accueil with nothing personal left on any screen, in the kiosk's own language."""
        self._stop_countdown()
        self._inactivity.cancel()
        self.visitors.forget()
        self.overlays.dismiss_all()
        for screen in list(self.manager.screens):
            if isinstance(screen, KioskScreen) and screen.personal:
                try:
                    screen.wipe()
                except Exception:
                    log.exception("wipe failed on %r", screen.name)
        self.session.close()
        self.history.clear()
        self.go("accueil")
        # before the language switch: only Accueil re-renders its text
        memory.release_screens(self.manager, self.keep, layout_for(self.ctx.config.kiosk.language))
        if tr.language != self.ctx.config.kiosk.language:
            tr.switch(self.ctx.config.kiosk.language)
        self._compact()  # once Accueil is drawn: the memory of the session's screens goes back

    def _compact_memory(self, *_args: object) -> None:
        memory.compact(self.manager, at_rest=self.manager.current in self.keep)

    def notify(self, text: str, kind: str = "info") -> None:
        """A short calm message over the screen; "error" comes with the refusal tone, "success" the chime."""
        if kind == "error":
            self.sounds.play(REFUSAL)
        elif kind == "success":
            self.sounds.play(SUCCESS)
        self.overlays.show_message(text, kind)

    def switch_language(self, language: str) -> None:
        tr.switch(language)  # screens' refresh_language runs through the listener (_follow_language)

    def recover(self) -> None:
        """After an unexpected error: calm message, session closed, Accueil. Never a traceback."""
        if self._recovering:
            return
        self._recovering = True
        message = _(overlays.SOMETHING_WENT_WRONG)  # in the language of the person who was there
        try:
            self.end_session()
        except Exception:
            log.exception("could not even end the session cleanly")
            self.session.close()
            self.history.clear()
            if self.manager.has_screen("accueil"):
                self.manager.current = "accueil"
        finally:
            self._recovering = False
        self.notify(message, "info")

    # --- cards and passes ---

    def scanned_text(self, text: str) -> bool:
        """Raw text from the QR scanner, offered first to the screen shown (a pairing QR on « Appairer »
        through its `on_scanned_text`). True: that screen used it; otherwise it is read as a member pass."""
        handler = getattr(self.current, "on_scanned_text", None)
        if handler is None:
            return False
        self.activity()
        try:
            return bool(handler(text))
        except Exception:
            log.exception("a screen failed on scanned text")
            self.recover()
            return True

    def identified(self, identification: Identification, card: CardRead | None = None) -> None:
        """A card (`card` given) or a QR pass was presented. The screen shown may use it (a partner
        tapping during the record wizard); otherwise the default below applies."""
        if self.counting_down:
            self.keep_going()  # someone is clearly there
        self.activity()
        if card is not None:
            self.last_card = card
        try:
            # a card still being asked of the hub: this one comes first (unless it is that card again)
            self.visitors.forget(keep=card.uid_hash if card is not None else "")
            screen = self.current
            if screen is not None and screen.on_identified(identification):
                return
            self._default_identified(identification, card)
        except Exception:
            log.exception("handling an identification failed")
            self.recover()

    def _default_identified(self, identification: Identification, card: CardRead | None) -> None:
        outcome, member = identification.outcome, identification.member
        if outcome is Identified.MEMBER and member is not None:
            self.open_member(member)
            return
        if identification.refusal is not None:  # a pass: its own reason (forged, revoked, other collective)
            text = identification.refusal.text()
        elif outcome is Identified.REVOKED:
            text = KioskError(codes.CARD_REVOKED).text()
        elif outcome is Identified.RANDOM_UID:
            text = _(overlays.RANDOM_UID)
        elif outcome is Identified.UNKNOWN:
            if card is not None and card.uid_hash:
                self.visitors.ask(card.uid_hash)  # the hub may know it; if not, `unknown_card` below
                return
            text = _(overlays.UNKNOWN_CARD)
        else:
            text = _(overlays.INVALID_PASS)
        self.notify(text, "error")

    def open_member(self, member: Member) -> None:
        """A member's card or pass (or a visitor the hub recognised): their session, on their home."""
        self.sounds.play(SUCCESS)
        if self.session.member is not None and self.session.member.id != member.id:
            self._wipe_personal()  # someone else's card: nothing of the previous person stays
        self.overlays.dismiss_all()
        self.session.open(member)
        self.go("member_home", member_id=member.id)

    def unknown_card(self) -> None:
        """A card nobody here, nor the hub, could name (its tap is recorded already)."""
        self.notify(_(overlays.UNKNOWN_CARD), "error")

    def card_unreadable(self) -> None:
        self.activity()
        self.notify(_(overlays.CARD_UNREADABLE), "error")

    def _wipe_personal(self) -> None:
        for screen in list(self.manager.screens):
            if isinstance(screen, KioskScreen) and screen.personal:
                try:
                    screen.wipe()
                except Exception:
                    log.exception("wipe failed on %r", screen.name)

    # --- device and network state (banners) ---

    def reader_status(self, reader: str, state: str) -> None:
        """`state`: a hardware.ports.ReaderState value. The banner shows while no reader is usable."""
        if state in ("service_down", "no_reader", "stopped"):
            self._readers.clear()
            problem = state != "stopped"
        else:
            self._readers[reader] = state
            problem = "ready" not in self._readers.values()
        if problem:
            self.banners.show("reader", banners.READER_UNPLUGGED)
        else:
            self.banners.hide("reader")

    def sync_status(self, state: str, pending: int) -> None:
        """`state`: a sync_client.worker.SyncState value; `pending`: journal events not yet sent."""
        if state == "offline":
            if pending:
                self.banners.show("sync", banners.sync_pending_message(pending), count=pending)
            else:
                self.banners.show("sync", banners.SYNC_OFFLINE)
        elif state in ("revoked", "refused", "outdated"):
            self.banners.show("sync", banners.SYNC_STOPPED)
        elif state != "syncing":  # while syncing, the last news stays up
            self.banners.hide("sync")

    def printer_status(self, state: str) -> None:
        """`state`: a hardware.printer.PrinterState value."""
        message = banners.PRINTER_MESSAGES.get(state)
        if message:
            self.banners.show("printer", message)
        else:
            self.banners.hide("printer")

    def print_finished(self, job_id: str, ok: bool, error_code: str = "") -> None:
        """A print job ended: the screen shown may care (`on_print_finished`); a failure is said anyway."""
        screen = self.current
        handler: Callable[..., Any] | None = getattr(screen, "on_print_finished", None)
        try:
            if handler is not None and handler(job_id, ok, error_code):
                return
        except Exception:
            log.exception("on_print_finished failed")
        if not ok:
            reason = overlays.PRINT_FAILED.get(error_code, overlays.PRINT_FAILED["printer.offline"])
            self.notify(_(reason) + " " + _(overlays.PRINT_FALLBACK), "error")

    # --- inactivity ---

    def set_inactivity(self, seconds: int) -> None:
        """The librarian changed the delay (« Réglages »): it counts from now on."""
        self._inactivity.cancel()
        self._inactivity.timeout = seconds
        self.activity()

    @property
    def engaged(self) -> bool:
        """Someone is using the kiosk: a session, or any screen but Accueil at rest."""
        if self.session.active:
            return True
        screen = self.current
        return screen is not None and not getattr(screen, "at_rest", False)

    def activity(self) -> None:
        """A touch, a key or a card: the inactivity delay starts again."""
        self._last_activity = time.monotonic()
        self._inactivity.cancel()
        if self._countdown_tick is not None:
            return  # only « Je continue » (or a touch on the countdown) ends the countdown
        if self.engaged:
            self._inactivity()

    def on_touch_down(self, touch: Any) -> bool:
        handled = bool(super().on_touch_down(touch))
        self.activity()  # after the dispatch: a touch that engaged Accueil arms the timer
        return handled

    def _on_inactive(self, *_args: object) -> None:
        if not self.engaged:
            return
        # A screen where staff wait for people between quiet spells (the ballot booth's « Passez votre
        # carte ») asks for more patience; a person in the middle of something gets the usual delay.
        # A check left pending by such a screen never cuts short someone active on another one.
        patience = max(float(getattr(self.current, "idle_patience_s", 0) or 0), self._inactivity.timeout)
        idle = time.monotonic() - self._last_activity
        if idle < patience - 0.1:
            Clock.unschedule(self._on_inactive)  # one pending check at most
            Clock.schedule_once(self._on_inactive, patience - idle)
            return
        self.overlays.dismiss_all()
        self.overlays.show_countdown(int(self.countdown_seconds))
        self._countdown_tick = Clock.schedule_interval(self._count_down, 1.0)

    def _count_down(self, *_args: object) -> None:
        if self.overlays.countdown is None:  # taken away meanwhile (a card, a message): no countdown
            self._stop_countdown()
            self.activity()
            return
        left = self.overlays.countdown_left() - 1
        if left <= 0:
            self.end_session()
        else:
            self.overlays.update_countdown(left)

    def keep_going(self) -> None:
        """« Je continue »: the countdown goes away and the person carries on where they were."""
        self._stop_countdown()
        self.overlays.hide_countdown()
        self.activity()

    def _stop_countdown(self) -> None:
        if self._countdown_tick is not None:
            self._countdown_tick.cancel()
            self._countdown_tick = None

    @property
    def counting_down(self) -> bool:
        return self._countdown_tick is not None

    def refresh_language(self) -> None:
        self.banners.refresh_language()
        self.overlays.refresh_language()
        for screen in list(self.manager.screens):
            if isinstance(screen, KioskScreen):
                try:
                    screen.refresh_language()
                except Exception:
                    log.exception("refresh_language failed on %r", screen.name)

    def shutdown(self) -> None:
        """Stop the shell's timers (the app is closing)."""
        self._inactivity.cancel()
        self._compact.cancel()
        self._stop_countdown()
        self.visitors.forget()
        self.overlays.dismiss_all()


def _follow_language(shell: Shell) -> None:
    """Every language switch, from any screen, refreshes this shell — without keeping it alive."""
    ref = weakref.ref(shell)

    def listener(_language: str) -> None:
        alive = ref()
        if alive is not None:
            alive.refresh_language()

    tr.on_language(listener)
