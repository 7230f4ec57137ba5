"""Erasing a member on request (GDPR), in a real 800×480 window on a real demo store: found by typing on
the on-screen keyboard, the preview saying what goes and what stays as anonymised counts, two
confirmations (the second one red, « Effacer définitivement »), then their card refused and their name
gone from the search — their exchanges still counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.domain import Identified
from tests.ui.admin_helpers import admin_kiosk, type_on_keyboard
from tests.ui.driver import demo_uid, tap


def test_erase_a_member_after_two_confirmations(kivy_window: Any, tmp_path: Path) -> None:
    from screens import style
    from screens.tr import tr

    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        services = kiosk.services
        inès = kiosk.member_id("Inès")
        preview = services.members.erasure_preview(inès)
        assert preview.exchanges > 0 and preview.cards == 1
        exchanges_before = services.stats.overview().exchanges_this_month

        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_erase")
        picker = screen.ids.picker
        type_on_keyboard(picker.ids.keyboard, "in")
        kiosk.look("admin_erase-fr")
        tap(next(button for button in picker.results() if button.member.pseudonym == "Inès"))

        assert screen.step == "preview"
        removed, kept = screen.ids.removed_text.text, screen.ids.kept_text.text
        assert (
            "contact" in removed and f"annonces ({preview.listings})" in removed and "cartes (1)" in removed
        )
        assert f"Ses échanges ({preview.exchanges}," in kept and "sans son nom" in kept
        kiosk.look("admin_erase-preview-fr")
        tr.switch("en")
        kiosk.look("admin_erase-preview-en")
        tr.switch("fr")
        tap(screen.ids.erase_first)

        assert screen.step == "confirm"
        red = screen.ids.erase_button
        assert red.text == "Effacer définitivement" and red.kind == "danger"
        assert list(red.face_rgba) == list(style.colour("danger"))
        kiosk.look("admin_erase-confirm-fr")
        tap(screen.ids.keep_button)  # not yet: nothing erased
        assert screen.step == "preview" and not services.members.get(inès).is_erased
        tap(screen.ids.erase_first)
        tap(screen.ids.erase_button)

        assert screen.step == "done"
        kiosk.look("admin_erase-done-fr")
        assert services.members.get(inès).is_erased
        assert all(member.id != inès for member in services.members.find("in"))
        card = services.cards.identify(services.cards.read(demo_uid("Inès")))
        assert card.outcome is Identified.REVOKED
        assert services.stats.overview().exchanges_this_month == exchanges_before  # counts stay

        tap(screen.ids.done_button)
        assert kiosk.current == "admin_home"
        # the librarian cannot erase themself from their own session
        screen = kiosk.open_tile("admin_erase")
        type_on_keyboard(screen.ids.picker.ids.keyboard, "sand")
        tap(next(b for b in screen.ids.picker.results() if b.member.pseudonym == "Sandrine"))
        assert screen.step == "search" and "propre compte" in kiosk.message()
