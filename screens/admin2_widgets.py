"""A widget the workshop and export screens share: « − valeur + », for a day, a month, a capacity.

The librarian screens' guard, header and member search are admin1's (screens/admin_widgets.py).
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.widgets import buttons, text  # noqa: F401  (kv rules use them)


class Stepper(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """`caption`, « − », `value_text` (what the screen computed), « + »; a tap dispatches `on_step(±1)`.
    With `big_minus` / `big_plus` set, two more buttons outside them step further (`on_big_step(±1)`)."""

    caption = StringProperty("")
    value_text = StringProperty("")
    can_decrease = BooleanProperty(True)
    can_increase = BooleanProperty(True)
    # Labels of a second, bigger step (« − 1 mois » / « + 1 mois »); "" for none. Taps: `on_big_step(±1)`.
    big_minus = StringProperty("")
    big_plus = StringProperty("")

    __events__ = ("on_step", "on_big_step")

    def on_step(self, delta: int) -> None:
        """Default handler: the screen binds `on_step`."""

    def on_big_step(self, delta: int) -> None:
        """Default handler: the screen binds `on_big_step`."""

    def step(self, delta: int) -> None:
        self.dispatch("on_step", delta)

    def big_step(self, delta: int) -> None:
        self.dispatch("on_big_step", delta)


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)

__all__ = ["Stepper"]
