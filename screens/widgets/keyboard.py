"""The on-screen keyboard and the text field it types into.

The kiosk has no physical keyboard, and Kivy's own virtual keyboard is small and English-only. This one
has keys of at least 64 px (10 keys across 800 px), French AZERTY or English QWERTY letters following the
language, a page of accented letters, and a page of digits and symbols for a phone number or an e-mail.

- `shift` is one-shot: it capitalises the next letter only (« É » of « Élodie »).
- The accents page is one-shot too: after one accented letter the letters come back, because a name or a
  word needs one « é » among plain letters far more often than several accents in a row.
- The digits page stays until « ABC »: phone numbers are many digits in a row.
- Keys act on release, like any keyboard: a finger that slides off a key types nothing.

One set of keys for the whole kiosk: only one screen is on show at a time, so the keys (~40 buttons and
their textures per page, a few MB per keyboard) are built once (`SharedKeys`) and lent to whichever
`OnScreenKeyboard` is on show, just before the frame that draws it. Each screen's keyboard is a light tray
that keeps its own state (target, page, shift, layout, « OK » label); a released screen gives the keys back
(`park`, from screens/memory.py) instead of freeing and building them again (issue 5: memory). Between
sessions only the page the next person most likely needs stays built: the letters of the kiosk's language
(a page is ~35 keys, ~2 MB); another page is built again when someone needs it (~30 ms).

Usage (kv): `OnScreenKeyboard: target: field` or `keyboard.attach(field_a, field_b)`, which makes whichever
field is tapped the target. `on_enter` fires on « OK » (`enter_label` renames it: « Voir », « Suivant »).
Give the keyboard the window's width, or at least `dp(MIN_WIDTH)`: 10 keys of 64 px and their gaps.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
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
from screens.tr import tr
from screens.widgets.buttons import BigButton
from screens.widgets.keyboard_pages import (
    ICONS,
    KEY_GAP,
    MIN_WIDTH,
    PAGE_LABELS,
    TRAY_PADDING,
    KeySpec,
    layout_for,
    page_rows,
)


class KeyboardKey(BigButton):
    """One key; the keyboard fills `spec` and listens to its on_release."""

    spec: KeySpec
    word = BooleanProperty(False)  # « espace », « OK », « 123 »: smaller bold type; letters larger, plain


class TextField(TextInput):  # type: ignore[misc]  # Kivy is untyped
    """A big one-line text field for the on-screen keyboard (never Kivy's own virtual keyboard)."""

    max_chars = NumericProperty(0)  # 0: no limit

    def __init__(self, **kwargs: Any) -> None:
        # No images (the kv rule makes the field a plain white box): given here, before Kivy's TextInput rule
        # first runs, so that its default theme atlas (a 512×512 texture, ~1 MB) is never loaded for nothing.
        for name in ("background_normal", "background_active", "background_disabled_normal"):
            kwargs.setdefault(name, "")
        super().__init__(**kwargs)

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


def on_show(widget: Widget) -> bool:
    """In the window's tree (a screen not shown, a step not current, are out of it) and not transparent."""
    node = widget
    while True:
        parent = node.parent
        if parent is None:
            return False
        if parent is node:  # the window is its own parent
            return True
        if node.opacity == 0:
            return False
        node = parent


class SharedKeys:
    """The kiosk's one set of keys: rows per page, built once, lent to the keyboard (tray) on show.

    Lent just before the frame that draws it (a handler bound to the window's on_draw runs before the
    drawing) and laid out then, so a screen never shows an empty tray. Two trays on show at once (no kiosk
    screen has that) keep the keys where they are: no tug of war between frames.
    """

    def __init__(self) -> None:
        self.pages: dict[tuple[str, str], list[KeyboardRow]] = {}
        self.holder: OnScreenKeyboard | None = None
        self.keys: list[KeyboardKey] = []  # in the holder, reading order
        self.trays: weakref.WeakSet[OnScreenKeyboard] = weakref.WeakSet()
        self._watching = False

    def register(self, tray: OnScreenKeyboard) -> None:
        self.trays.add(tray)
        if not self._watching:
            from kivy.core.window import Window

            Window.bind(on_draw=self.before_draw)
            self._watching = True

    def before_draw(self, *_args: object) -> None:
        holder = self.holder
        if holder is not None and on_show(holder):
            return
        for tray in list(self.trays):
            if tray is not holder and on_show(tray):
                self.lend(tray)
                return

    def lend(self, tray: OnScreenKeyboard) -> None:
        if self.holder is not None and self.holder is not tray:
            self.holder.clear_widgets()
        self.holder = tray
        self.show(tray)

    def park(self, keep_layout: str | None = None) -> None:
        """Take the keys back from a tray no longer on show: its screen can be freed without them.
        `keep_layout`: then every page but that layout's letters (and the page on show, if any) is let go."""
        holder = self.holder
        if holder is not None and not on_show(holder):
            holder.clear_widgets()
            self.holder, self.keys = None, []
        if keep_layout is None:
            return
        kept = {(keep_layout, "letters")}
        if self.holder is not None:
            kept.add(self._page_key(self.holder.layout, self.holder.page))
        for key in [key for key in self.pages if key not in kept]:
            del self.pages[key]  # its rows are in no tray: collected with the released screens

    def show(self, tray: OnScreenKeyboard) -> None:
        """The rows of the tray's page in the tray, labelled for it and laid out now (not next frame)."""
        rows = self._rows(tray.layout, tray.page)
        tray.clear_widgets()
        self.keys = []
        for row in rows:
            if row.parent is not None:
                row.parent.remove_widget(row)
            tray.add_widget(row)
            # reading order: rows top to bottom, keys left to right (Kivy keeps children last-added first)
            self.keys.extend(child for child in reversed(row.children) if isinstance(child, KeyboardKey))
        self.relabel(tray)
        tray.do_layout()
        for row in rows:
            row.do_layout()

    def relabel(self, tray: OnScreenKeyboard) -> None:
        for button in self.keys:
            spec = button.spec
            if spec.action == "char":
                button.text = spec.value.upper() if tray.shift else spec.value
            elif spec.action == "page":
                button.text = PAGE_LABELS[spec.value]
            elif spec.action == "space":
                button.text = _("espace")
            elif spec.action == "enter":
                button.text = tray.enter_label or _("OK")
            elif spec.action == "shift":
                button.kind = "primary" if tray.shift else "secondary"

    @staticmethod
    def _page_key(layout: str, page: str) -> tuple[str, str]:
        return (layout if page == "letters" else "", page)  # accents and digits: one page for both layouts

    def _rows(self, layout: str, page: str) -> list[KeyboardRow]:
        key = self._page_key(layout, page)
        if key not in self.pages:
            self.pages[key] = [self._build_row(specs) for specs in page_rows(layout, page)]
        return self.pages[key]

    def _build_row(self, specs: list[KeySpec]) -> KeyboardRow:
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

    def _on_key(self, button: KeyboardKey) -> None:
        if self.holder is not None:
            self.holder.press(button.spec)


shared_keys = SharedKeys()


def park(keep_layout: str | None = None) -> None:
    """Before screens are released (screens/memory.py): the keys leave a tray that is no longer on show;
    with `keep_layout`, only that layout's letters stay built (see `SharedKeys.park`)."""
    shared_keys.park(keep_layout)


def _follow_language(language: str) -> None:
    for keyboard in list(shared_keys.trays):
        keyboard.language_changed(language)


tr.on_language(_follow_language)  # one listener for all keyboards: none is kept alive by it


class OnScreenKeyboard(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """A tray with its own state; the keys come from `shared_keys` while it is on show."""

    target = ObjectProperty(None, allownone=True)
    layout = OptionProperty(layout_for(active_language()), options=("azerty", "qwerty"))
    page = OptionProperty("letters", options=("letters", "accents", "digits"))
    shift = BooleanProperty(False)
    enter_label = StringProperty("")  # "" shows « OK »

    __events__ = ("on_enter",)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("layout", layout_for(active_language()))
        kwargs.setdefault("spacing", dp(KEY_GAP))
        kwargs.setdefault("padding", dp(TRAY_PADDING))
        super().__init__(**kwargs)
        shared_keys.register(self)
        self.fbind("layout", self._show_page)
        self.fbind("page", self._show_page)
        self.fbind("shift", self._relabel)
        self.fbind("enter_label", self._relabel)
        self.fbind("target", self._on_target)
        self._previous_target: TextInput | None = None
        self._on_target(self, self.target)

    # -- public ---------------------------------------------------------------------------------------

    @property
    def holds_keys(self) -> bool:
        return shared_keys.holder is self

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
        self.page = "letters"
        if self.layout == layout_for(language):
            self._relabel()  # the space bar and « OK » speak the new language
        else:
            self.layout = layout_for(language)

    def visible_keys(self) -> Iterable[KeyboardKey]:
        """The keys on show now, in reading order (tests and screens look at them); none while another
        keyboard has them (this one is not on show)."""
        if not self.holds_keys and on_show(self):
            shared_keys.lend(self)  # on show since the last frame: the keys come now, not at the next one
        return list(shared_keys.keys) if self.holds_keys else []

    def press(self, spec: KeySpec) -> None:
        """A key of the shared set was released while this keyboard held it."""
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

    # -- internals ------------------------------------------------------------------------------------

    def _show_page(self, *_args: object) -> None:
        if self.holds_keys:
            shared_keys.show(self)

    def _relabel(self, *_args: object) -> None:
        if self.holds_keys:
            shared_keys.relabel(self)

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

__all__ = [
    "MIN_WIDTH",
    "KeyboardKey",
    "OnScreenKeyboard",
    "TextField",
    "layout_for",
    "page_rows",
    "park",
]
