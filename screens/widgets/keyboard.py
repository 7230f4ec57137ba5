"""The on-screen keyboard and the text field it types into.

The kiosk has no physical keyboard, and Kivy's own virtual keyboard is small and English-only. This one
has keys of at least 64 px (10 keys across 800 px), French AZERTY or English QWERTY letters following the
language, a page of accented letters, and a page of digits and symbols for a phone number or an e-mail.

- `shift` is one-shot: it capitalises the next letter only (« É » of « Élodie »).
- The accents page is one-shot too: after one accented letter the letters come back, because a name or a
  word needs one « é » among plain letters far more often than several accents in a row.
- The digits page stays until « ABC »: phone numbers are many digits in a row.
- Keys act on release, like any keyboard: a finger that slides off a key types nothing.

Usage (kv): `OnScreenKeyboard: target: field` or `keyboard.attach(field_a, field_b)`, which makes whichever
field is tapped the target. `on_enter` fires on « OK » (`enter_label` renames it: « Voir », « Suivant »).
Give the keyboard the window's width, or at least `dp(MIN_WIDTH)`: 10 keys of 64 px and their gaps.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.i18n import _, active_language
from screens import style
from screens.tr import tr
from screens.widgets.buttons import BigButton


@dataclass(frozen=True)
class KeySpec:
    action: str  # "char", "shift", "backspace", "space", "enter", "page", "spacer"
    value: str = ""  # the character, or the page a "page" key opens
    weight: float = 1.0  # share of the row's width (a row is 10 units)


def _chars(text: str) -> list[KeySpec]:
    return [KeySpec("char", c) for c in text]


KEY_GAP = 6  # px at 800×480 (dp), between keys and rows
TRAY_PADDING = 4  # px at 800×480 (dp), around the keys

SHIFT = KeySpec("shift", weight=1.5)
BACKSPACE = KeySpec("backspace", weight=1.5)


def _spacer(weight: float) -> KeySpec:
    return KeySpec("spacer", weight=weight)


LETTER_ROWS: dict[str, list[list[KeySpec]]] = {
    "azerty": [
        _chars("azertyuiop"),
        _chars("qsdfghjklm"),
        [SHIFT, *_chars("wxcvbn’"), BACKSPACE],
    ],
    "qwerty": [
        _chars("qwertyuiop"),
        [_spacer(0.5), *_chars("asdfghjkl"), _spacer(0.5)],
        [SHIFT, *_chars("zxcvbnm"), BACKSPACE],
    ],
}
ACCENT_ROWS = [
    _chars("éèêëàâçùûô"),
    _chars("îïœæüÿ’-.,"),
    [SHIFT, *_chars("ñãõáíóú"), BACKSPACE],
]
DIGIT_ROWS = [
    _chars("1234567890"),
    _chars("@._-+',?!/"),
    [_spacer(1.5), *_chars("():;#&€"), BACKSPACE],
]
# The bottom row: the same places on every page, so a hand learns them once.
PAGE_KEYS = {
    "letters": (KeySpec("page", "digits", 1.5), KeySpec("page", "accents", 1.5)),
    "accents": (KeySpec("page", "digits", 1.5), KeySpec("page", "letters", 1.5)),
    "digits": (KeySpec("page", "letters", 1.5), KeySpec("page", "accents", 1.5)),
}
PAGE_LABELS = {"letters": "ABC", "accents": "éàç", "digits": "123"}
ICONS = {"shift": "shift", "backspace": "backspace"}


def layout_for(language: str) -> str:
    return "qwerty" if language == "en" else "azerty"


def page_rows(layout: str, page: str) -> list[list[KeySpec]]:
    rows = {"letters": LETTER_ROWS[layout], "accents": ACCENT_ROWS, "digits": DIGIT_ROWS}[page]
    first, second = PAGE_KEYS[page]
    bottom = [first, second, KeySpec("space", " ", 4.0), KeySpec("char", "." if page != "digits" else ",")]
    bottom.append(KeySpec("enter", weight=2.0))
    return [*rows, bottom]


def _row_min_width(row: list[KeySpec]) -> float:
    """Width at which the row's narrowest key (weight ≥ 1) is exactly TOUCH_MIN."""
    gaps = (len(row) - 1) * KEY_GAP  # spacers are children too: they have gaps beside them
    return 2 * TRAY_PADDING + gaps + style.TOUCH_MIN * sum(spec.weight for spec in row)


# The narrowest keyboard whose keys are all ≥ 64 px, on every page of both layouts (708 px at 800×480).
MIN_WIDTH = max(
    _row_min_width(row) for layout in LETTER_ROWS for page in PAGE_LABELS for row in page_rows(layout, page)
)


class KeyboardKey(BigButton):
    """One key; the keyboard fills `spec` and listens to its on_release."""

    spec: KeySpec
    word = BooleanProperty(False)  # « espace », « OK », « 123 »: smaller bold type; letters larger, plain


class TextField(TextInput):  # type: ignore[misc]  # Kivy is untyped
    """A big one-line text field for the on-screen keyboard (never Kivy's own virtual keyboard)."""

    max_chars = NumericProperty(0)  # 0: no limit

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        if self.max_chars:
            room = int(self.max_chars) - len(self.text)
            if room <= 0:
                return
            substring = substring[:room]
        super().insert_text(substring, from_undo=from_undo)

    # Double and triple taps select words and lines in a TextInput; with no Cut/Paste on a kiosk a selection
    # would only make the next key replace text by surprise.
    def on_double_tap(self) -> None:
        pass

    def on_triple_tap(self) -> None:
        pass


_keyboards: weakref.WeakSet[OnScreenKeyboard] = weakref.WeakSet()


def _follow_language(language: str) -> None:
    for keyboard in list(_keyboards):
        keyboard.language_changed(language)


tr.on_language(_follow_language)  # one listener for all keyboards: none is kept alive by it


class OnScreenKeyboard(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    target = ObjectProperty(None, allownone=True)
    layout = OptionProperty(layout_for(active_language()), options=("azerty", "qwerty"))
    page = OptionProperty("letters", options=("letters", "accents", "digits"))
    shift = BooleanProperty(False)
    enter_label = StringProperty("")  # "" shows « OK »

    __events__ = ("on_enter",)

    def __init__(self, **kwargs: Any) -> None:
        self._pages: dict[tuple[str, str], list[Widget]] = {}
        self._keys: list[KeyboardKey] = []
        kwargs.setdefault("layout", layout_for(active_language()))
        kwargs.setdefault("spacing", dp(KEY_GAP))
        kwargs.setdefault("padding", dp(TRAY_PADDING))
        super().__init__(**kwargs)
        _keyboards.add(self)
        self.fbind("layout", self._show_page)
        self.fbind("page", self._show_page)
        self.fbind("shift", self._relabel)
        self.fbind("enter_label", self._relabel)
        self.fbind("target", self._on_target)
        self._previous_target: TextInput | None = None
        self._show_page()
        self._on_target(self, self.target)

    # -- public ---------------------------------------------------------------------------------------

    def attach(self, *fields: TextInput) -> None:
        """Whichever of `fields` gets focus (a tap on it) becomes the target."""
        for field in fields:
            field.fbind("focus", self._on_field_focus)

    def type_text(self, text: str) -> None:
        if self.target is None:
            return
        if self.target.selection_text:
            self.target.delete_selection()
        self.target.insert_text(text)

    def backspace(self) -> None:
        if self.target is None:
            return
        if self.target.selection_text:
            self.target.delete_selection()
        else:
            self.target.do_backspace()

    def on_enter(self) -> None:
        """Default handler: screens bind `on_enter` to act on « OK »."""

    def language_changed(self, language: str) -> None:
        self._pages.clear()  # the space bar's label is in the language: build the pages again
        self.page = "letters"
        if self.layout == layout_for(language):
            self._show_page()
        else:
            self.layout = layout_for(language)

    def visible_keys(self) -> Iterable[KeyboardKey]:
        """The keys on show now, in reading order (tests and screens look at them)."""
        return list(self._keys)

    # -- building -------------------------------------------------------------------------------------

    def _show_page(self, *_args: object) -> None:
        key = (self.layout, self.page)
        if key not in self._pages:
            self._pages[key] = [self._build_row(specs) for specs in page_rows(self.layout, self.page)]
        self.clear_widgets()
        self._keys = []
        for row in self._pages[key]:
            self.add_widget(row)
            # reading order: rows top to bottom, keys left to right (Kivy keeps children last-added first)
            self._keys.extend(child for child in reversed(row.children) if isinstance(child, KeyboardKey))
        self._relabel()

    def _build_row(self, specs: list[KeySpec]) -> Widget:
        row = KeyboardRow(spacing=dp(KEY_GAP))
        for spec in specs:
            if spec.action == "spacer":
                row.add_widget(Widget(size_hint_x=spec.weight))
                continue
            button = KeyboardKey(
                size_hint_x=spec.weight, word=spec.action not in ("char", "shift", "backspace")
            )
            button.spec = spec
            button.icon = ICONS.get(spec.action, "")
            button.kind = "key" if spec.action in ("char", "space") else "secondary"
            if spec.action == "enter":
                button.kind = "primary"
            button.bind(on_release=self._on_key)
            row.add_widget(button)
        return row

    def _relabel(self, *_args: object) -> None:
        for button in self._keys:
            spec = button.spec
            if spec.action == "char":
                button.text = spec.value.upper() if self.shift else spec.value
            elif spec.action == "page":
                button.text = PAGE_LABELS[spec.value]
            elif spec.action == "space":
                button.text = _("espace")
            elif spec.action == "enter":
                button.text = self.enter_label or _("OK")
            elif spec.action == "shift":
                button.kind = "primary" if self.shift else "secondary"

    # -- key presses ----------------------------------------------------------------------------------

    def _on_key(self, button: KeyboardKey) -> None:
        spec = button.spec
        if spec.action == "char":
            self.type_text(spec.value.upper() if self.shift else spec.value)
            self.shift = False
            if self.page == "accents":
                self.page = "letters"
        elif spec.action == "space":
            self.type_text(" ")
        elif spec.action == "backspace":
            self.backspace()
        elif spec.action == "shift":
            self.shift = not self.shift
        elif spec.action == "page":
            self.page = spec.value
        elif spec.action == "enter":
            self.dispatch("on_enter")

    def _on_target(self, _widget: Widget, target: TextInput | None) -> None:
        previous = self._previous_target
        if previous is not None and previous is not target:
            previous.focus = False
        self._previous_target = target
        if target is not None:
            target.focus = True  # shows the cursor: where the next letter goes

    def _on_field_focus(self, field: TextInput, focused: bool) -> None:
        if focused:
            self.target = field


class KeyboardRow(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    pass


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)

__all__ = ["MIN_WIDTH", "KeyboardKey", "OnScreenKeyboard", "TextField", "layout_for", "page_rows"]
