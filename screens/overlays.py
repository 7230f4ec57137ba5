"""What appears over the screens: the inactivity countdown, calm messages, and the demo's help.

All three dim the screen behind them and keep touches from reaching it. A message goes away by itself
after a while (long enough to read slowly) or at a touch; the countdown is ended by the shell (« Je
continue », or a touch anywhere on it); the help by « Fermer » or the H key. `OverlayLayer` is the one
layer the shell puts on top of everything and asks for these. The words of the shell's own messages are
here too, and `DemoShortcuts`, the demo's keys that the help lists.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from kivy.clock import Clock, ClockEvent
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.i18n import N_, _
from screens.widgets import buttons, scroll, text  # noqa: F401  (kv rules below use their classes)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

# A message stays long enough to be read slowly: a base plus a little per word.
MESSAGE_MIN_SECONDS = 6.0
MESSAGE_SECONDS_PER_WORD = 0.4

# What the shell says when a card or a pass identifies nobody, or when something fails.
UNKNOWN_CARD = N_(
    "Cette carte n’est pas encore enregistrée. Pour l’activer, voyez un·e bibliothécaire : c’est rapide."
)
RANDOM_UID = N_(
    "Ce n’est pas une carte du kiosque : les téléphones et les cartes bancaires ne peuvent pas servir "
    "ici. Passez votre carte du collectif, ou montrez votre QR code."
)
INVALID_PASS = N_("Ce QR code n’est pas un pass de membre de ce collectif.")
CARD_UNREADABLE = N_("La carte n’a pas pu être lue. Reposez-la bien à plat sur le lecteur.")
SOMETHING_WENT_WRONG = N_(
    "Un petit souci est survenu : le kiosque revient à l’accueil. Ce qui était déjà enregistré est gardé."
)
NOT_AVAILABLE = N_("Cette partie du kiosque n’est pas encore disponible.")
PRINT_FAILED = {
    "printer.paper_out": N_("L’imprimante n’a plus de papier."),
    "printer.offline": N_("L’imprimante ne répond pas."),
    "printer.not_configured": N_("Cette borne n’a pas d’imprimante."),
}
PRINT_FALLBACK = N_("Votre QR code reste affiché à l’écran : vous pouvez le photographier.")

# The demo's keyboard shortcuts, as (keys, French description): DemoShortcuts below acts on them.
DEMO_SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("F1 … F8  /  1 … 8", N_("passer la carte d’un membre de démonstration (Sandrine, Élodie, …)")),
    ("K", N_("passer l’ancienne carte de Karim, désactivée")),
    ("N", N_("passer une carte inconnue du kiosque")),
    ("R", N_("approcher un téléphone (identifiant aléatoire)")),
    ("U  /  P", N_("débrancher / rebrancher le lecteur de cartes")),
    ("H  /  ?", N_("afficher ou cacher cette aide")),
    ("Échap", N_("quitter la démonstration")),
)
DEMO_ADMIN = N_("[b]Espace bibliothécaire[/b]   carte {key} ({name}), puis le code {pin}")
DEMO_CARD_NAMES: tuple[str, ...] = ()  # filled by the app with the demo cards' pseudonyms


class Overlay(FloatLayout):  # type: ignore[misc]  # Kivy is untyped
    """Dims what is behind and swallows every touch; a touch outside the panel calls `outside()`."""

    def on_touch_down(self, touch: Any) -> bool:
        if not super().on_touch_down(touch):
            self.outside()
        return True

    def on_touch_move(self, touch: Any) -> bool:
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True

    def outside(self) -> None:
        """A touch beside the panel."""


class CountdownOverlay(Overlay):
    shell = ObjectProperty(None, allownone=True)
    seconds = NumericProperty(0)

    def outside(self) -> None:
        self.shell.keep_going()  # any touch means someone is there


class MessageOverlay(Overlay):
    layer = ObjectProperty(None, allownone=True)
    text = StringProperty("")
    kind = StringProperty("info")  # "info", "success", "warning" or "error": the stripe's colour

    def outside(self) -> None:
        self.layer.hide_message()


class HelpOverlay(Overlay):
    layer = ObjectProperty(None, allownone=True)
    lines = StringProperty("")

    def outside(self) -> None:
        self.layer.toggle_help()

    def fill(self) -> None:
        rows = [f"[b]{keys}[/b]   {_(description)}" for keys, description in DEMO_SHORTCUTS]
        if DEMO_CARD_NAMES:
            cards = ", ".join(f"F{n} {name}" for n, name in enumerate(DEMO_CARD_NAMES, start=1))
            rows.insert(1, cards)
            admin = demo_admin_line()
            if admin:
                rows.insert(2, admin)
        self.lines = "\n".join(rows)


def demo_admin_line() -> str:
    """« Espace bibliothécaire : carte F1 (Sandrine), code 2468 » — the demo librarian's card and PIN."""
    from kiosk.demo import DEMO_ADMIN_PIN
    from kiosk.demo_content import PROFILES
    from kiosk.demo_history import ADMIN

    name = PROFILES[ADMIN].pseudonym
    if name not in DEMO_CARD_NAMES:
        return ""
    key = f"F{DEMO_CARD_NAMES.index(name) + 1}"
    return _(DEMO_ADMIN).format(key=key, name=name, pin=DEMO_ADMIN_PIN)


class OverlayLayer(FloatLayout):  # type: ignore[misc]  # Kivy is untyped
    """Holds at most one of each overlay, countdown on top of a message, help on top of all."""

    shell = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.countdown: CountdownOverlay | None = None  # the one shown, or None
        self.message: MessageOverlay | None = None
        self.help: HelpOverlay | None = None
        self._message_timer: ClockEvent | None = None
        # made once and kept while hidden: a refused card costs a text change, not new widgets
        self._spare_message: MessageOverlay | None = None
        self._spare_countdown: CountdownOverlay | None = None

    # Touches pass through when nothing is shown (the layer covers the whole window).
    def on_touch_down(self, touch: Any) -> bool:
        return bool(self.children) and bool(super().on_touch_down(touch))

    # --- messages ---

    def show_message(self, message: str, kind: str = "info") -> None:
        if self.message is None:
            self.message = self._spare_message or MessageOverlay(layer=self)
            self._spare_message = self.message
            self.add_widget(self.message, index=len(self.children))  # under a countdown or the help
        self.message.text = message
        self.message.kind = kind
        if self._message_timer is not None:
            self._message_timer.cancel()
        seconds = MESSAGE_MIN_SECONDS + MESSAGE_SECONDS_PER_WORD * len(message.split())
        self._message_timer = Clock.schedule_once(lambda _dt: self.hide_message(), seconds)

    def hide_message(self) -> None:
        if self._message_timer is not None:
            self._message_timer.cancel()
            self._message_timer = None
        if self.message is not None:
            self.remove_widget(self.message)
            self.message.text = ""  # nothing of it stays while it waits for the next message
            self.message = None

    # --- inactivity countdown ---

    def show_countdown(self, seconds: int) -> None:
        if self.countdown is None:
            self.countdown = self._spare_countdown or CountdownOverlay(shell=self.shell)
            self._spare_countdown = self.countdown
            self.add_widget(self.countdown)
        self.countdown.seconds = seconds

    def update_countdown(self, seconds: int) -> None:
        if self.countdown is not None:
            self.countdown.seconds = seconds

    def countdown_left(self) -> int:
        return int(self.countdown.seconds) if self.countdown is not None else 0

    def hide_countdown(self) -> None:
        if self.countdown is not None:
            self.remove_widget(self.countdown)
            self.countdown = None

    # --- demo help ---

    def toggle_help(self) -> None:
        if self.help is not None:
            self.remove_widget(self.help)
            self.help = None
            return
        self.help = HelpOverlay(layer=self)
        self.help.fill()
        self.add_widget(self.help)

    def dismiss_all(self) -> None:
        """Messages and the countdown go (the session ended); the demo help stays until closed."""
        self.hide_message()
        self.hide_countdown()

    def refresh_language(self) -> None:
        if self.help is not None:
            self.help.fill()


F1 = 282  # Kivy key codes of F1…F8 follow each other
SHORTCUT_DELAY = 0.08  # s: a letter acts only if no other key follows this fast (a scanner's burst)
CARD_HOLD_SECONDS = 0.5  # how long a simulated card stays on the reader


class DemoShortcuts:
    """The demo's keys (DEMO_SHORTCUTS): bound by kiosk/app.py to the window's `on_key_down`.

    `reader` is the demo's simulated reader (tap, remove, unplug, plug): the keys play a person at the
    reader, and the cards then come through the app's event queue like real ones.
    """

    def __init__(self, reader: Any, shell: Any, rng: random.Random | None = None) -> None:
        from kiosk.demo import DEMO_CARDS, DEMO_REVOKED_CARD, DEMO_UNKNOWN_UID

        self.reader = reader
        self.shell = shell
        self.rng = rng or random.Random()
        self.cards = [card.uid for card in DEMO_CARDS]
        self.revoked = DEMO_REVOKED_CARD.uid
        self.unknown = DEMO_UNKNOWN_UID
        self._last_key = 0.0

    def on_key_down(self, _window: Any, key: int, _scancode: int, codepoint: str | None, _mods: Any) -> bool:
        if F1 <= key < F1 + len(self.cards):  # no scanner types F-keys: they act at once
            self.tap(self.cards[key - F1])
            return True
        now = time.monotonic()
        burst, self._last_key = now - self._last_key < SHORTCUT_DELAY, now
        char = (codepoint or "").lower()
        if burst or not char or self._typing():
            return False
        Clock.schedule_once(lambda _dt: self._act_if_alone(char, now), SHORTCUT_DELAY)
        return False

    def _act_if_alone(self, char: str, pressed_at: float) -> None:
        if self._last_key != pressed_at:  # another key came right after: a scan, not a shortcut
            return
        self.shell.activity()
        if char.isdigit() and 1 <= int(char) <= len(self.cards):
            self.tap(self.cards[int(char) - 1])
        elif char == "k":
            self.tap(self.revoked)
        elif char == "n":
            self.tap(self.unknown)
        elif char == "r":
            self.tap(bytes([0x08]) + self.rng.randbytes(3))  # a phone: random UID, first byte 0x08
        elif char == "u":
            self.reader.unplug()
        elif char == "p":
            self.reader.plug()
        elif char in ("h", "?"):
            self.shell.overlays.toggle_help()

    def tap(self, uid: bytes) -> None:
        self.reader.tap(uid)
        Clock.schedule_once(lambda _dt: self.reader.remove(), CARD_HOLD_SECONDS)

    def _typing(self) -> bool:
        """A text field has the focus: letters are for it (the on-screen keyboard's physical twin)."""
        from kivy.uix.textinput import TextInput

        return any(isinstance(widget, TextInput) and widget.focus for widget in self.shell.walk())
