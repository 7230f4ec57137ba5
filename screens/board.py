"""The Savoirs board: offers and requests, by theme or by a search typed on the on-screen keyboard.

Three views inside one screen: the themes (big buttons with their counts), the results (three big cards a
page, with « Précédent » / « Suivant » rather than a small scroll), and the search (a field and the
keyboard; the number of listings found follows the typing). The filter « Tout / Je propose / Je cherche »
applies to all three. It works without a session (passers-by at the market) and with one.

Route "board", params: `theme_id` (open on that theme's listings), `query` (open on that search),
`matches_for` (a member's own request: the offers that may answer it). « Retour » from a listing finds the
board as it was left, even when the board was shown again in between (see `ReturnStack`).

What is shown comes from `screens.board_model.Board`; this module only turns it into widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import sp
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import escape_markup

from kiosk.domain import ListingFormat
from kiosk.errors import KioskError
from kiosk.i18n import _
from screens import style
from screens.base import KioskScreen
from screens.board_model import Board, BoardCard, Criteria, KindFilter, ReturnStack
from screens.tr import tr
from screens.widgets import buttons, chips, keyboard, manager, scroll, text  # noqa: F401  (kv rules use them)
from screens.widgets.buttons import BigButton

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

SEARCH_COUNT_DELAY = 0.25  # s: count the matches once the finger pauses, not at every key


def listings_count(count: int) -> str:
    if count == 0:
        return _("Aucune annonce")
    if count == 1:
        return _("1 annonce")
    return _("{count} annonces").format(count=count)


def format_label(listing_format: ListingFormat) -> str:
    return _("En atelier") if listing_format is ListingFormat.WORKSHOP else _("Seul à seul")


def card_details(card: BoardCard) -> str:
    """« Vélo · Karim, Belleville · En atelier »: the theme, who and where, and how."""
    who = f"{card.pseudonym}, {card.quartier}" if card.quartier else card.pseudonym
    parts = [card.theme_label, who]
    if card.format is ListingFormat.WORKSHOP:
        parts.append(format_label(card.format))
    if card.home_collective:  # issue 9: shared by another collective of the network
        parts.append(_("Réseau : {collective}").format(collective=card.home_collective))
    return " · ".join(parts)


class BoardListingCard(ButtonBehavior, BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """One listing on the board: its tag, its title and who offers or looks for it. Tap: its page."""

    listing_id = StringProperty("")
    kind = StringProperty("offer")
    title = StringProperty("")
    details = StringProperty("")


class BoardThemeButton(BigButton):
    theme_id = StringProperty("")


@dataclass(frozen=True)
class BoardPlace:
    """Everything « Retour » restores: what is selected and which page of it was shown."""

    criteria: Criteria
    view: str
    page: int
    theme_page: int


class BoardScreen(KioskScreen):
    view = StringProperty("themes")  # "themes" | "results" (the search has its own inner screen)
    kind_selected = ListProperty([KindFilter.ALL.value])
    status_title = StringProperty("")
    status_detail = StringProperty("")
    has_previous = BooleanProperty(False)
    has_next = BooleanProperty(False)
    search_count = StringProperty("")
    searching = BooleanProperty(False)
    matching = BooleanProperty(False)  # showing the offers for a member's request: no kind filter
    matching_text = StringProperty("")  # then the request they answer stands where the filter was

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._board: Board | None = None
        self._page = 0
        self._theme_page = 0
        self._places: ReturnStack[BoardPlace] = ReturnStack()
        self._prepared = False
        self._count_trigger = Clock.create_trigger(self._update_search_count, SEARCH_COUNT_DELAY)
        self._cards: list[BoardListingCard] = []
        self._theme_buttons: list[BoardThemeButton] = []
        self._message_label: text.Body | None = None

    @property
    def board(self) -> Board:
        if self._board is None:
            self._board = Board(self.ctx.services)
        return self._board

    # --- the shell's contract ---------------------------------------------------------------------

    def prepare(
        self,
        theme_id: str | None = None,
        query: str = "",
        matches_for: str | None = None,
        **_params: Any,
    ) -> None:
        self._prepared = True
        self._places.settle(self.shell.history.count(self.name))
        self._page = self._theme_page = 0
        self.board.set_criteria(
            kind=KindFilter.ALL, theme_id=theme_id or "", query=query, matches_for=matches_for
        )
        self.view = "results" if (theme_id or query or matches_for) else "themes"
        self.ids.search_field.text = query
        self._show_search(False)
        self._refill()

    def on_pre_enter(self, *_args: Any) -> None:
        """Shown again by « Retour » (no `prepare`): the place it was left, with the board read afresh."""
        if self._prepared:
            self._prepared = False
            return
        place = self._places.settle(self.shell.history.count(self.name))
        if place is not None:
            self.board.restore(place.criteria)
            self.view, self._page, self._theme_page = place.view, place.page, place.theme_page
        else:
            self.board.reload()
        self.ids.search_field.text = self.board.query
        self._show_search(False)
        self._refill()

    def wipe(self) -> None:
        """A search or a member's matches say something about a person: start afresh next time."""
        self._places.clear()
        if self._board is not None:
            self._board.set_criteria(kind=KindFilter.ALL, theme_id="", query="")
        self.ids.search_field.text = ""
        self.ids.cards.clear_widgets()
        self.ids.themes.clear_widgets()
        for card in self._cards:  # kept for reuse: nothing of the last page stays in them
            card.listing_id = card.title = card.details = ""
        self.status_title = self.status_detail = self.matching_text = self.search_count = ""
        self.matching = False
        self.view = "themes"
        self._show_search(False)

    def refresh_language(self) -> None:
        if self._board is not None:
            self._refill()
            self._update_search_count()

    # --- what the person taps ----------------------------------------------------------------------

    def choose_kind(self, value: str) -> None:
        kind = KindFilter(value)
        if kind is self.board.kind:
            return
        self.board.set_criteria(kind=kind)
        self._page = self._theme_page = 0
        self._refill()

    def choose_theme(self, theme_id: str) -> None:
        self._show_results(theme_id=theme_id)

    def show_everything(self) -> None:
        self._show_results(theme_id="")

    def show_themes(self) -> None:
        self.board.set_criteria(theme_id="", query="")
        self.ids.search_field.text = ""
        self.view = "themes"
        self._refill()

    def previous_page(self) -> None:
        self._turn(-1)

    def next_page(self) -> None:
        self._turn(+1)

    def open_listing(self, listing_id: str) -> None:
        self._places.push(BoardPlace(self.board.criteria(), self.view, self._page, self._theme_page))
        self.shell.go("listing", listing_id=listing_id)

    def go_back(self) -> None:
        self.shell.back()

    def open_search(self) -> None:
        self._show_search(True)
        self._update_search_count()

    def close_search(self) -> None:
        self._show_search(False)

    def search_typed(self) -> None:
        self._count_trigger()

    def run_search(self) -> None:
        """« Voir » or the keyboard's OK: the results of what was typed, across every theme (« vélo »
        typed while looking at Cuisine means the bikes)."""
        typed = self.ids.search_field.text.strip()
        if not typed:
            self.show_themes()
            self._show_search(False)
            return
        self._show_results(theme_id="", query=typed)

    # --- filling the widgets ------------------------------------------------------------------------

    def _show_results(self, theme_id: str, query: str = "") -> None:
        self.board.set_criteria(theme_id=theme_id, query=query)
        self.ids.search_field.text = query
        self._page = 0
        self.view = "results"
        self._show_search(False)
        self._refill()

    def _show_search(self, searching: bool) -> None:
        self.searching = searching
        self.ids.inner.current = "search" if searching else "browse"

    def _turn(self, step: int) -> None:
        if self.view == "themes":
            self._theme_page += step
        else:
            self._page += step
        self._refill()

    def _refill(self) -> None:
        self.matching = bool(self.board.matches_for)
        self.matching_text = self._matching_text()
        self.kind_selected = [self.board.kind.value]
        if self.view == "themes":
            self._fill_themes()
        else:
            self._fill_results()

    # Widgets are made once and reused page after page: a kiosk turns pages all day, and widgets dropped
    # by the hundred would only feed the garbage collector (and the memory the bench watches).

    def _fill_themes(self) -> None:
        page = self.board.theme_page(self._theme_page, tr.language)
        self._theme_page = page.number
        self.ids.cards.clear_widgets()
        grid = self.ids.themes
        grid.clear_widgets()
        for index, theme in enumerate(page.items):
            button = self._theme_button(index)
            button.theme_id = theme.theme_id
            # the theme in bold, its count smaller beneath (sizes in markup are pixels: scaled like sp())
            count = f"[size={int(sp(style.SMALL))}]{escape_markup(listings_count(theme.count))}[/size]"
            button.text = f"[b]{escape_markup(theme.label)}[/b]\n{count}"
            grid.add_widget(button)
        if not page.items:
            self.ids.cards.add_widget(self._message(_("Le tableau est vide pour l’instant.")))
        self.status_title = _("Choisissez un thème")
        self.status_detail = self._page_text(page.number, page.pages) if page.pages > 1 else ""
        self.has_previous, self.has_next = page.has_previous, page.has_next

    def _theme_button(self, index: int) -> BoardThemeButton:
        while len(self._theme_buttons) <= index:
            button = BoardThemeButton(bold=False)
            button.bind(on_release=lambda widget: self.choose_theme(widget.theme_id))
            self._theme_buttons.append(button)
        return self._theme_buttons[index]

    def _card(self, index: int) -> BoardListingCard:
        while len(self._cards) <= index:
            card = BoardListingCard()
            card.bind(on_release=lambda widget: self.open_listing(widget.listing_id))
            self._cards.append(card)
        return self._cards[index]

    def _message(self, message: str) -> text.Body:
        if self._message_label is None:
            self._message_label = text.Body()
        self._message_label.text = message
        return self._message_label

    def _fill_results(self) -> None:
        page = self.board.page(self._page, tr.language)
        self._page = page.number
        self.ids.themes.clear_widgets()
        box = self.ids.cards
        box.clear_widgets()
        for index, card in enumerate(page.items):
            widget = self._card(index)
            widget.listing_id = card.listing_id
            widget.kind = card.kind.value
            widget.title = card.title
            widget.details = card_details(card)
            box.add_widget(widget)
        if not page.items:
            box.add_widget(self._message(self._nothing_found()))
        self.status_title = self._results_title()
        count = listings_count(page.total)
        pages = self._page_text(page.number, page.pages)
        self.status_detail = f"{count} · {pages}" if page.pages > 1 else count
        self.has_previous, self.has_next = page.has_previous, page.has_next

    def _results_title(self) -> str:
        board = self.board
        if board.matches_for:
            return _("Les offres pour votre demande")
        if board.query:
            return _("Recherche : « {text} »").format(text=board.query)
        if board.theme_id:
            return board.labels.label(board.theme_id, tr.language)
        return _("Toutes les annonces")

    def _matching_text(self) -> str:
        if not self.board.matches_for:
            return ""
        try:
            request = self.ctx.services.listings.get(self.board.matches_for)
        except KioskError:
            return ""
        return _("Votre demande : « {title} »").format(title=request.title)

    def _nothing_found(self) -> str:
        if self.board.matches_for:
            return _("Aucune offre ne correspond encore. Revenez bientôt : le tableau change chaque semaine.")
        return _("Rien pour l’instant. Essayez un autre mot ou un autre thème.")

    @staticmethod
    def _page_text(number: int, pages: int) -> str:
        return _("page {number} sur {pages}").format(number=number + 1, pages=pages)

    def _update_search_count(self, *_args: object) -> None:
        if self._board is None or not self.searching:
            return
        typed = self.ids.search_field.text.strip()
        if not typed:
            self.search_count = _("Tapez un mot, par exemple « vélo ».")
            return
        self.search_count = listings_count(self.board.count_for(typed))
