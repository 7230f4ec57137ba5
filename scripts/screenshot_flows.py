"""The flows' scenes for `make screenshots`: the record wizard and its receipt, the Savoirs board, a
listing's page, « Je propose / Je cherche », the sign-up and the member pass — every state of each.

The moves and the `Stage` they act on are in scripts/screenshot_scenes.py (read its docstring first). The
touches are the ones tests/ui/test_record.py, test_board.py, test_listing_new.py and test_signup.py make.
"""

from __future__ import annotations

from screenshot_scenes import (
    Move,
    Stage,
    Walk,
    card,
    chip,
    go,
    key,
    open_listing,
    scene,
    steps,
    tap,
    tap_text,
    theme_button,
    type_on,
    walk,
    with_printer,
)

# --- the record wizard and its receipt ------------------------------------------------------------------

# Karim learned bike repair from Inès (absent, found by name), a passer-by and Yvette (her card tapped).
RECORD_WALK: list[tuple[str, Move]] = [
    ("record", steps(card("Karim"), go("record"))),
    ("record-listing", tap("learned")),
    ("record-theme", tap("other_theme")),
    ("record-subtheme", chip("themes", "reparation")),
    ("record-title", chip("subthemes", "reparation.velo")),
    ("record-partners-empty", tap("next_button")),
    ("record-search", steps(tap("absent"), type_on("keyboard", "in"))),
    ("record-guest", steps(tap_text("results", "Inès"), tap("guest"), type_on("keyboard", "Paulette"))),
    ("record-partners", steps(tap("add_button"), card("Yvette"))),
    ("record-duration", tap("continue_button", "plus")),
    ("record-summary", tap("next_button")),
    ("record-cancel", tap("cancel_button")),
    ("receipt-pending", steps(tap("keep"), with_printer, tap("save_button"))),
]


# Inès taught Karim English, his card tapped at the partners step: confirmed by both at once.
_confirmed_receipt = steps(
    card("Inès"),
    go("record"),
    tap("taught"),
    tap_text("listings", "Anglais pour voyager"),
    card("Karim"),
    tap("quick_2"),  # « 1 h »
    with_printer,
    tap("save_button"),
)


# --- the Savoirs board and a listing's page -------------------------------------------------------------

KARIM_REQUEST = "Apprendre à envoyer des photos à mes petits-enfants"  # his demo request: 10 offers match


def _board_theme(theme_id: str) -> Move:
    def play(stage: Stage) -> None:
        stage.tap(next(b for b in stage.widget("themes").children if b.theme_id == theme_id))

    return play


def _search(typed: str) -> Move:
    def play(stage: Stage) -> None:
        from screens.board import SEARCH_COUNT_DELAY

        stage.tap(stage.widget("search_button"))
        stage.type(stage.widget("search_keyboard"), typed)
        stage.wait(SEARCH_COUNT_DELAY * 2)  # the count follows once the finger pauses

    return play


def _first_action(stage: Stage) -> None:
    """The listing page's action button (« Ça m'intéresse », « Voir les offres… »)."""
    stage.tap(stage.widget("actions").children[0])


def _interest(stage: Stage) -> None:
    """« Ça m'intéresse »; the second language finds it said already (same store), as the page shows."""
    if stage.shell.current.action == "ask":
        _first_action(stage)


def _withdrawn(stage: Stage) -> None:
    """Nguyen withdrew this offer at another kiosk; a passer-by opens it."""
    from kiosk.domain import ListingStatus

    listing_id = stage.listing_id("Nguyen", "Initiation au wolof")
    listings = stage.ctx.services.listings
    if listings.get(listing_id).status is ListingStatus.ACTIVE:  # the English run finds it withdrawn
        listings.withdraw(listing_id, stage.member_id("Nguyen"))
    go("listing", listing_id=listing_id)(stage)


BOARD_WALK: list[tuple[str, Move]] = [
    ("board", go("board")),
    ("board-theme", _board_theme("reparation")),
    ("board-requests", chip("kind_chips", "request")),
    ("board-offers", chip("kind_chips", "offer")),
]
SEARCH_WALK: list[tuple[str, Move]] = [
    ("board-search", steps(go("board"), _search("velo"))),
    ("board-search-results", tap("search_go")),
]
LISTING_WALK: list[tuple[str, Move]] = [
    ("listing-member", steps(card("Inès"), open_listing("Yvette", "Tarte aux pommes de grand-mère"))),
    ("listing-interest-sent", _interest),
]

# --- « Je propose / Je cherche un savoir » ---------------------------------------------------------------

_typed_title = type_on("title_keyboard", "Faire son kombucha")
LISTING_NEW_WALK: list[tuple[str, Move]] = [
    ("listing_new", steps(card("Karim"), go("listing_new", kind="offer"))),
    ("listing_new-subtheme", theme_button("theme_grid", "cuisine")),
    ("listing_new-title", steps(theme_button("sub_theme_grid", "cuisine.conserves"), _typed_title)),
    (
        "listing_new-description",
        steps(tap("title_next"), type_on("description_keyboard", "Apportez un bocal")),
    ),
    ("listing_new-format", key("description_keyboard", "enter")),
    ("listing_new-summary", tap("format_workshop")),
    ("listing_new-network", tap("network_choice")),  # issue 9: « Visible dans le réseau »
    ("listing_new-published", tap("publish")),
]

# --- a listing shared by another collective of the network (issue 9) -------------------------------------

SHARED_LISTING = "7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f"
_HUB_KIOSK = "0f9e8d7c-6b5a-4948-8776-655443322110"


def _shared_by_network(stage: Stage) -> None:
    """Nour's offer, shared by the Goutte d’Or's collective: the hub's event, applied as a pull applies it
    (once: the English run finds it known)."""
    from sync_client.engine import apply_remote
    from sync_client.protocol import Envelope

    payload = {
        "listing_id": SHARED_LISTING,
        "member_id": "3a4b5c6d-7e8f-4a0b-8c2d-3e4f5a6b7c8d",
        "kind": "offer",
        "theme_id": "reparation.velo",
        "title": "Entretenir un tandem",
        "description": "Au local de l’association, le mercredi.",
        "format": "individual",
        "pseudonym": "Nour",
        "quartier": "Goutte d’Or",
        "home_collective_id": "savoirs-de-la-goutte-d-or",
        "home_collective_name": "Savoirs de la Goutte d’Or",
    }
    envelope = Envelope.model_validate(
        {
            "id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
            "type": "network.listing_shared",
            "schema": 1,
            "kiosk_id": _HUB_KIOSK,
            "seq": 1,
            "occurred_at": "2026-03-14T10:00:00.000+00:00",
            "hlc": f"1773482400000-00000-{_HUB_KIOSK}",
            "clock_synced": True,
            "payload": payload,
        }
    )
    with stage.ctx.services.store.transaction() as conn:
        apply_remote(conn, envelope, "2026-03-14T10:00:00+00:00")


# --- a visitor from another collective of the network, welcomed at a card tap (issue 9) ------------------


def _visitor_welcomed(stage: Stage) -> None:
    """Nour, of the Goutte d’Or's collective, taps her card here: the hub's answer as screens/visitor.py
    receives it, then her welcome (journaled once: the English run finds her known)."""
    visitor = stage.ctx.services.network.welcome(
        {
            "member_id": "3a4b5c6d-7e8f-4a0b-8c2d-3e4f5a6b7c8d",
            "pseudonym": "Nour",
            "quartier": "Goutte d’Or",
            "home_collective_id": "savoirs-de-la-goutte-d-or",
            "home_collective_name": "Savoirs de la Goutte d’Or",
        }
    )
    assert visitor is not None
    stage.shell.open_member(visitor)
    stage.frames()


# --- sign-up and the member pass -------------------------------------------------------------------------


def _pseudonym_completed(stage: Stage) -> None:
    """« Léa » is taken: « Léa B » in French, « Léa K » in English (the French run registered Léa B)."""
    from screens.tr import tr

    stage.type(stage.widget("keyboard"), " B" if tr.language == "fr" else " K")


def _first_quartier(stage: Stage) -> None:
    from kiosk.quartiers import load_quartiers

    chip("chips", load_quartiers(stage.ctx.config)[0])(stage)


def _member_pass(stage: Stage) -> None:
    """A member who lost their pass gets a fresh one."""
    stage.shell.go("member_pass", member_id=stage.member_id("Inès"))
    stage.frames()


SIGNUP_WALK: list[tuple[str, Move]] = [
    ("signup", tap("numbers", "signup_button")),  # a passer-by wakes Accueil, then « S'inscrire »
    ("signup-pseudonym", tap("start_button")),
    ("signup-pseudonym-taken", steps(type_on("keyboard", "Léa"), key("keyboard", "enter"))),
    ("signup-quartier", steps(_pseudonym_completed, key("keyboard", "enter"))),
    ("signup-languages", steps(_first_quartier, tap("next_button"))),
    ("signup-consent", steps(chip("chips", "ar"), tap("next_button"))),
    ("signup-contact", tap("yes_button")),
    ("signup-contact-invalid", steps(type_on("keyboard", "06 12"), key("keyboard", "enter"))),
    ("signup-summary", steps(type_on("keyboard", " 34 56 78"), key("keyboard", "enter"))),
    ("member_pass", tap("register_button")),  # a kiosk without a printer
]


FLOW_SCENES: list[Walk] = [
    walk("record", RECORD_WALK),
    scene("receipt", _confirmed_receipt, "receipt"),
    walk("board", BOARD_WALK),
    walk("board", SEARCH_WALK),
    scene("board-nothing", steps(go("board"), _search("xylophone"), tap("search_go")), "board"),
    scene(
        "board-matches", steps(card("Karim"), open_listing("Karim", KARIM_REQUEST), _first_action), "board"
    ),
    scene("listing", open_listing("Élodie", "Prise en main du smartphone Android"), "listing"),
    walk("listing", LISTING_WALK),
    scene("listing-own-offer", steps(card("Inès"), open_listing("Inès", "Anglais pour voyager")), "listing"),
    scene("listing-own-request", steps(card("Karim"), open_listing("Karim", KARIM_REQUEST)), "listing"),
    walk("listing_new", LISTING_NEW_WALK),
    scene("listing_new-request", steps(card("Yvette"), go("listing_new", kind="request"))),
    walk("signup", SIGNUP_WALK),
    scene("member_pass-printer", steps(with_printer, _member_pass), "member_pass"),
    scene(
        "board-network", steps(_shared_by_network, go("board"), _search("tandem"), tap("search_go")), "board"
    ),
    scene("listing-network", steps(_shared_by_network, go("listing", listing_id=SHARED_LISTING)), "listing"),
    scene("member_home-visitor", _visitor_welcomed, "member_home"),
    # last: it takes a listing off the board the scenes above show
    scene("listing-withdrawn", _withdrawn, "listing"),
]
