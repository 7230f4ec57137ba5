"""The librarian's way in, in a real 800×480 window on a real demo store: their card, then their PIN on the
big pad (UnitTestTouch on the keys); wrong PINs, the kiosk-wide lock-out with its visible countdown, and
the pad coming back by itself when the lock ends; the admin home's tiles; who may not come in.

The lock lasts 5 minutes (kiosk.services.admin.ADMIN_LOCK_SECONDS): the tests move the demo store's
FixedClock on (the screen and the service read the same clock), while Kivy's own clock ticks in real time,
so the screen's once-a-second update is what shows the new time left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.demo import DEMO_ADMIN_PIN
from tests.ui.admin_helpers import admin_kiosk
from tests.ui.driver import is_shown, tap, texts, wait_until

WRONG_PIN = "1357"


def test_a_librarian_enters_with_card_and_pin_and_ends_the_session(kivy_window: Any, tmp_path: Path) -> None:
    from screens.admin_home import TILES
    from screens.tr import tr

    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        screen = kiosk.open_pin()
        assert not kiosk.shell.session.admin
        kiosk.look("admin_pin-fr")
        for digit in "98":
            tap(kiosk.pad_key(screen, digit), frames=1)
        assert screen.typed_count == 2
        assert screen.ids.ok_key.disabled  # four digits at least
        tap(screen.ids.erase_key)
        tap(screen.ids.erase_key)
        assert screen.typed_count == 0
        # the digits never appear on screen: only dots
        kiosk.type_pin(DEMO_ADMIN_PIN[:3])
        assert screen.typed_count == 3
        assert not any(DEMO_ADMIN_PIN[:3] in text for text in texts(kiosk.shell))
        tap(screen.ids.erase_key)
        tap(screen.ids.erase_key)
        tap(screen.ids.erase_key)

        kiosk.type_pin(DEMO_ADMIN_PIN)
        assert kiosk.current == "admin_home"
        home = kiosk.screen
        assert kiosk.shell.session.admin
        assert [tile.route for tile in home.tiles()] == [route for route, _icon, _label in TILES]
        for tile in home.tiles():
            assert tile.width >= 64 and tile.height >= 64, tile.text
        kiosk.look("admin_home-fr")
        tr.switch("en")
        kiosk.look("admin_home-en")
        assert home.tile_for("admin_enrol").text == "Enrol a card"
        tr.switch("fr")

        tap(home.ids.finish_button)
        assert kiosk.current == "accueil"
        assert not kiosk.shell.session.admin and not kiosk.shell.session.active


def test_wrong_pins_lock_the_admin_space_with_a_visible_countdown_then_the_pad_comes_back(
    kivy_window: Any, tmp_path: Path
) -> None:
    from screens.tr import tr

    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        clock = kiosk.ctx.clock
        screen = kiosk.open_pin()
        for left in (4, 3, 2):
            kiosk.type_pin(WRONG_PIN)
            assert kiosk.current == "admin_pin"
            assert f"Il reste {left} essais" in screen.ids.message.text
        kiosk.type_pin(WRONG_PIN)
        assert "il reste un seul essai" in screen.ids.message.text
        kiosk.look("admin_pin-wrong-fr")
        kiosk.type_pin(WRONG_PIN)  # the fifth: locked

        assert screen.mode == "locked"
        assert is_shown(screen.ids.lock_panel) and not is_shown(screen.ids.pad)
        assert "verrouillé" in screen.ids.lock_text.text
        assert "5 min 00 s" in screen.ids.lock_text.text
        kiosk.look("admin_pin-locked-fr")
        tr.switch("en")
        kiosk.look("admin_pin-locked-en")
        assert "Try again in 5 min 00 s" in screen.ids.lock_text.text
        tr.switch("fr")

        # a finger on where the keys were types nothing while locked
        tap(screen.ids.lock_panel)
        assert screen.typed_count == 0

        clock.advance(seconds=61)
        wait_until(lambda: "3 min 59 s" in screen.ids.lock_text.text, timeout=5)
        # the lock is the kiosk's: another staff member is locked out too
        assert kiosk.services.admin.check_pin(kiosk.member_id("Élodie"), DEMO_ADMIN_PIN).ok is False

        clock.advance(seconds=240)
        wait_until(lambda: screen.mode == "pad", timeout=5)  # by itself, no touch
        assert is_shown(screen.ids.pad) and not is_shown(screen.ids.lock_panel)
        assert "réessayer" in screen.ids.message.text
        kiosk.type_pin(DEMO_ADMIN_PIN)
        assert kiosk.current == "admin_home" and kiosk.shell.session.admin


def test_the_lock_shows_at_once_to_the_next_staff_member(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        sandrine = kiosk.member_id("Sandrine")
        for _ in range(5):
            kiosk.services.admin.check_pin(sandrine, WRONG_PIN)
        screen = kiosk.open_pin("Élodie")
        assert screen.mode == "locked" and "5 min 00 s" in screen.ids.lock_text.text


def test_who_may_not_come_in(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        # a member who is not staff: no « Espace bibliothécaire » on their home (not even hidden: out of the
        # tree, so it takes no touch); and the route itself sends them back home, calmly
        kiosk.rig.tap_demo_card("Karim")
        home = kiosk.screen
        assert home.ids.staff_button.parent is None
        assert "Espace bibliothécaire" not in texts(kiosk.shell)
        kiosk.shell.go("admin_pin")
        wait_until(lambda: kiosk.current == "member_home")
        assert "réservé aux bibliothécaires" in kiosk.message()
        # nor may anyone open an admin screen without the PIN
        for route in ("admin_home", "admin_enrol", "admin_erase"):
            kiosk.shell.go(route)
            wait_until(lambda: kiosk.current in ("member_home", "accueil"))
            assert kiosk.current == "member_home", (route, kiosk.message())
        assert not kiosk.shell.session.admin

        # a staff member without a PIN yet: told whom to ask, no pad
        fatoumata = kiosk.member_id("Fatoumata")
        assert not kiosk.services.admin.has_pin(fatoumata)
        screen = kiosk.open_pin("Fatoumata")
        assert screen.mode == "no_pin"
        assert not is_shown(screen.ids.pad) and is_shown(screen.ids.no_pin)
        assert "pas encore de code" in screen.ids.no_pin.text
        kiosk.look("admin_pin-no-pin-fr")


def test_another_card_ends_the_admin_rights(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        kiosk.enter_admin()
        kiosk.rig.tap_demo_card("Karim")
        assert kiosk.current == "member_home"
        assert kiosk.shell.session.member is not None and kiosk.shell.session.member.pseudonym == "Karim"
        assert not kiosk.shell.session.admin
        kiosk.shell.go("admin_home")
        wait_until(lambda: kiosk.current == "member_home")


def test_the_demo_help_shows_the_admin_card_and_pin(kivy_window: Any, tmp_path: Path) -> None:
    from kiosk.demo import DEMO_CARDS
    from screens import overlays

    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        saved = overlays.DEMO_CARD_NAMES
        overlays.DEMO_CARD_NAMES = tuple(card.pseudonym for card in DEMO_CARDS)  # as kiosk/app.py does
        try:
            kiosk.shell.overlays.toggle_help()
            lines = kiosk.shell.overlays.help.ids.lines.text
            assert "Espace bibliothécaire" in lines and "F1 (Sandrine)" in lines and DEMO_ADMIN_PIN in lines
            kiosk.look("demo-help-admin-fr")
            kiosk.shell.overlays.toggle_help()
        finally:
            overlays.DEMO_CARD_NAMES = saved


def test_an_admin_session_ends_on_inactivity_like_any_other(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path, inactivity_seconds=1) as kiosk:
        shell = kiosk.shell
        shell.countdown_seconds = 1
        kiosk.enter_admin()
        kiosk.shell.go("admin_enrol")
        assert kiosk.current == "admin_enrol" and shell.session.admin
        # nobody touches anything: the countdown comes, runs out, and the kiosk is back at rest
        wait_until(lambda: kiosk.current == "accueil", timeout=10)
        assert not shell.session.admin and not shell.session.active
        shell.go("admin_home")  # nor does the admin home open again without card and PIN
        wait_until(lambda: kiosk.current == "accueil")
        assert not shell.session.admin
