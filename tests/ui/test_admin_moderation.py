"""Moderation and cancellation at the librarian's desk, in a real 800×480 window on a real demo store:
a listing found with the on-screen keyboard, hidden with a reason (a chip, then a typed one) — gone from
the Savoirs board's search — then restored and back; an exchange cancelled with a required reason after a
second confirmation. Every choice is a UnitTestTouch on the real widgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.domain import ExchangeStatus, ListingStatus
from tests.ui.admin_helpers import AdminKiosk, admin_kiosk, type_on_keyboard
from tests.ui.driver import bring_into_view, find, tap, texts

TITLE = "Tarte aux pommes de grand-mère"  # Yvette's offer in the demo


def board_shows(kiosk: AdminKiosk, query: str, title: str) -> bool:
    """The Savoirs board, searched as a passer-by would, lists `title`."""
    kiosk.shell.go("board", query=query)
    shown = any(title in text for text in texts(kiosk.screen))
    kiosk.shell.back()
    return shown


def test_hide_a_listing_then_restore_it(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        assert board_shows(kiosk, "tarte pommes", TITLE)
        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_listings")
        kiosk.look("admin_listings-fr")
        tap(screen.ids.search_button)
        type_on_keyboard(screen.ids.search_keyboard, "tarte")
        tap(find(screen.ids.search_keyboard, text="Voir"))
        assert screen.step == "list" and screen.query == "tarte"
        row = next(r for r in screen.ids.rows.children if r.title == TITLE)
        kiosk.look("admin_listings-search-fr")
        tap(row)

        assert screen.step == "detail" and not screen.hidden
        assert screen.ids.action_button.disabled  # a reason first
        reasons = screen.ids.reasons
        tap(reasons.ids.chips.chip_for("Argent ou commerce"))
        assert not screen.ids.action_button.disabled
        kiosk.look("admin_listings-detail-fr")
        # or in their own words
        bring_into_view(reasons.ids.chips.chip_for("__other__"))
        tap(reasons.ids.chips.chip_for("__other__"))
        assert reasons.typing
        kiosk.look("admin_listings-reason-typed-fr")
        type_on_keyboard(reasons.ids.reason_keyboard, "Vente de gateaux")
        tap(reasons.ids.reason_ok)
        assert not reasons.typing and reasons.reason == "Vente de gateaux"
        tap(screen.ids.action_button)

        assert screen.step == "list"
        listing = kiosk.services.listings.get(row.value)
        assert listing.status is ListingStatus.HIDDEN and listing.hidden_reason == "Vente de gateaux"
        hidden_row = next(r for r in screen.ids.rows.children if r.value == listing.id)
        assert hidden_row.badge == "Masquée"
        assert not board_shows(kiosk, "tarte pommes", TITLE)

        assert kiosk.current == "admin_listings"
        kiosk.dismiss_message()
        bring_into_view(hidden_row)
        tap(hidden_row)
        assert screen.hidden and "Vente de gateaux" in screen.ids.detail_reason.text
        kiosk.look("admin_listings-hidden-fr")
        tap(screen.ids.action_button)  # « Remettre en ligne »
        kiosk.dismiss_message()
        assert kiosk.services.listings.get(listing.id).status is ListingStatus.ACTIVE
        assert board_shows(kiosk, "tarte pommes", TITLE)
        types = [row[0] for row in kiosk.services.store.query("SELECT type FROM journal ORDER BY seq")]
        assert types[-2:] == ["listing.hidden", "listing.restored"]


def test_cancel_an_exchange_with_a_reason(kivy_window: Any, tmp_path: Path) -> None:
    from screens.tr import tr

    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_exchanges")
        kiosk.look("admin_exchanges-fr")
        first = next(
            e for e in kiosk.services.exchanges.recent(limit=50) if e.status is not ExchangeStatus.CANCELLED
        )
        row = next(r for r in screen.ids.rows.children if r.value == first.id)
        bring_into_view(row)
        tap(row)
        assert screen.step == "detail" and not screen.cancelled
        assert screen.ids.cancel_button.disabled  # the reason is required
        tap(screen.ids.reasons.ids.chips.chip_for("Saisi par erreur"))
        kiosk.look("admin_exchanges-detail-fr")
        tap(screen.ids.cancel_button)

        assert screen.step == "confirm"
        assert (
            first.title in screen.ids.confirm_text.text and "Saisi par erreur" in screen.ids.confirm_text.text
        )
        kiosk.look("admin_exchanges-confirm-fr")
        tr.switch("en")
        kiosk.look("admin_exchanges-confirm-en")
        tr.switch("fr")
        tap(screen.ids.keep_button)  # second thoughts: nothing happens
        assert screen.step == "detail"
        assert kiosk.services.exchanges.get(first.id).status is not ExchangeStatus.CANCELLED
        tap(screen.ids.cancel_button)
        tap(screen.ids.confirm_button)

        cancelled = kiosk.services.exchanges.get(first.id)
        assert cancelled.status is ExchangeStatus.CANCELLED and cancelled.cancel_reason == "Saisi par erreur"
        assert screen.step == "list" and "annulé" in kiosk.message()
        kiosk.dismiss_message()
        again = next(r for r in screen.ids.rows.children if r.value == first.id)
        assert again.badge == "Annulé"
        bring_into_view(again)
        tap(again)
        assert screen.cancelled and "Saisi par erreur" in screen.ids.detail_reason.text
        assert "Annuler l’échange" not in texts(screen)  # once is enough
        kiosk.look("admin_exchanges-cancelled-fr")


def test_search_the_exchanges_by_pseudonym(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_exchanges")
        tap(screen.ids.search_button)
        type_on_keyboard(screen.ids.search_keyboard, "yvette")
        tap(find(screen.ids.search_keyboard, text="Voir"))
        assert screen.query == "yvette"
        rows = screen.ids.rows.children
        assert rows and all("Yvette" in row.detail for row in rows)
        kiosk.look("admin_exchanges-search-fr")
        tap(screen.ids.show_all)
        assert screen.query == ""
        assert any("Yvette" not in row.detail for row in screen.ids.rows.children)
