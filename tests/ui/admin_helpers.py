"""What the librarian-screen tests share: the kiosk with the admin routes, entering the admin space as a
librarian does (card, then PIN on the pad), and a look at each state (screenshot, nothing clipped).

"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.demo import DEMO_ADMIN_PIN
from tests.ui import driver
from tests.ui.conftest import SCREENSHOTS, render, save_screenshot
from tests.ui.driver import ShellRig, demo_context, shell_rig, tap

LIBRARIAN = "Sandrine"  # the demo's librarian (kiosk/demo_history.py ADMIN), card F1


class AdminKiosk:
    """The shell rig with the librarian routes, and the moves every admin test makes."""

    def __init__(self, rig: ShellRig) -> None:
        self.rig = rig
        self.shell = rig.shell
        self.ctx = self.shell.ctx
        self.services = self.ctx.services
        for pseudonym in (LIBRARIAN, "Élodie"):  # the demo sets them; a PIN here keeps the tests whole
            member_id = self.member_id(pseudonym)
            if not self.services.admin.has_pin(member_id):
                self.services.admin.set_pin(member_id, DEMO_ADMIN_PIN)

    @property
    def screen(self) -> Any:
        return self.shell.manager.current_screen

    @property
    def current(self) -> str:
        return str(self.shell.manager.current)

    def member_id(self, pseudonym: str) -> str:
        return str(next(m.id for m in self.services.members.find(pseudonym) if m.pseudonym == pseudonym))

    def open_pin(self, pseudonym: str = LIBRARIAN) -> Any:
        """A staff member taps their card; member home's « Espace bibliothécaire » opens the PIN pad."""
        self.rig.tap_demo_card(pseudonym)
        assert self.current == "member_home"
        button = self.screen.ids.staff_button
        driver.bring_into_view(button)
        tap(button)
        assert self.current == "admin_pin"
        return self.screen

    def type_pin(self, pin: str) -> None:
        screen = self.screen
        for digit in pin:
            tap(self.pad_key(screen, digit), frames=1)
        tap(screen.ids.ok_key)

    @staticmethod
    def pad_key(screen: Any, value: str) -> Any:
        return next(key for key in screen.ids.pad.children if key.value == value)

    def enter_admin(self, pseudonym: str = LIBRARIAN) -> Any:
        self.open_pin(pseudonym)
        self.type_pin(DEMO_ADMIN_PIN)
        assert self.current == "admin_home", driver.texts(self.shell)
        assert self.shell.session.admin
        return self.screen

    def open_tile(self, route: str) -> Any:
        """From the admin home, the tile of `route`."""
        assert self.current == "admin_home"
        tap(self.screen.tile_for(route))
        assert self.current == route
        return self.screen

    def look(self, name: str) -> None:
        """A screenshot in build/screenshots/tests/ for a person to look at; nothing clipped or crowded."""
        from screens.widgets.fit import clipped_labels, describe

        frame = render(self.shell.get_root_window())
        (SCREENSHOTS / "tests").mkdir(parents=True, exist_ok=True)
        save_screenshot(frame, f"tests/{name}-800x480.png")
        clipped = clipped_labels(self.shell)
        assert clipped == [], f"{name}:\n{describe(clipped)}"
        crowd = driver.crowded(self.shell)
        assert crowd == [], f"{name}:\n{driver.describe_crowded(crowd)}"

    def dismiss_message(self) -> None:
        """A touch on the calm message takes it away, as a person does before going on."""
        overlay = self.shell.overlays.message
        if overlay is not None:
            tap(overlay)

    def message(self) -> str:
        overlay = self.shell.overlays.message
        return "" if overlay is None else str(overlay.text)


def type_on_keyboard(keyboard: Any, text: str) -> None:
    """Key by key on the on-screen keyboard: its page for each character, shift for a capital."""
    from screens.widgets.keyboard import page_rows

    for char in text:
        if char == " ":
            tap(_key(keyboard, "space"), frames=1)
            continue
        lower = char.lower()
        page = next(
            page
            for page in (keyboard.page, "letters", "accents", "digits")
            if any(spec.value == lower for row in page_rows(keyboard.layout, page) for spec in row)
        )
        if page != keyboard.page:
            tap(_key(keyboard, "page", page), frames=1)
        if char != lower:
            tap(_key(keyboard, "shift"), frames=1)
        tap(_key(keyboard, "char", lower), frames=1)


def _key(keyboard: Any, action: str, value: str = "") -> Any:
    for candidate in keyboard.visible_keys():
        if candidate.spec.action == action and (not value or candidate.spec.value == value):
            return candidate
    raise AssertionError(f"no {action} {value!r} key on the {keyboard.page} page")


@contextmanager
def admin_kiosk(window: Any, tmp_path: Path, **kiosk_changes: Any) -> Iterator[AdminKiosk]:
    with demo_context(tmp_path, **kiosk_changes) as ctx, shell_rig(window, ctx) as rig:
        yield AdminKiosk(rig)
