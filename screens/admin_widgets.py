"""Pieces the librarian screens share: the admin guard, the member search, list rows and the reason picker.

- `AdminScreen`: a `KioskScreen` that only an admin session (staff card + PIN, `Session.admin`) may open;
  anyone else is sent home with a calm word, and the screen is not filled.
- `MemberPicker`: « Tapez les premières lettres du pseudonyme » — a field, the matching members as big
  buttons beside it (services.members.find), and the on-screen keyboard below; `on_pick(member)`.
- `AdminRow`: one line of a list (a listing, an exchange, a card) — a title, a detail line and a badge
  (« Masquée », « Annulé »), the whole row one big target.
- `ReasonPanel`: common reasons as chips plus « Autre raison… », which opens a field and the keyboard;
  `reason` holds the chosen or typed reason ("" while none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.domain import Member
from kiosk.i18n import N_, _
from kiosk.text import clean
from screens.base import KioskScreen
from screens.widgets import buttons, chips, keyboard, scroll, text  # noqa: F401  (kv rules use them)
from screens.widgets.buttons import BigButton

ADMIN_ONLY = N_("Cet espace est réservé aux bibliothécaires, avec leur carte et leur code.")
SEARCH_RESULTS_SHOWN = 3
SEARCH_MAX = 40
REASON_MAX = 200
OTHER_REASON = "__other__"


class AdminScreen(KioskScreen):
    """Only for an admin session. Subclasses fill themselves in `fill(**params)`, not `prepare`."""

    def prepare(self, **params: Any) -> None:
        if not self.session.admin or self.session.member is None:
            self.wipe()
            # The shell is still switching to this screen: leave on the next frame.
            Clock.schedule_once(lambda _dt: self._not_admin(), 0)
            return
        self.fill(**params)

    def fill(self, **params: Any) -> None:
        """Fill the screen for an admin session."""

    def _not_admin(self) -> None:
        self.shell.notify(_(ADMIN_ONLY), "error")
        self.shell.home()

    @property
    def actor_id(self) -> str:
        """The librarian acting (journaled as the author of every admin act)."""
        member = self.session.member
        assert member is not None, "admin screens are filled only in an admin session"
        return member.id


class Collapsible(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """A box whose children leave the tree while `shown` is False (kv sets its height to 0 then).

    Hidden by opacity alone, a disabled button would still swallow the touches where it is drawn over
    its neighbours; out of the tree, it takes no touch and no room.
    """

    shown = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        self._kept: list[Any] = []
        super().__init__(**kwargs)
        self.fbind("shown", self._apply)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        if self.shown:
            super().add_widget(widget, *args, **kwargs)
        else:
            self._kept.append(widget)

    def _apply(self, *_args: object) -> None:
        if self.shown:
            kept, self._kept = self._kept, []
            for widget in kept:
                super().add_widget(widget)
        else:
            self._kept = [*reversed(self.children), *self._kept]
            for widget in list(self.children):
                self.remove_widget(widget)


class AdminHeader(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """« Retour » and the screen's title, the same on every librarian screen; `on_back` on « Retour »."""

    title = StringProperty("")

    __events__ = ("on_back",)

    def on_back(self) -> None:
        """Default handler: the screen binds `on_back`."""


class MemberResult(BigButton):
    member: Member | None = None


class MemberPicker(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """Search a member by pseudonym; a tap on one of the results dispatches `on_pick(member)`."""

    services = ObjectProperty(None, allownone=True)
    max_chars = NumericProperty(SEARCH_MAX)
    nothing_found = BooleanProperty(False)
    found_any = BooleanProperty(False)

    __events__ = ("on_pick",)

    def on_pick(self, member: Member) -> None:
        """Default handler: the screen binds `on_pick`."""

    def search(self, typed: str) -> None:
        box = self.ids.results
        box.clear_widgets()
        typed = clean(typed)
        members: list[Member] = []
        if typed and self.services is not None:
            members = self.services.members.find(typed, limit=SEARCH_RESULTS_SHOWN)
        self.nothing_found = bool(typed) and not members
        self.found_any = bool(members)
        for member in members:
            button = MemberResult(text=f"{member.pseudonym}\n{member.quartier}", kind="secondary")
            button.member = member
            button.bind(on_release=self._picked)
            box.add_widget(button)

    def results(self) -> list[MemberResult]:
        return [child for child in reversed(self.ids.results.children) if isinstance(child, MemberResult)]

    def _picked(self, button: MemberResult) -> None:
        if button.member is not None:
            self.dispatch("on_pick", button.member)

    def reset(self) -> None:
        self.ids.field.text = ""
        self.ids.keyboard.target = self.ids.field
        self.search("")


class AdminRow(ButtonBehavior, BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """One row of a list: title, detail and a badge; `value` is what the screen needs back (an id)."""

    title = StringProperty("")
    detail = StringProperty("")
    badge = StringProperty("")
    icon = StringProperty("")
    value = StringProperty("")


class ReasonPanel(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """Common reasons as chips, or a reason typed on the keyboard (« Autre raison… »).

    `reasons` are French message ids (shown translated); `reason` is the French text of a common reason
    or what was typed, "" while nothing is chosen. `typing` is True while the keyboard is shown: the
    screen hides its own buttons then (the keyboard needs the room at 800×480).
    """

    reasons = ListProperty([])
    reason = StringProperty("")
    typed = StringProperty("")
    typing = BooleanProperty(False)
    max_chars = NumericProperty(REASON_MAX)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fbind("reasons", self.refresh_language)
        self.fbind("typed", self.refresh_language)
        Clock.schedule_once(lambda _dt: self.refresh_language(), 0)

    def refresh_language(self, *_args: object) -> None:
        other = f"« {self.typed} »" if self.typed else _("Autre raison…")
        self.ids.chips.choices = [*[(reason, _(reason)) for reason in self.reasons], (OTHER_REASON, other)]
        self._show_selected()

    def choose(self, value: str) -> None:
        if value == OTHER_REASON:
            self.ids.field.text = self.typed
            self.typing = True
            return
        self.reason = value
        self._show_selected()

    def typed_done(self) -> None:
        self.typed = clean(self.ids.field.text)
        if self.typed:
            self.reason = self.typed
        elif self.reason not in self.reasons:
            self.reason = ""
        self.typing = False
        self._show_selected()

    def clear(self) -> None:
        self.reason = self.typed = ""
        self.ids.field.text = ""
        self.typing = False
        self._show_selected()

    def _show_selected(self) -> None:
        if not self.reason:
            self.ids.chips.selected = []
        elif self.reason in self.reasons:
            self.ids.chips.selected = [self.reason]
        else:
            self.ids.chips.selected = [OTHER_REASON]


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)
