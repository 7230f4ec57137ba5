"""What the Savoirs board shows, without Kivy: themes with their counts, the listings of a theme or a
search, the offers matching one's own request, cut into pages of a few big cards.

The board screen keeps one `Board` and asks it for pages; it never queries services itself. Results and
the themes (the collective's own ones included, issue 4: a pull may add one while the app runs) are read
once per set of criteria (kind, theme, typed text) and kept until the criteria change or `reload()` is
called, so paging back and forth and switching the language cost nothing.

Counts per theme come from one search over the active listings: a collective has a few hundred of them
at most, and the kiosk holds only its own collective's board.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from kiosk.domain import Listing, ListingFormat, ListingKind
from kiosk.errors import KioskError
from kiosk.services import Services
from kiosk.themes import Catalogue, Theme
from screens import theme_catalogue

T = TypeVar("T")

CARDS_PER_PAGE = 3  # three cards of ≥ 80 px between the top bar and the paging bar at 800×480
THEMES_PER_PAGE = 6  # a grid of 2 × 3 theme buttons beside the paging column
MAX_RESULTS = 500  # more than any collective's board; the page count stays honest below it
MAX_MATCHES = 30


class KindFilter(StrEnum):
    """« Tout / Je propose / Je cherche »."""

    ALL = "all"
    OFFER = "offer"
    REQUEST = "request"

    @property
    def listing_kind(self) -> ListingKind | None:
        return None if self is KindFilter.ALL else ListingKind(self.value)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    number: int  # 0-based
    pages: int  # at least 1, even when empty
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.pages


def paginate(items: Sequence[T], number: int, per_page: int) -> Page[T]:
    """Page `number` of `items`, clamped into range (a page that emptied since shows the last one)."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    pages = max(1, -(-len(items) // per_page))
    number = min(max(0, number), pages - 1)
    start = number * per_page
    return Page(tuple(items[start : start + per_page]), number, pages, len(items))


@dataclass(frozen=True)
class ThemeCount:
    theme_id: str
    label: str
    count: int


@dataclass(frozen=True)
class BoardCard:
    """One listing as a card on the board: everything shown, nothing more (no contact, no history)."""

    listing_id: str
    kind: ListingKind
    title: str
    theme_label: str
    pseudonym: str
    quartier: str
    format: ListingFormat
    home_collective: str | None = None  # issue 9: shared by this other collective of the network


@dataclass(frozen=True)
class Criteria:
    kind: KindFilter
    theme_id: str | None
    query: str
    matches_for: str | None


class ThemeLabels:
    """Theme ids → labels in the active language; a theme the catalogue lacks (synced from a newer hub)
    shows its parent's label, or at worst its id, rather than nothing."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        """`catalogue`: fixed; without one, the themes the shell last read (screens/theme_catalogue.py)."""
        self._fixed = catalogue
        self._fixed_by_id = catalogue.by_id() if catalogue is not None else None

    @property
    def catalogue(self) -> Catalogue:
        return self._fixed or theme_catalogue.current()

    @property
    def _themes(self) -> dict[str, Theme]:
        return self._fixed_by_id if self._fixed_by_id is not None else theme_catalogue.by_id()

    def get(self, theme_id: str) -> Theme | None:
        return self._themes.get(theme_id)

    def label(self, theme_id: str, language: str) -> str:
        themes = self._themes
        theme = themes.get(theme_id) or themes.get(theme_id.split(".")[0])
        return theme.label(language) if theme else theme_id

    def top_themes(self) -> list[Theme]:
        return [theme for theme in self.catalogue.themes if theme.parent_id is None]

    def children(self, top_id: str) -> list[Theme]:
        return [theme for theme in self.catalogue.themes if theme.parent_id == top_id]


def top_theme_id(theme_id: str) -> str:
    return theme_id.split(".")[0]


class Board:
    """The board's criteria and what they select. Set the criteria, then read `page(...)`."""

    def __init__(
        self,
        services: Services,
        *,
        per_page: int = CARDS_PER_PAGE,
        themes_per_page: int = THEMES_PER_PAGE,
    ) -> None:
        self.services = services
        self.labels = ThemeLabels(services.themes.catalogue())
        self.per_page = per_page
        self.themes_per_page = themes_per_page
        self.kind = KindFilter.ALL
        self.theme_id: str | None = None
        self.query = ""
        self.matches_for: str | None = None  # a request's id: its matching offers instead of a search
        self._results: list[Listing] | None = None
        self._quartiers: dict[str, str] = {}

    # --- criteria ---------------------------------------------------------------------------------

    def set_criteria(
        self,
        *,
        kind: KindFilter | None = None,
        theme_id: str | None = None,
        query: str | None = None,
        matches_for: str | None = None,
    ) -> None:
        """Change what is selected; the next read searches again. Arguments left out keep their value,
        except `matches_for`, which only a caller asking for matches sets."""
        if kind is not None:
            self.kind = kind
        if theme_id is not None:
            self.theme_id = theme_id or None
        if query is not None:
            self.query = query
        self.matches_for = matches_for or None
        self.reload()

    def reload(self) -> None:
        """Forget what was read: a listing or a theme was published, withdrawn or synced meanwhile."""
        self._results = None
        self._quartiers.clear()
        self.labels = ThemeLabels(self.services.themes.catalogue())

    def criteria(self) -> Criteria:
        return Criteria(self.kind, self.theme_id, self.query, self.matches_for)

    def restore(self, criteria: Criteria) -> None:
        """Back to earlier criteria (« Retour »), read afresh: the board may have changed meanwhile."""
        self.kind, self.theme_id = criteria.kind, criteria.theme_id
        self.query, self.matches_for = criteria.query, criteria.matches_for
        self.reload()

    # --- what is shown ------------------------------------------------------------------------------

    def results(self) -> list[Listing]:
        if self._results is None:
            if self.matches_for:
                self._results = self.services.listings.matches(self.matches_for, limit=MAX_MATCHES)
            else:
                self._results = self.services.listings.search(
                    self.query,
                    theme_id=self.theme_id,
                    kind=self.kind.listing_kind,
                    limit=MAX_RESULTS,
                )
        return self._results

    def count_for(self, text: str) -> int:
        """How many listings of the selected kind `text` would find in every theme (the search keyboard
        shows it as the person types; a search always looks across themes)."""
        return len(self.services.listings.search(text, kind=self.kind.listing_kind, limit=MAX_RESULTS))

    def theme_counts(self, language: str) -> list[ThemeCount]:
        """Top themes with at least one active listing of the selected kind, the busiest first (then in
        catalogue order, which is stable)."""
        listings = self.services.listings.search(kind=self.kind.listing_kind, limit=MAX_RESULTS)
        counts = Counter(top_theme_id(listing.theme_id) for listing in listings)
        order = {theme.id: n for n, theme in enumerate(self.labels.top_themes())}
        ranked = sorted(counts, key=lambda theme_id: (-counts[theme_id], order.get(theme_id, len(order))))
        return [
            ThemeCount(theme_id, self.labels.label(theme_id, language), counts[theme_id])
            for theme_id in ranked
        ]

    def theme_page(self, number: int, language: str) -> Page[ThemeCount]:
        return paginate(self.theme_counts(language), number, self.themes_per_page)

    def page(self, number: int, language: str) -> Page[BoardCard]:
        page = paginate(self.results(), number, self.per_page)
        cards = tuple(self.card(listing, language) for listing in page.items)
        return Page(cards, page.number, page.pages, page.total)

    def card(self, listing: Listing, language: str) -> BoardCard:
        return BoardCard(
            listing_id=listing.id,
            kind=listing.kind,
            title=listing.title,
            theme_label=self.labels.label(listing.theme_id, language),
            pseudonym=listing.pseudonym,
            quartier=listing.quartier if listing.home_collective else self.quartier_of(listing.member_id),
            format=listing.format,
            home_collective=listing.home_collective,
        )

    def quartier_of(self, member_id: str) -> str:
        """Read only for the cards on the page shown, and remembered while the results are."""
        if member_id not in self._quartiers:
            try:
                self._quartiers[member_id] = self.services.members.get(member_id).quartier
            except KioskError:  # a member erased meanwhile: their listing is about to disappear
                self._quartiers[member_id] = ""
        return self._quartiers[member_id]


class ReturnStack(Generic[T]):
    """Where a person was on a screen each time they went forward from it, so « Retour » finds it again.

    The shell keeps one instance per screen and its history holds route names, so a screen shown twice in
    one path (the board, then a listing, then the board again with a request's matches) must remember its
    earlier states itself. Push a state when going forward; `settle(times_in_history)` — called when the
    screen is shown again or prepared anew — drops states the history no longer leads back to and returns
    the one to show when coming back.
    """

    def __init__(self) -> None:
        self._states: list[T] = []

    def __len__(self) -> int:
        return len(self._states)

    def push(self, state: T) -> None:
        self._states.append(state)

    def settle(self, times_in_history: int) -> T | None:
        restored: T | None = None
        while len(self._states) > max(0, times_in_history):
            restored = self._states.pop()
        return restored

    def clear(self) -> None:
        self._states.clear()
