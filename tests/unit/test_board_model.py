"""The board's model on a real store filled with the demo collective: filters, themes, search, pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.demo import DEMO_CARD_KEY, generate_demo
from kiosk.domain import ListingFormat, ListingKind
from kiosk.services import Services, open_services
from kiosk.themes import Catalogue, Theme
from screens.board_model import Board, KindFilter, ReturnStack, ThemeLabels, paginate


@pytest.fixture
def demo(config: Config, clock: FixedClock) -> Iterator[Services]:
    config = replace(config, security=replace(config.security, card_key=DEMO_CARD_KEY.hex()))
    services = open_services(config, clock)
    generate_demo(services)
    yield services
    services.close()


def member_id(services: Services, pseudonym: str) -> str:
    (member,) = [m for m in services.members.find(pseudonym) if m.pseudonym == pseudonym]
    return member.id


def test_paginate_cuts_clamps_and_never_has_zero_pages() -> None:
    items = list(range(7))
    first = paginate(items, 0, 3)
    assert first.items == (0, 1, 2) and first.pages == 3 and first.total == 7
    assert first.has_next and not first.has_previous
    last = paginate(items, 2, 3)
    assert last.items == (6,) and last.has_previous and not last.has_next
    assert paginate(items, 9, 3).number == 2  # a page that emptied meanwhile shows the last one
    assert paginate(items, -1, 3).number == 0
    empty = paginate(list[int](), 0, 3)
    assert (empty.items, empty.pages, empty.total, empty.has_next) == ((), 1, 0, False)
    with pytest.raises(ValueError):
        paginate(items, 0, 0)


def test_the_kind_filter_keeps_offers_or_requests_or_both(demo: Services) -> None:
    board = Board(demo)
    everything = board.results()
    kinds = {listing.kind for listing in everything}
    assert kinds == {ListingKind.OFFER, ListingKind.REQUEST}
    board.set_criteria(kind=KindFilter.OFFER)
    offers = board.results()
    assert offers and {listing.kind for listing in offers} == {ListingKind.OFFER}
    board.set_criteria(kind=KindFilter.REQUEST)
    requests = board.results()
    assert requests and {listing.kind for listing in requests} == {ListingKind.REQUEST}
    assert len(offers) + len(requests) == len(everything)


def test_typed_search_ignores_accents_and_case(demo: Services) -> None:
    board = Board(demo)
    board.set_criteria(query="velo")
    titles = {listing.title for listing in board.results()}
    assert {"Réglage des freins de vélo", "Remettre en état un vieux vélo de course"} <= titles
    board.set_criteria(query="VÉLO")
    assert {listing.title for listing in board.results()} == titles
    assert board.count_for("velo") == len(titles)
    assert board.count_for("zzzz-rien") == 0


def test_themes_are_counted_busiest_first_and_labelled_in_the_language(demo: Services) -> None:
    board = Board(demo)
    counts = board.theme_counts("fr")
    assert sum(theme.count for theme in counts) == len(board.results())
    assert [theme.count for theme in counts] == sorted((theme.count for theme in counts), reverse=True)
    assert all("." not in theme.theme_id for theme in counts)  # top themes only
    labels = {theme.theme_id: theme.label for theme in counts}
    assert labels["reparation"] == "Réparation et bricolage"
    assert {t.theme_id: t.label for t in board.theme_counts("en")}["reparation"] == "Repair and DIY"

    board.set_criteria(kind=KindFilter.REQUEST)
    requests = {theme.theme_id: theme.count for theme in board.theme_counts("fr")}
    assert sum(requests.values()) == len(board.results())
    assert requests["reparation"] < {t.theme_id: t.count for t in counts}["reparation"]


def test_a_theme_selects_its_sub_themes_and_its_cards_name_them(demo: Services) -> None:
    board = Board(demo)
    board.set_criteria(theme_id="reparation")
    results = board.results()
    assert results and all(listing.theme_id.split(".")[0] == "reparation" for listing in results)
    page = board.page(0, "fr")
    assert page.total == len(results) and len(page.items) == board.per_page
    seen = [card for n in range(page.pages) for card in board.page(n, "fr").items]
    assert [card.listing_id for card in seen] == [listing.id for listing in results]  # no gap, no repeat
    bike = next(card for card in seen if card.title == "Réglage des freins de vélo")
    owner = demo.members.get(member_id(demo, bike.pseudonym))
    assert bike.theme_label == "Vélo" and bike.quartier == owner.quartier and bike.quartier
    assert bike.kind is ListingKind.OFFER
    english = [card for n in range(page.pages) for card in board.page(n, "en").items]
    assert next(card for card in english if card.listing_id == bike.listing_id).theme_label == "Bicycle"
    board.set_criteria(theme_id="")  # back to every theme
    assert board.theme_id is None and len(board.results()) > len(results)


def test_results_are_kept_until_reloaded(demo: Services) -> None:
    board = Board(demo)
    board.set_criteria(query="kombucha")
    assert board.results() == []
    karim = member_id(demo, "Karim")
    published = demo.listings.publish(
        karim, ListingKind.OFFER, "cuisine.conserves", "Faire son kombucha", format=ListingFormat.WORKSHOP
    )
    assert board.results() == []  # paging through a page set does not reshuffle under the finger
    board.reload()
    assert [listing.id for listing in board.results()] == [published.id]
    card = board.page(0, "fr").items[0]
    assert (card.pseudonym, card.format, card.theme_label) == (
        "Karim",
        ListingFormat.WORKSHOP,
        "Conserves et anti-gaspillage",
    )


def test_matches_for_a_request_are_other_peoples_offers(demo: Services) -> None:
    karim = member_id(demo, "Karim")
    request = demo.listings.publish(
        karim, ListingKind.REQUEST, "reparation.velo", "Changer une chaîne de vélo"
    )
    demo.listings.publish(karim, ListingKind.OFFER, "reparation.velo", "Régler un dérailleur")
    board = Board(demo)
    board.set_criteria(matches_for=request.id)
    matches = board.results()
    assert matches and {listing.kind for listing in matches} == {ListingKind.OFFER}
    assert karim not in {listing.member_id for listing in matches}
    assert matches[0].theme_id == "reparation.velo"
    board.set_criteria(query="")  # any other criteria leave the matches
    assert board.matches_for is None and len(board.results()) > len(matches)


def test_a_theme_missing_from_the_catalogue_still_gets_a_label() -> None:
    labels = ThemeLabels(Catalogue(1, (Theme("cuisine", None, "Cuisine", "Cooking"),)))
    assert labels.label("cuisine.nouveau", "en") == "Cooking"
    assert labels.label("inconnu", "fr") == "inconnu"


def test_theme_pages_hold_a_grid_of_chips(demo: Services) -> None:
    board = Board(demo, themes_per_page=4)
    counts = board.theme_counts("fr")
    first = board.theme_page(0, "fr")
    assert first.items == tuple(counts[:4]) and first.pages == -(-len(counts) // 4)


def test_the_return_stack_follows_the_shell_history() -> None:
    places: ReturnStack[str] = ReturnStack()
    assert places.settle(0) is None
    places.push("theme page 2")  # board → listing
    places.push("matches")  # board again (matches) → another listing
    assert places.settle(2) is None and len(places) == 2  # prepared anew while both are in the history
    assert places.settle(1) == "matches"  # « Retour » to the board: the matches, as left
    assert places.settle(0) == "theme page 2"  # « Retour » again: the theme page
    places.push("stale")
    assert places.settle(0) == "stale" and len(places) == 0  # a fresh path (history cleared): forgotten


def test_criteria_come_back_as_they_were_and_are_read_afresh(demo: Services) -> None:
    board = Board(demo)
    board.set_criteria(kind=KindFilter.REQUEST, theme_id="reparation")
    saved = board.criteria()
    before = len(board.results())
    board.set_criteria(kind=KindFilter.ALL, theme_id="", query="velo")
    karim = member_id(demo, "Karim")
    demo.listings.publish(karim, ListingKind.REQUEST, "reparation.bois", "Poncer un vieux meuble")
    board.restore(saved)
    assert (board.kind, board.theme_id, board.query) == (KindFilter.REQUEST, "reparation", "")
    assert len(board.results()) == before + 1
