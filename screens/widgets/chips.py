"""Choice chips: big toggle buttons in a wrapping row, for themes, languages, durations, quartiers.

`choices` is a list of (value, label) pairs; `selected` lists the chosen values. With `multiple` False a
tap chooses one value (tapping it again keeps it, unless `allow_none`); with `multiple` True each tap
adds or removes one. Every tap dispatches `on_choice(value)` after `selected` has changed. A chosen chip
is filled with the primary colour and carries a check mark, so the choice does not rely on colour alone;
the others carry an empty circle in the same place, so a chip keeps its width and nothing moves under the
finger when a choice changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty
from kivy.uix.stacklayout import StackLayout

from screens import style
from screens.widgets.buttons import BigButton


class Chip(BigButton):
    """One choice; `value` is what `ChoiceChips.selected` holds. Its width follows its text, up to
    `max_width` (the row's width): a longer label wraps onto two lines and the chip grows taller."""

    value: Any = None
    max_width = NumericProperty(0)  # 0: no limit

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fbind("max_width", self._refit)

    def _fit_text(self, *_args: object) -> None:
        self._reserve_icon_space()
        self.text_size = (None, None)
        self.texture_update()
        sides = dp(style.GAP) * 3
        room = self.max_width or math.inf
        if self.texture_size[0] + sides > room:
            self.text_size = (room - sides, None)
            self.width = room
        else:
            self.width = max(dp(style.TOUCH_MIN), self.texture_size[0] + sides)


class ChoiceChips(StackLayout):  # type: ignore[misc]  # Kivy is untyped
    choices = ListProperty([])
    multiple = BooleanProperty(False)
    allow_none = BooleanProperty(False)
    selected = ListProperty([])

    __events__ = ("on_choice",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fbind("choices", self._build)
        self.fbind("selected", self._restyle)
        self.fbind("width", self._limit_widths)
        self.fbind("padding", self._limit_widths)
        self._build()

    def on_choice(self, value: Any) -> None:
        """Default handler: screens bind `on_choice`."""

    def chips(self) -> list[Chip]:
        return [child for child in reversed(self.children) if isinstance(child, Chip)]

    def chip_for(self, value: Any) -> Chip | None:
        return next((chip for chip in self.chips() if chip.value == value), None)

    def _build(self, *_args: object) -> None:
        self.clear_widgets()
        for value, label in self._pairs(self.choices):
            chip = Chip(text=str(label))
            chip.value = value
            chip.bind(on_release=self._on_tap)
            self.add_widget(chip)
        self._restyle()
        self._limit_widths()

    def _limit_widths(self, *_args: object) -> None:
        room = self.width - self.padding[0] - self.padding[2]
        for chip in self.chips():
            chip.max_width = max(dp(style.TOUCH_MIN), room)

    @staticmethod
    def _pairs(choices: Sequence[Any]) -> list[tuple[Any, Any]]:
        return [(pair[0], pair[1]) for pair in choices]

    def _restyle(self, *_args: object) -> None:
        for chip in self.chips():
            chosen = chip.value in self.selected
            chip.kind = "primary" if chosen else "quiet"
            chip.icon = "check" if chosen else "circle"

    def _on_tap(self, chip: Chip) -> None:
        value = chip.value
        if self.multiple:
            self.selected = (
                [v for v in self.selected if v != value]
                if value in self.selected
                else [*self.selected, value]
            )
        elif value in self.selected:
            if self.allow_none:
                self.selected = []
        else:
            self.selected = [value]
        self.dispatch("on_choice", value)


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)

__all__ = ["Chip", "ChoiceChips"]
