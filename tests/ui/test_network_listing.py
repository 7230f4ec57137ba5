"""Sharing between collectives (issue 9) in a real 800×480 Kivy window (Xvfb), on a real demo store.

The member turns « Visible dans le réseau » on by touching it on the listing's summary, in French and in
English, and the listing is published so; a listing shared by another collective (a `network.listing_shared`
event from the hub, applied as a pull applies it) shows on the board with its quartier and its collective.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.journal import Event
from sync_client.engine import apply_remote
from sync_client.protocol import Envelope
from tests.ui.driver import texts, wait_until
from tests.ui.test_board import Kiosk, assert_nothing_clipped, open_kiosk, type_on_keyboard


@pytest.fixture
def kiosk(kivy_window: Any, tmp_path: Path) -> Iterator[Kiosk]:
    with open_kiosk(kivy_window, tmp_path) as opened:
        yield opened


def to_summary(kiosk: Kiosk, title: str) -> Any:
    kiosk.tap_card("Karim")
    screen = kiosk.go("listing_new", kind="offer")
    kiosk.tap(screen.ids.theme_grid.button_for("cuisine"))
    kiosk.tap(screen.ids.sub_theme_grid.button_for("cuisine"))
    type_on_keyboard(screen.ids.title_keyboard, title)
    kiosk.tap(screen.ids.title_next)
    kiosk.tap(screen.ids.description_next)
    kiosk.tap(screen.ids.format_individual)
    assert screen.step == "summary"
    return screen


def test_the_member_chooses_to_share_a_listing_with_the_network(kiosk: Kiosk) -> None:
    karim = kiosk.member_id("Karim")
    screen = to_summary(kiosk, "Soupe au potiron")
    choice = screen.ids.network_choice
    assert "Visible dans le réseau" in texts(screen) and "Sinon, seul votre collectif la voit." in texts(
        screen
    )
    assert choice.height >= 64 and choice.width >= 64  # a big touch target
    assert not screen.network_visible and choice.icon == "circle"
    kiosk.tap(choice)
    assert screen.network_visible and choice.icon == "check"
    assert "Les autres collectifs du réseau la verront, avec votre pseudonyme et votre quartier." in texts(
        screen
    )
    kiosk.frame("listing_new-network-fr-800x480.png")
    assert_nothing_clipped(screen)

    kiosk.shell.switch_language("en")
    assert "Visible in the network" in texts(screen)
    assert "The network’s other collectives will see it, with your pseudonym and neighbourhood." in texts(
        screen
    )
    kiosk.frame("listing_new-network-en-800x480.png")
    assert_nothing_clipped(screen)
    kiosk.tap(choice)  # changed mind: off again, and on again
    assert not screen.network_visible and "Otherwise, only your collective sees it." in texts(screen)
    kiosk.tap(choice)
    kiosk.shell.switch_language("fr")

    kiosk.tap(screen.ids.publish)
    (published,) = [x for x in kiosk.services.listings.of_member(karim) if x.title == "Soupe au potiron"]
    assert published.network_visible

    # the next listing starts unshared: the choice is made each time
    screen = to_summary(kiosk, "Pain perdu")
    assert not screen.network_visible
    kiosk.tap(screen.ids.publish)
    (second,) = [x for x in kiosk.services.listings.of_member(karim) if x.title == "Pain perdu"]
    assert not second.network_visible


def shared_from_elsewhere(kiosk: Kiosk) -> str:
    """A listing of another collective, as the hub sends it (hub/network.py) and a pull applies it."""
    listing_id, hub_kiosk = str(uuid.uuid4()), str(uuid.uuid4())
    event = Event(
        str(uuid.uuid4()),
        "network.listing_shared",
        1,
        hub_kiosk,
        1,
        "2026-03-14T10:00:00.000+00:00",
        f"1773482400000-00000-{hub_kiosk}",
        True,
        {
            "listing_id": listing_id,
            "member_id": str(uuid.uuid4()),
            "kind": "offer",
            "theme_id": "reparation.velo",
            "title": "Entretenir un tandem",
            "description": "Au local de l’association, le mercredi.",
            "format": "individual",
            "pseudonym": "Nour",
            "quartier": "Goutte d’Or",
            "home_collective_id": "savoirs-de-la-goutte-d-or",
            "home_collective_name": "Savoirs de la Goutte d’Or",
        },
    )
    envelope = Envelope.model_validate({**event.envelope()})
    with kiosk.services.store.transaction() as conn:
        assert apply_remote(conn, envelope, "2026-03-14T10:00:00+00:00") == "applied"
    return listing_id


def test_a_listing_shared_by_another_collective_is_on_the_board(kiosk: Kiosk) -> None:
    listing_id = shared_from_elsewhere(kiosk)
    board = kiosk.go("board")
    kiosk.tap(board.ids.search_button)
    type_on_keyboard(board.ids.search_keyboard, "tandem")
    wait_until(lambda: board.search_count == "1 annonce")
    kiosk.tap(board.ids.search_go)
    (card,) = board.ids.cards.children
    assert card.listing_id == listing_id
    assert card.details == "Vélo · Nour, Goutte d’Or · Réseau : Savoirs de la Goutte d’Or"
    kiosk.frame("board-network-fr-800x480.png")
    assert_nothing_clipped(board)
    kiosk.tap(card)
    page = kiosk.screen
    assert page.listing.id == listing_id
    assert "Proposé par Nour, Goutte d’Or · Réseau : Savoirs de la Goutte d’Or" in texts(page)
    kiosk.frame("listing-network-fr-800x480.png")
