"""The parts of member home's left column, built once and refilled at every card tap.

A card tap must open member home within one frame, while the sync worker may be busy too: creating
widgets (each one runs its kv rules and makes its canvas) costs far more than changing a label's text,
and a new label is often rendered twice (at its default width, then at its laid-out width). So every panel and
row here is made once, kept in a `Pool`, and refilled: `show…` sets texts (a label whose text did not
change is not rendered again) and `arrange` puts the wanted widgets in the column, creating nothing.
`wipe` empties every personal text, also in rows not shown at the moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.widgets.buttons import BigButton
from screens.widgets.text import Body, Muted, Panel

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

W = TypeVar("W", bound=Widget)


def arrange(box: Widget, widgets: Sequence[Widget]) -> None:
    """Make `widgets` the children of `box`, first on top; nothing moves when they already are."""
    shown = box.children[::-1]  # Kivy keeps the last added first
    if len(shown) == len(widgets) and all(a is b for a, b in zip(shown, widgets, strict=True)):
        return
    box.clear_widgets()
    for widget in widgets:
        if widget.parent is not None:
            widget.parent.remove_widget(widget)
        box.add_widget(widget)


class Pool(Generic[W]):
    """Widgets made on first need and kept: `take(n)` gives the first n."""

    def __init__(self, make: Callable[[], W]) -> None:
        self._make = make
        self._items: list[W] = []

    def take(self, count: int) -> list[W]:
        while len(self._items) < count:
            self._items.append(self._make())
        return self._items[:count]

    def __iter__(self) -> Iterator[W]:
        return iter(self._items)


class PendingCard(Panel):
    """One exchange waiting for this member's answer: Oui / Non, and Non asks once more."""

    home = ObjectProperty(None, allownone=True)
    exchange_id = StringProperty("")
    question = StringProperty("")
    when = StringProperty("")
    asking_decline = BooleanProperty(False)

    def show(self, exchange_id: str, question: str, when: str) -> None:
        self.exchange_id, self.question, self.when = exchange_id, question, when
        self.asking_decline = False

    def wipe(self) -> None:
        self.show("", "", "")

    def yes(self) -> None:
        if self.asking_decline:
            self.home.decline(self.exchange_id)
        else:
            self.home.confirm(self.exchange_id)

    def no(self) -> None:
        self.asking_decline = not self.asking_decline  # « Non » asks; « Retour » takes the question back


class MatchesButton(BigButton):
    """« Voir ces savoirs » under one of the member's requests."""

    request_id = StringProperty("")


class NewsPanel(Panel):
    """« Du nouveau pour vous »: who is interested in their listings, offers that may answer requests."""

    def __init__(
        self, open_matches: Callable[[str], None], most_notices: int, most_matches: int, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._open_matches = open_matches
        self._title = Muted()
        self._lines: Pool[Body] = Pool(Body)
        self._buttons: Pool[MatchesButton] = Pool(self._make_button)
        self._lines.take(most_notices + most_matches)  # made with the screen, not at someone's tap
        self._buttons.take(most_matches)

    def _make_button(self) -> MatchesButton:
        button = MatchesButton(kind="secondary", icon="search")
        button.bind(on_release=lambda pressed: self._open_matches(pressed.request_id))
        return button

    def show(self, notices: Sequence[str], matches: Sequence[tuple[str, str]]) -> None:
        """`notices`: sentences; `matches`: (sentence, request id) pairs, each with its button."""
        self._title.text = _("Du nouveau pour vous")
        lines = self._lines.take(len(notices) + len(matches))
        widgets: list[Widget] = [self._title]
        for line, sentence in zip(lines, notices, strict=False):
            line.text = sentence
            widgets.append(line)
        buttons = self._buttons.take(len(matches))
        for line, button, (sentence, request_id) in zip(lines[len(notices) :], buttons, matches, strict=True):
            line.text = sentence
            button.request_id = request_id
            button.text = _("Voir ces savoirs")
            widgets += [line, button]
        arrange(self, widgets)

    def wipe(self) -> None:
        for line in self._lines:
            line.text = ""
        for button in self._buttons:
            button.request_id = ""


class RecognitionPanel(Panel):
    """What the member gave and received, as thanks, with « Mon historique » once there is one."""

    def __init__(self, toggle_history: Callable[[], None], most_lines: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._title = Muted()
        self._lines: Pool[Body] = Pool(Body)
        self._lines.take(most_lines)
        self._history_button = BigButton(kind="secondary", icon="clock")
        self._history_button.bind(on_release=lambda _button: toggle_history())

    def show(self, title: str, lines: Sequence[str], *, with_history: bool) -> None:
        self._title.text = title
        labels = self._lines.take(len(lines))
        for label, line in zip(labels, lines, strict=True):
            label.text = line
        widgets: list[Widget] = [self._title, *labels]
        if with_history:  # a newcomer gets no button that opens an empty list
            self._history_button.text = _("Mon historique")
            widgets.append(self._history_button)
        arrange(self, widgets)

    def wipe(self) -> None:
        for label in self._lines:
            label.text = ""


class HistoryEntry(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """One past exchange: « samedi 22 novembre · Réglage des freins », then who, what, how long."""

    title = StringProperty("")
    detail = StringProperty("")


class HistoryPanel(Panel):
    """« Mon historique »: « Fermer l’historique » first, so closing needs no swipe through the list."""

    def __init__(self, toggle_history: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._close_button = BigButton(kind="secondary", icon="back")
        self._close_button.bind(on_release=lambda _button: toggle_history())
        self._title = Muted()
        self._nothing = Body()
        self._entries: Pool[HistoryEntry] = Pool(HistoryEntry)

    def show(self, entries: Sequence[tuple[str, str]]) -> None:
        """`entries`: (title, detail) of each exchange, most recent first."""
        self._close_button.text = _("Fermer l’historique")
        self._title.text = _("Mon historique")
        widgets: list[Widget] = [self._close_button, self._title]
        if not entries:
            self._nothing.text = _("Aucun échange enregistré pour l’instant.")
            widgets.append(self._nothing)
        rows = self._entries.take(len(entries))
        for row, (title, detail) in zip(rows, entries, strict=True):
            row.title, row.detail = title, detail
        arrange(self, [*widgets, *rows])

    def wipe(self) -> None:
        for row in self._entries:
            row.title = row.detail = ""
