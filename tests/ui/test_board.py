"""The Savoirs board and a listing's page in a real 800×480 Kivy window (Xvfb), on a real demo store.

The shell is the real one (screens/shell.py) with the app's own card path (`tests/ui/driver.py`: a
simulated reader's events drained by `kiosk.app.EventPump`); every action is a `UnitTestTouch` on the
actual widget at its window position, text is typed on the on-screen keyboard's keys, and the listing's
QR code is read back from the framebuffer with zxing-cpp. The few helpers here are shared with
tests/ui/test_listing_new.py.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from hardware.qr import listing_payload
from kiosk.domain import Listing, ListingKind
from kiosk.services import Services
from tests.ui.conftest import render, save_screenshot
from tests.ui.driver import demo_context, find, shell_rig, tap, texts, wait_frames, wait_until

BASE_URL = "https://savoirs.example.org"
# What the lead adds to screens/routes.py; set here so these tests do not wait for it.
MY_ROUTES = {
    "board": "screens.board:BoardScreen",
    "listing": "screens.listing:ListingScreen",
    "listing_new": "screens.listing_new:ListingNewScreen",
}


# --- driving the window ----------------------------------------------------------------------------------


def key(keyboard: Any, action: str, value: str = "") -> Any:
    for candidate in keyboard.visible_keys():
        if candidate.spec.action == action and (not value or candidate.spec.value == value):
            return candidate
    raise AssertionError(f"no {action} {value!r} key on the {keyboard.page} page")


def type_on_keyboard(keyboard: Any, text: str) -> None:
    """Type `text` key by key: the accents page for accents, shift for capitals."""
    for char in text:
        if char == " ":
            tap(key(keyboard, "space"))
            continue
        page = "accents" if char.lower() in "éèêëàâçùûôîïœ" else "letters"
        if char.isdigit():
            page = "digits"
        if keyboard.page != page:
            tap(key(keyboard, "page", page))
        if char.isupper():
            tap(key(keyboard, "shift"))
        tap(key(keyboard, "char", char.lower()))


def decoded(frame: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(frame)]


def assert_nothing_clipped(root: Any) -> None:
    from screens.widgets.fit import clipped_labels, describe

    wait_frames()
    clipped = clipped_labels(root)
    assert clipped == [], describe(clipped)


# --- the kiosk under test --------------------------------------------------------------------------------


class Kiosk:
    """The real shell in the window on a demo store, with the board's routes and a card reader."""

    def __init__(self, rig: Any) -> None:
        self.rig = rig
        self.shell = rig.shell
        self.services: Services = self.shell.ctx.services
        self.writes = 0
        self.shell.ctx.after_write = self._wrote
        self.shell.routes.update(MY_ROUTES)

    def _wrote(self) -> None:
        self.writes += 1

    @property
    def screen(self) -> Any:
        return self.shell.manager.current_screen

    def tap(self, widget: Any) -> None:
        tap(widget)

    def tap_text(self, text: str) -> None:
        tap(find(self.screen, text=text))

    def go(self, route: str, **params: Any) -> Any:
        self.shell.go(route, **params)
        wait_frames()
        assert self.shell.manager.current == route, f"still on {self.shell.manager.current}"
        return self.screen

    def tap_card(self, pseudonym: str) -> None:
        """A demo member's card on the simulated reader, through the app's event pump."""
        self.rig.tap_demo_card(pseudonym)

    def member_in_session(self) -> str | None:
        member = self.shell.session.member
        return member.id if member is not None else None

    def member_id(self, pseudonym: str) -> str:
        (member,) = [m for m in self.services.members.find(pseudonym) if m.pseudonym == pseudonym]
        return member.id

    def frame(self, name: str = "") -> Image.Image:
        wait_frames()
        image = render(self.shell.get_root_window())
        if name:
            save_screenshot(image, name)
        return image

    def switch_language(self, language: str) -> None:
        # Widgets left by earlier tests are collected first: screens/tr.py's switch loop fails with a
        # KeyError when a widget is collected in the middle of it (reported to the lead with the fix).
        gc.collect()
        self.shell.switch_language(language)
        wait_frames()


@contextmanager
def open_kiosk(window: Any, tmp_path: Path, base_url: str = BASE_URL) -> Iterator[Kiosk]:
    """The shell on a fresh demo store (the same seed each time), with `[links] base_url` set."""
    with demo_context(tmp_path) as ctx:
        ctx.config = replace(ctx.config, links=replace(ctx.config.links, base_url=base_url))
        with shell_rig(window, ctx) as rig:
            kiosk = Kiosk(rig)
            try:
                yield kiosk
            finally:
                kiosk.switch_language("fr")  # before the rig does it, with the garbage collected first


@pytest.fixture
def kiosk(kivy_window: Any, tmp_path: Path) -> Iterator[Kiosk]:
    with open_kiosk(kivy_window, tmp_path) as opened:
        yield opened


def a_listing(services: Services, kind: ListingKind, not_by: str = "", by: str = "") -> Listing:
    for listing in services.listings.search(kind=kind, limit=500):
        if (not not_by or listing.member_id != not_by) and (not by or listing.member_id == by):
            return listing
    raise AssertionError(f"no {kind} listing (by {by!r}, not by {not_by!r}) in the demo")


# --- the board -------------------------------------------------------------------------------------------


def test_browse_a_theme_page_through_it_and_open_a_listing(kiosk: Kiosk) -> None:
    board = kiosk.go("board")
    kiosk.frame("board-themes-fr-800x480.png")
    assert board.view == "themes"
    assert_nothing_clipped(board)
    repair = [w for w in board.ids.themes.children if w.theme_id == "reparation"]
    assert repair, "the repair theme is on the first page of themes"
    kiosk.tap(repair[0])

    expected = kiosk.services.listings.search(theme_id="reparation", limit=500)
    assert board.view == "results" and board.status_title == "Réparation et bricolage"
    shown = [card.listing_id for card in reversed(board.ids.cards.children)]
    assert shown == [listing.id for listing in expected[:3]]
    kiosk.frame("board-theme-fr-800x480.png")
    assert_nothing_clipped(board)

    kiosk.tap(board.ids.next_button)  # page 2
    second = [card.listing_id for card in reversed(board.ids.cards.children)]
    assert second == [listing.id for listing in expected[3:6]]
    assert "page 2 sur" in board.status_detail
    card = board.ids.cards.children[-1]
    kiosk.tap(card)
    assert kiosk.shell.manager.current == "listing"
    assert kiosk.screen.listing.id == second[0]

    kiosk.tap(kiosk.screen.ids.back)  # « Retour »: the board as it was left
    assert kiosk.shell.manager.current == "board"
    assert [c.listing_id for c in reversed(board.ids.cards.children)] == second


def test_the_filter_keeps_offers_or_requests(kiosk: Kiosk) -> None:
    board = kiosk.go("board", theme_id="reparation")
    kiosk.tap(board.ids.kind_chips.chip_for("request"))
    cards = list(board.ids.cards.children)
    assert cards and {card.kind for card in cards} == {"request"}
    requests = kiosk.services.listings.search(theme_id="reparation", kind=ListingKind.REQUEST, limit=500)
    assert board.status_detail.startswith(f"{len(requests)} annonce")
    kiosk.frame("board-requests-fr-800x480.png")
    kiosk.tap(board.ids.kind_chips.chip_for("offer"))
    assert {card.kind for card in board.ids.cards.children} == {"offer"}


def test_search_velo_typed_on_the_keys_finds_the_bike_listings(kiosk: Kiosk) -> None:
    board = kiosk.go("board")
    kiosk.tap(board.ids.search_button)
    keyboard = board.ids.search_keyboard
    type_on_keyboard(keyboard, "velo")
    assert board.ids.search_field.text == "velo"
    bikes = kiosk.services.listings.search("vélo", limit=500)
    # the count follows the typing once the finger pauses
    wait_until(lambda: board.search_count == f"{len(bikes)} annonces")
    kiosk.frame("board-search-fr-800x480.png")
    assert_nothing_clipped(board)

    kiosk.tap(key(keyboard, "enter"))
    assert board.view == "results" and board.status_title == "Recherche : « velo »"
    found = _all_result_cards(kiosk, board)
    assert {"Réglage des freins de vélo", "Remettre en état un vieux vélo de course"} <= {
        c.title for c in found
    }
    assert {c.listing_id for c in found} == {listing.id for listing in bikes}
    kiosk.frame("board-search-results-fr-800x480.png")
    assert_nothing_clipped(board)


@dataclass(frozen=True)
class SeenCard:
    listing_id: str
    kind: str
    title: str


def shown_cards(board: Any) -> list[SeenCard]:
    """The cards on the board's page now, top to bottom (the widgets are reused from page to page)."""
    return [SeenCard(c.listing_id, c.kind, c.title) for c in reversed(board.ids.cards.children)]


def _all_result_cards(kiosk: Kiosk, board: Any) -> list[SeenCard]:
    """Every card of the results, paging with the real buttons, then back to the first page."""
    cards = shown_cards(board)
    turns = 0
    while board.has_next:
        kiosk.tap(board.ids.next_button)
        cards += shown_cards(board)
        turns += 1
    for _ in range(turns):
        kiosk.tap(board.ids.previous_button)
    return cards


# --- a listing's page ------------------------------------------------------------------------------------


def test_the_listing_qr_decodes_to_the_listing_link(kiosk: Kiosk) -> None:
    listing = kiosk.services.listings.search("freins", limit=1)[0]
    page = kiosk.go("listing", listing_id=listing.id)
    frame = kiosk.frame("listing-passer-by-fr-800x480.png")
    assert decoded(frame) == [listing_payload(BASE_URL, listing.id)]
    assert page.ids.qr.fits
    assert listing.title in texts(page)
    assert_nothing_clipped(page)
    # a passer-by is told how to say « ça m'intéresse », and gets no button for it
    assert any(text.startswith("Membre du collectif ?") for text in texts(page))
    assert not any(text == "Ça m’intéresse" for text in texts(page))


def test_a_member_says_ca_m_interesse_and_the_owner_will_see_it(kiosk: Kiosk) -> None:
    ines = kiosk.member_id("Inès")
    listing = a_listing(kiosk.services, ListingKind.OFFER, not_by=ines)
    kiosk.tap_card("Inès")
    assert kiosk.member_in_session() == ines
    page = kiosk.go("listing", listing_id=listing.id)
    kiosk.frame("listing-member-fr-800x480.png")
    assert_nothing_clipped(page)
    writes = kiosk.writes

    kiosk.tap_text("Ça m’intéresse")

    assert kiosk.services.listings.interest_of(listing.id, ines) is not None
    notices = kiosk.services.listings.interests_for(listing.member_id)
    assert [(n.listing_id, n.pseudonym, n.seen) for n in notices if n.member_id == ines] == [
        (listing.id, "Inès", False)
    ]
    assert kiosk.writes == writes + 1  # the sync worker is woken
    said = f"C’est noté ! {listing.pseudonym} le verra à son prochain passage."
    assert said in texts(page) and "Ça m’intéresse" not in texts(page)
    kiosk.frame("listing-interest-sent-fr-800x480.png")
    assert_nothing_clipped(page)

    # coming back to it later: the page remembers instead of asking again
    kiosk.tap(page.ids.back)
    kiosk.go("listing", listing_id=listing.id)
    assert said in texts(kiosk.screen)


def test_no_interest_button_on_ones_own_offer(kiosk: Kiosk) -> None:
    karim = kiosk.member_id("Karim")
    own = kiosk.services.listings.publish(karim, ListingKind.OFFER, "langues.arabe", "Conversation en arabe")
    kiosk.tap_card("Karim")
    page = kiosk.go("listing", listing_id=own.id)
    assert "Ça m’intéresse" not in texts(page)
    assert any(text.startswith("C’est votre annonce") for text in texts(page))
    assert_nothing_clipped(page)


def test_ones_own_request_shows_the_matching_offers_and_back_returns_step_by_step(kiosk: Kiosk) -> None:
    karim = kiosk.member_id("Karim")
    request = kiosk.services.listings.publish(
        karim, ListingKind.REQUEST, "reparation.velo", "Changer la chaîne de mon vélo"
    )
    expected = kiosk.services.listings.matches(request.id, limit=30)
    assert expected
    kiosk.tap_card("Karim")
    board = kiosk.go("board", theme_id="reparation")
    kiosk.tap(board.ids.kind_chips.chip_for("request"))
    kiosk.tap(next(card for card in board.ids.cards.children if card.listing_id == request.id))
    page = kiosk.screen
    assert page.listing.id == request.id
    kiosk.frame("listing-own-request-fr-800x480.png")
    assert_nothing_clipped(page)

    kiosk.tap_text(f"Voir les offres qui correspondent ({len(expected)})")
    assert kiosk.shell.manager.current == "board"
    assert board.status_title == "Les offres pour votre demande"
    shown = _all_result_cards(kiosk, board)
    assert [card.listing_id for card in shown] == [offer.id for offer in expected]
    assert {card.kind for card in shown} == {"offer"}
    kiosk.frame("board-matches-fr-800x480.png")
    assert_nothing_clipped(board)

    kiosk.tap(board.ids.cards.children[-1])  # the best match's page
    assert page.listing.id == expected[0].id
    kiosk.tap(page.ids.back)  # → the matches
    assert kiosk.shell.manager.current == "board" and board.status_title == "Les offres pour votre demande"
    kiosk.tap(board.ids.back)  # → my request
    assert kiosk.shell.manager.current == "listing" and page.listing.id == request.id
    kiosk.tap(page.ids.back)  # → the board as I left it: repair requests
    assert kiosk.shell.manager.current == "board"
    assert board.status_title == "Réparation et bricolage"
    assert {card.kind for card in board.ids.cards.children} == {"request"}


def test_a_passer_by_who_taps_their_card_on_a_listing_stays_on_it(kiosk: Kiosk) -> None:
    nguyen = kiosk.member_id("Nguyen")
    listing = a_listing(kiosk.services, ListingKind.REQUEST, not_by=nguyen)
    page = kiosk.go("listing", listing_id=listing.id)
    assert "Ça m’intéresse" not in texts(page)
    kiosk.tap_card("Nguyen")
    assert kiosk.shell.manager.current == "listing"
    assert kiosk.member_in_session() == nguyen
    kiosk.tap_text("Ça m’intéresse")
    assert kiosk.services.listings.interest_of(listing.id, nguyen) is not None


def test_without_a_web_address_the_qr_carries_the_listing_itself(kivy_window: Any, tmp_path: Path) -> None:
    with open_kiosk(kivy_window, tmp_path, base_url="") as kiosk:
        listing = kiosk.services.listings.search("freins", limit=1)[0]
        kiosk.go("listing", listing_id=listing.id)
        (text,) = decoded(kiosk.frame())
        quartier = kiosk.services.members.get(listing.member_id).quartier
        assert text.splitlines()[:2] == [listing.title, f"{listing.pseudonym}, {quartier}"]


def test_every_board_state_switches_to_english_at_once_and_nothing_is_clipped(kiosk: Kiosk) -> None:
    board = kiosk.go("board")
    kiosk.switch_language("en")
    assert board.status_title == "Choose a theme"
    assert "All" in texts(board) and "Search" in texts(board)
    assert any(text.startswith("[b]Repair and DIY[/b]") for text in texts(board))
    kiosk.frame("board-themes-en-800x480.png")
    assert_nothing_clipped(board)

    kiosk.tap(next(w for w in board.ids.themes.children if w.theme_id == "reparation"))
    assert board.status_title == "Repair and DIY" and "listings" in board.status_detail
    assert any(card.details.startswith("Bicycle") for card in board.ids.cards.children)
    kiosk.frame("board-theme-en-800x480.png")
    assert_nothing_clipped(board)

    kiosk.tap(board.ids.search_button)
    type_on_keyboard(board.ids.search_keyboard, "bicycle")
    # the English theme labels are indexed too: a visitor finds the French listings in English
    bikes = kiosk.services.listings.search("bicycle", limit=500)
    assert bikes
    wait_until(lambda: board.search_count == f"{len(bikes)} listings")
    kiosk.frame("board-search-en-800x480.png")
    assert_nothing_clipped(board)
    kiosk.tap(board.ids.search_go)
    assert board.status_title == "Search: “bicycle”"
    assert {card.listing_id for card in _all_result_cards(kiosk, board)} == {x.id for x in bikes}
    kiosk.frame("board-search-results-en-800x480.png")
    assert_nothing_clipped(board)
    kiosk.tap(board.ids.scope_button)  # « Themes »
    kiosk.tap(next(w for w in board.ids.themes.children if w.theme_id == "reparation"))
    kiosk.tap(board.ids.kind_chips.chip_for("request"))
    kiosk.frame("board-requests-en-800x480.png")
    assert_nothing_clipped(board)

    kiosk.tap(board.ids.cards.children[-1])
    page = kiosk.screen
    assert any(text.startswith(("Offered by", "Requested by")) for text in texts(page))
    assert "Photograph this code with your phone to take the listing away." in texts(page)
    kiosk.frame("listing-passer-by-en-800x480.png")
    assert_nothing_clipped(page)

    kiosk.switch_language("fr")  # and back, on the page shown
    assert any(text.startswith(("Proposé par", "Demandé par")) for text in texts(page))


def test_a_member_s_listing_page_in_english(kiosk: Kiosk) -> None:
    ines = kiosk.member_id("Inès")
    listing = a_listing(kiosk.services, ListingKind.OFFER, not_by=ines)
    kiosk.tap_card("Inès")
    page = kiosk.go("listing", listing_id=listing.id)
    kiosk.switch_language("en")
    kiosk.frame("listing-member-en-800x480.png")
    assert_nothing_clipped(page)
    kiosk.tap_text("I’m interested")
    assert f"Noted! {listing.pseudonym} will see it next time they drop by." in texts(page)
    kiosk.frame("listing-interest-sent-en-800x480.png")
    assert_nothing_clipped(page)


def test_ones_own_request_and_its_matches_in_english(kiosk: Kiosk) -> None:
    karim = kiosk.member_id("Karim")
    request = kiosk.services.listings.publish(
        karim, ListingKind.REQUEST, "reparation.velo", "Changer la chaîne de mon vélo"
    )
    kiosk.tap_card("Karim")
    page = kiosk.go("listing", listing_id=request.id)
    kiosk.switch_language("en")
    assert any(text.startswith("Requested by Karim") for text in texts(page))
    kiosk.frame("listing-own-request-en-800x480.png")
    assert_nothing_clipped(page)
    count = len(kiosk.services.listings.matches(request.id, limit=30))
    kiosk.tap_text(f"See the matching offers ({count})")
    board = kiosk.screen
    assert board.status_title == "Offers for your request"
    assert board.matching_text == "Your request: “Changer la chaîne de mon vélo”"
    kiosk.frame("board-matches-en-800x480.png")
    assert_nothing_clipped(board)


def test_a_withdrawn_listing_says_so_and_takes_no_more_interest(kiosk: Kiosk) -> None:
    ines = kiosk.member_id("Inès")
    listing = a_listing(kiosk.services, ListingKind.OFFER, not_by=ines)
    kiosk.tap_card("Inès")
    page = kiosk.go("listing", listing_id=listing.id)
    button = find(page, text="Ça m’intéresse")
    kiosk.services.listings.withdraw(listing.id, listing.member_id)  # meanwhile, at another kiosk

    kiosk.tap(button)

    assert kiosk.services.listings.interest_of(listing.id, ines) is None
    assert "Cette annonce n’est plus en ligne." in texts(kiosk.shell)  # the calm message, and the page
    kiosk.shell.overlays.dismiss_all()
    wait_frames()
    assert "Cette annonce n’est plus en ligne." in texts(page)
    assert "Ça m’intéresse" not in texts(page)
    assert page.qr_payload == ""  # no link to take away to a listing that is gone
    kiosk.frame("listing-withdrawn-fr-800x480.png")
    assert_nothing_clipped(page)
