"""« Code bibliothécaire »: a staff member who tapped their card types their PIN to open the admin space.

A big numeric pad (keys ≥ 64 px), the digits shown as dots, « effacer » and « OK ». A wrong PIN says how
many tries are left; after too many (config `kiosk.admin_pin_attempts`, kiosk-wide, counted by
`services.admin`) the admin space is locked for a while: a lock and the time left, updated every second,
and the pad comes back by itself when the time is up. The right PIN makes the session an admin session
(`Session.admin`) and opens the admin home.

Route "admin_pin". Only staff (librarians, animators: `services.admin.is_staff`) may open it; anyone else
is sent home. A staff member who has no PIN yet is told, calmly, whom to ask.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.clock import Clock, ClockEvent
from kivy.graphics import Color, Ellipse, Line
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk.i18n import N_, _
from screens import (
    admin_widgets,  # noqa: F401  (AdminHeader)
    style,
)
from screens.base import KioskScreen
from screens.sounds import REFUSAL
from screens.widgets import buttons, text  # noqa: F401  (kv rules use their classes)
from screens.widgets.buttons import BigButton

KV_FILE = str(Path(__file__).with_suffix(".kv"))

PIN_MIN, PIN_MAX = 4, 8  # services.admin.set_pin accepts 4 to 8 digits
STAFF_ONLY = N_("Cet espace est réservé aux bibliothécaires et aux animateur·rices.")


class PinDots(Widget):  # type: ignore[misc]  # Kivy is untyped
    """The typed digits as filled dots (never the digits), with empty ones up to the shortest PIN."""

    typed = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("typed", "pos", "size"):
            self.fbind(name, self._redraw)

    def _redraw(self, *_args: object) -> None:
        slots = max(PIN_MIN, int(self.typed))
        radius, gap = dp(12), dp(14)
        width = slots * 2 * radius + (slots - 1) * gap
        left = self.center_x - width / 2
        self.canvas.clear()
        with self.canvas:
            Color(*style.colour("text"))
            for index in range(slots):
                x = left + index * (2 * radius + gap)
                if index < self.typed:
                    Ellipse(pos=(x, self.center_y - radius), size=(2 * radius, 2 * radius))
                else:
                    Line(circle=(x + radius, self.center_y, radius - dp(1.5)), width=dp(1.5))


class PinKey(BigButton):
    value = StringProperty("")  # a digit, "erase" or "ok"


class AdminPinScreen(KioskScreen):
    mode = StringProperty("pad")  # "pad", "locked", "no_pin"
    typed_count = NumericProperty(0)
    message = StringProperty("")  # after a wrong PIN: how many tries are left (translated)
    lock_text = StringProperty("")  # while locked: the time left (translated)
    greeting = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._digits = ""
        self._locked_until: datetime | None = None
        self._attempts_left: int | None = None
        self._tick: ClockEvent | None = None

    # --- the shell's contract ---------------------------------------------------------------------

    def prepare(self, **_params: Any) -> None:
        self.wipe()
        member = self.session.member
        admin = self.ctx.services.admin
        if member is None or not admin.is_staff(member):
            Clock.schedule_once(lambda _dt: self._refuse(), 0)  # the shell is still switching here
            return
        self.greeting = member.pseudonym
        if not admin.has_pin(member.id):
            self.mode = "no_pin"
            return
        self._show_lock(admin.lock_state().locked_until)

    def wipe(self) -> None:
        self._stop_tick()
        self._set_digits("")
        self.message = self.lock_text = self.greeting = ""
        self._attempts_left = None
        self._locked_until = None
        self.mode = "pad"

    def on_leave(self, *_args: object) -> None:
        self._stop_tick()
        self._set_digits("")

    def refresh_language(self) -> None:
        self._say_attempts()
        self._update_lock()

    # --- the pad ------------------------------------------------------------------------------------

    def press(self, value: str) -> None:
        if self.mode != "pad":
            return
        if value == "erase":
            self._set_digits(self._digits[:-1])
        elif value == "ok":
            self.validate()
        elif value.isdigit() and len(self._digits) < PIN_MAX:
            self._set_digits(self._digits + value)

    def validate(self) -> None:
        member = self.session.member
        if member is None or len(self._digits) < PIN_MIN:
            return
        check = self.ctx.services.admin.check_pin(member.id, self._digits)
        self._set_digits("")
        if check.ok:
            self.session.admin = True
            self.message = ""
            self.shell.go("admin_home")
            return
        self._attempts_left = check.attempts_left
        self._say_attempts()
        self._show_lock(check.locked_until)
        if check.locked_until is None:
            self.shell.sounds.play(REFUSAL)

    # --- showing ------------------------------------------------------------------------------------

    def _set_digits(self, digits: str) -> None:
        self._digits = digits
        self.typed_count = len(digits)

    def _say_attempts(self) -> None:
        left = self._attempts_left
        if left is None or self.mode == "locked":
            self.message = ""
        elif left == 1:
            self.message = _("Ce n’est pas le bon code. Attention : il reste un seul essai.")
        else:
            self.message = _("Ce n’est pas le bon code. Il reste {count} essais.").format(count=left)

    def _show_lock(self, locked_until: datetime | None) -> None:
        self._locked_until = locked_until
        if locked_until is None or self._seconds_left() <= 0:
            self._locked_until = None
            self._stop_tick()
            if self.mode == "locked":
                self.mode = "pad"
                self._attempts_left = None
                self.message = _("Vous pouvez réessayer.")
            self.lock_text = ""
            return
        self.mode = "locked"
        self.message = ""
        self._update_lock()
        if self._tick is None:
            self._tick = Clock.schedule_interval(self._on_tick, 1.0)

    def _seconds_left(self) -> int:
        if self._locked_until is None:
            return 0
        return math.ceil((self._locked_until - self.ctx.clock.now()).total_seconds())

    def _update_lock(self) -> None:
        if self.mode != "locked":
            return
        minutes, seconds = divmod(max(0, self._seconds_left()), 60)
        wait = _("Réessayez dans {minutes} min {seconds:02d} s.").format(minutes=minutes, seconds=seconds)
        self.lock_text = _("Trop d’essais : l’espace bibliothécaire est verrouillé.") + "\n" + wait

    def _on_tick(self, *_args: object) -> None:
        if self._seconds_left() > 0:
            self._update_lock()
            return
        # The time is up: ask the service (the lock is kiosk-wide, another attempt may have renewed it).
        self._show_lock(self.ctx.services.admin.lock_state().locked_until)

    def _stop_tick(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def _refuse(self) -> None:
        self.shell.notify(_(STAFF_ONLY), "error")
        self.shell.home()


if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)
