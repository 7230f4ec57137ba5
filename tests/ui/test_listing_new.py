"""« Je propose / Je cherche un savoir » in a real 800×480 Kivy window (Xvfb), on a real demo store.

A member's card opens the session, every step is answered by touching the theme buttons, the keys of the
on-screen keyboard and the buttons where they are on screen; the listing published is then found on the
board by a search typed on the keyboard. The driving helpers come from tests/ui/test_board.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain import ListingFormat, ListingKind
from tests.ui.driver import texts, wait_frames, wait_until
from tests.ui.test_board import Kiosk, assert_nothing_clipped, key, open_kiosk, type_on_keyboard


@pytest.fixture
def kiosk(kivy_window: Any, tmp_path: Path) -> Iterator[Kiosk]:
    with open_kiosk(kivy_window, tmp_path) as opened:
        yield opened


def start(kiosk: Kiosk, kind: str, pseudonym: str = "Karim") -> Any:
    kiosk.tap_card(pseudonym)
    return kiosk.go("listing_new", kind=kind)


def assert_every_theme_in_view(screen: Any) -> None:
    """All thirteen themes are on screen at once at 800×480: nobody has to discover a scroll."""
    grid = screen.ids.theme_grid
    view = grid.parent  # the ScrollView, a fallback for the larger-text setting only
    bottom = view.to_window(view.x, view.y)[1]
    assert len(grid.buttons()) == len(screen.top_theme_choices) == 13
    for button in grid.buttons():
        assert button.to_window(button.x, button.y)[1] >= bottom - 1, f"{button.text!r} is below the fold"


def snap(kiosk: Kiosk, screen: Any, language: str) -> None:
    kiosk.frame(f"listing_new-{screen.step}-{language}-800x480.png")
    assert_nothing_clipped(screen)


def test_a_member_publishes_an_offer_and_finds_it_on_the_board(kiosk: Kiosk) -> None:
    karim = kiosk.member_id("Karim")
    before = {listing.id for listing in kiosk.services.listings.of_member(karim)}
    screen = start(kiosk, "offer")
    assert screen.step == "theme"
    snap(kiosk, screen, "fr")
    assert_every_theme_in_view(screen)

    kiosk.tap(screen.ids.theme_grid.button_for("cuisine"))
    assert screen.step == "subtheme"
    assert "Cuisine : plus précisément ?" in texts(screen)
    snap(kiosk, screen, "fr")
    kiosk.tap(screen.ids.sub_theme_grid.button_for("cuisine.conserves"))

    assert screen.step == "title"
    assert screen.ids.title_next.disabled  # nothing typed yet
    type_on_keyboard(screen.ids.title_keyboard, "Faire son kombucha maison")
    assert screen.ids.title_field.text == "Faire son kombucha maison"
    snap(kiosk, screen, "fr")
    kiosk.tap(screen.ids.title_next)

    assert screen.step == "description"
    assert screen.ids.description_next.text == "Passer"  # optional: it can be skipped
    type_on_keyboard(screen.ids.description_keyboard, "Apportez un bocal propre")
    assert screen.ids.description_next.text == "Suivant"
    snap(kiosk, screen, "fr")
    kiosk.tap(key(screen.ids.description_keyboard, "enter"))  # the keyboard's « Suivant »

    assert screen.step == "format"
    snap(kiosk, screen, "fr")
    kiosk.tap(screen.ids.format_workshop)

    assert screen.step == "summary"
    shown = texts(screen)
    assert "Faire son kombucha maison" in shown and "Apportez un bocal propre" in shown
    assert "Cuisine · Conserves et anti-gaspillage" in shown
    assert "En atelier, avec un petit groupe" in shown and "Je propose" in shown
    snap(kiosk, screen, "fr")
    writes = kiosk.writes
    kiosk.tap(screen.ids.publish)

    (published,) = [x for x in kiosk.services.listings.of_member(karim) if x.id not in before]
    assert (published.kind, published.theme_id, published.format) == (
        ListingKind.OFFER,
        "cuisine.conserves",
        ListingFormat.WORKSHOP,
    )
    assert (published.title, published.description) == (
        "Faire son kombucha maison",
        "Apportez un bocal propre",
    )
    assert kiosk.writes == writes + 1  # the sync worker is woken
    assert kiosk.shell.manager.current == "member_home"
    assert "C’est publié ! Votre annonce est sur le tableau des savoirs." in texts(kiosk.shell)
    kiosk.frame("listing_new-published-fr-800x480.png")

    # … and anyone finds it on the board, searching with the keyboard
    kiosk.shell.overlays.dismiss_all()
    board = kiosk.go("board")
    kiosk.tap(board.ids.search_button)
    type_on_keyboard(board.ids.search_keyboard, "kombucha")
    wait_until(lambda: board.search_count == "1 annonce")
    kiosk.tap(board.ids.search_go)
    (card,) = board.ids.cards.children
    assert (card.listing_id, card.kind, card.title) == (published.id, "offer", "Faire son kombucha maison")
    assert card.details.startswith("Conserves et anti-gaspillage · Karim")
    kiosk.tap(card)
    assert kiosk.screen.listing.id == published.id


def test_back_goes_one_step_at_a_time_and_keeps_every_entry(kiosk: Kiosk) -> None:
    kiosk.go("board")  # where the member came from
    screen = start(kiosk, "request", "Yvette")
    kiosk.tap(screen.ids.theme_grid.button_for("numerique"))
    kiosk.tap(screen.ids.sub_theme_grid.button_for("numerique"))  # « Un peu de tout »: the theme itself
    type_on_keyboard(screen.ids.title_keyboard, "Envoyer des photos")
    kiosk.tap(screen.ids.title_next)
    assert screen.step == "description"

    kiosk.tap(screen.ids.description_back)
    assert screen.step == "title" and screen.ids.title_field.text == "Envoyer des photos"
    kiosk.tap(screen.ids.title_back)
    assert screen.step == "subtheme" and screen.ids.sub_theme_grid.selected == ["numerique"]
    kiosk.tap(screen.ids.subtheme_back)
    assert screen.step == "theme" and screen.ids.theme_grid.selected == ["numerique"]

    kiosk.tap(screen.ids.theme_grid.button_for("numerique"))  # the same theme again: nothing is lost
    kiosk.tap(screen.ids.sub_theme_grid.button_for("numerique"))
    assert screen.ids.title_field.text == "Envoyer des photos"
    kiosk.tap(screen.ids.title_next)
    kiosk.tap(screen.ids.description_next)  # « Passer »
    kiosk.tap(screen.ids.format_individual)
    assert "Sans description." in texts(screen) and "Je cherche" in texts(screen)
    kiosk.tap(screen.ids.summary_back)
    assert screen.step == "format"

    for _ in range(5):  # format → description → title → subtheme → theme → where they came from
        kiosk.tap(screen.ids[f"{screen.step}_back"])
    assert kiosk.shell.manager.current == "member_home"  # the card tap opened their home first
    yvette = kiosk.member_id("Yvette")
    assert not [x for x in kiosk.services.listings.of_member(yvette) if x.title == "Envoyer des photos"]


def test_choosing_another_theme_forgets_the_sub_theme_of_the_first(kiosk: Kiosk) -> None:
    screen = start(kiosk, "offer")
    kiosk.tap(screen.ids.theme_grid.button_for("cuisine"))
    kiosk.tap(screen.ids.sub_theme_grid.button_for("cuisine.monde"))
    kiosk.tap(screen.ids.title_back)
    kiosk.tap(screen.ids.subtheme_back)
    kiosk.tap(screen.ids.theme_grid.button_for("jardinage"))
    assert screen.ids.sub_theme_grid.selected == []
    assert {value for value, _label in screen.sub_theme_choices} >= {"jardinage", "jardinage.potager"}


def test_without_a_session_the_person_is_sent_home_with_a_word(kiosk: Kiosk) -> None:
    kiosk.shell.go("listing_new", kind="offer")
    wait_frames(5)
    assert kiosk.shell.manager.current == "accueil"
    assert "Passez votre carte pour proposer ou chercher un savoir." in texts(kiosk.shell)


def test_every_step_in_english_with_nothing_clipped(kiosk: Kiosk) -> None:
    screen = start(kiosk, "request")
    kiosk.switch_language("en")
    assert "What knowledge are you looking for? Choose a theme." in texts(screen)
    assert screen.ids.theme_grid.button_for("reparation").text == "Repair and DIY"
    snap(kiosk, screen, "en")
    assert_every_theme_in_view(screen)
    kiosk.tap(screen.ids.theme_grid.button_for("reparation"))
    assert "A bit of everything" in texts(screen)
    snap(kiosk, screen, "en")
    kiosk.tap(screen.ids.sub_theme_grid.button_for("reparation.velo"))
    assert screen.ids.title_keyboard.layout == "qwerty"
    type_on_keyboard(screen.ids.title_keyboard, "Fix my brakes")
    snap(kiosk, screen, "en")
    kiosk.tap(screen.ids.title_next)
    assert screen.ids.description_next.text == "Skip"
    snap(kiosk, screen, "en")
    kiosk.tap(screen.ids.description_next)
    assert "How would you like to learn?" in texts(screen)
    snap(kiosk, screen, "en")
    kiosk.tap(screen.ids.format_individual)
    assert "I’m looking for" in texts(screen) and "Repair and DIY · Bicycle" in texts(screen)
    assert "No description." in texts(screen)
    snap(kiosk, screen, "en")

    kiosk.switch_language("fr")  # on the summary: everything follows at once
    assert "Réparation et bricolage · Vélo" in texts(screen) and "Publier" in texts(screen)
