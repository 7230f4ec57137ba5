"""Driving the record wizard and the receipt in the real 800×480 window, on top of tests/ui/driver.py.

`record_kiosk` is the real shell with the app's device path (SimulatedReader → EventPump), on a fresh
demo collective whose demo cards are known, with the simulated printer. Touches go through `Kiosk.touch`,
which counts them (the 5-touch rule). The routes of the record wizard and the receipt are added for the
test (screens/routes.py is the lead's); Accueil is a blank stand-in (not needed here), and so is member
home until its module can be imported.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hardware.receipts import Slip
from hardware.simulated import SimulatedPrinter
from kiosk.demo import DEMO_CARDS
from kiosk.domain import Member
from kiosk.services import Services
from tests.ui import driver
from tests.ui.conftest import save_screenshot

RECORD_ROUTES = {"record": "screens.record:RecordScreen", "receipt": "screens.receipt:ReceiptScreen"}


@dataclass
class Kiosk:
    """The shell in the window, its store, and what the test did to it."""

    window: Any
    rig: driver.ShellRig
    services: Services
    printer: SimulatedPrinter
    slips: list[Slip] = field(default_factory=list)
    touches: int = 0
    after_writes: int = 0

    @property
    def shell(self) -> Any:
        return self.rig.shell

    # --- people ------------------------------------------------------------------------------------------

    def member(self, pseudonym: str) -> Member:
        card = next(card for card in DEMO_CARDS if card.pseudonym == pseudonym)
        found = self.services.cards.identify(self.services.cards.read(card.uid)).member
        assert found is not None
        return found

    def tap_card(self, pseudonym: str) -> None:
        """A demo card on the simulated reader (not a touch)."""
        self.rig.tap_demo_card(pseudonym)

    # --- the screen --------------------------------------------------------------------------------------

    @property
    def screen(self) -> Any:
        return self.shell.manager.current_screen

    @property
    def wizard(self) -> Any:
        return self.shell.manager.get_screen("record")

    def step(self) -> Any:
        """The record wizard's step on show."""
        return self.wizard.ids.steps.current_screen

    def touch(self, widget: Any) -> None:
        """A finger on the widget, where it is on screen now (tests/ui/driver.py), counted."""
        assert not widget.disabled, f"{getattr(widget, 'text', widget)!r} is disabled"
        driver.tap(widget)
        self.touches += 1

    def button(self, text: str) -> Any:
        """The one button (or chip) on show with exactly this text."""
        from kivy.uix.button import Button

        found = driver.find_all(self.shell, text=text, cls=Button)
        assert len(found) == 1, f"{len(found)} buttons {text!r}; on screen: {driver.texts(self.screen)}"
        return found[0]

    def touch_text(self, text: str) -> None:
        self.touch(self.button(text))

    def message(self) -> str:
        """The calm message over the screen, if one is shown."""
        overlay = self.shell.overlays.message
        return str(overlay.text) if overlay is not None else ""

    def dismiss_message(self) -> None:
        self.shell.overlays.hide_message()
        driver.wait_frames(1)

    def type_text(self, keyboard: Any, text: str) -> None:
        """Type key by key on the on-screen keyboard (shift for capitals, the accents page for accents)."""
        for char in text:
            if char == " ":
                self.touch(self.key(keyboard, "space"))
                continue
            page = "accents" if char.lower() in "éèêëàâçùûôîïœ" else "letters"
            if keyboard.page != page:
                self.touch(self.key(keyboard, "page", page))
            if char.isupper():
                self.touch(self.key(keyboard, "shift"))
            self.touch(self.key(keyboard, "char", char.lower()))

    @staticmethod
    def key(keyboard: Any, action: str, value: str = "") -> Any:
        for candidate in keyboard.visible_keys():
            if candidate.spec.action == action and (not value or candidate.spec.value == value):
                return candidate
        raise AssertionError(f"no {action} {value!r} key on the {keyboard.page} page")

    def frame(self) -> Any:
        from tests.ui.conftest import render

        return render(self.window)


class _StandIn:
    """Holds the blank screen class that stands in for routes whose module cannot be imported yet."""

    screen_class: Any = None


def stand_in_routes() -> dict[str, str]:
    from screens.base import KioskScreen

    if _StandIn.screen_class is None:
        _StandIn.screen_class = type("StandInScreen", (KioskScreen,), {})
        sys.modules[__name__].StandInScreen = _StandIn.screen_class  # type: ignore[attr-defined]
    # Accueil is never needed by these tests: a blank screen keeps them independent of it.
    routes = {"accueil": f"{__name__}:StandInScreen"}
    try:
        importlib.import_module("screens.member_home")
    except Exception:  # not written yet, or half-written by its helper right now
        routes["member_home"] = f"{__name__}:StandInScreen"
    return routes


@pytest.fixture
def record_kiosk(kivy_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kiosk]:
    """The real shell, 800×480, French, on a fresh demo collective with the simulated printer."""
    from screens import routes

    for route, target in {**RECORD_ROUTES, **stand_in_routes()}.items():
        monkeypatch.setitem(routes.ROUTES, route, target)
    printer = SimulatedPrinter(tmp_path / "printed")
    holder: list[Kiosk] = []

    def print_slip(slip: Slip) -> str:
        holder[0].slips.append(slip)
        printer.print_slip(slip)
        return f"job-{len(holder[0].slips)}"

    def after_write() -> None:
        holder[0].after_writes += 1

    with driver.demo_context(tmp_path, print_slip=print_slip) as ctx:
        ctx.after_write = after_write
        with driver.shell_rig(kivy_window, ctx) as rig:
            holder.append(Kiosk(kivy_window, rig, ctx.services, printer))
            yield holder[0]


def start_wizard(kiosk: Kiosk, pseudonym: str) -> None:
    """The member taps their card (their home opens), then the wizard opens as member home's button does."""
    kiosk.tap_card(pseudonym)
    member = kiosk.shell.session.member
    assert member is not None and member.pseudonym == pseudonym
    kiosk.shell.go("record")
    driver.wait_frames(2)
    assert kiosk.screen.name == "record"


def check_and_keep(kiosk: Kiosk, name: str, language: str) -> None:
    """No label overflows its box at 800×480, every button is ≥ 64 px both ways; keep a screenshot."""
    from kivy.uix.button import Button

    from screens import style
    from screens.widgets.fit import clipped_labels, describe

    frame = kiosk.frame()
    save_screenshot(frame, f"{name}-{language}-800x480.png")
    clipped = clipped_labels(kiosk.screen)
    assert not clipped, f"{name} ({language}):\n{describe(clipped)}"
    small = [
        f"{button.text!r} {button.width:.0f}×{button.height:.0f}"
        for button in driver.find_all(kiosk.screen, cls=Button)
        if min(button.width, button.height) < style.TOUCH_MIN - 0.5
    ]
    assert not small, f"{name} ({language}): buttons under {style.TOUCH_MIN} px: {small}"


def walk_every_step(kiosk: Kiosk, language: str) -> None:
    """Karim learned bike repair from Inès (absent) and a passer-by: every step and side step on show."""
    kiosk.shell.switch_language(language)
    start_wizard(kiosk, "Karim")

    def ids() -> Any:  # the step on show changes at every touch
        return kiosk.step().ids

    check_and_keep(kiosk, "record-1-kind", language)
    kiosk.touch(ids().learned)
    check_and_keep(kiosk, "record-2-listing", language)
    kiosk.touch(ids().other_theme)
    check_and_keep(kiosk, "record-2-theme", language)
    kiosk.touch(ids().themes.chip_for("reparation"))
    check_and_keep(kiosk, "record-2-subtheme", language)
    kiosk.touch(ids().subthemes.chip_for("reparation.velo"))
    check_and_keep(kiosk, "record-2-title", language)
    kiosk.touch(ids().next_button)
    check_and_keep(kiosk, "record-3-partners-empty", language)
    kiosk.touch(ids().absent)
    kiosk.type_text(ids().keyboard, "in")
    check_and_keep(kiosk, "record-3-search", language)
    inès = driver.find(ids().results, text="Inès")
    kiosk.touch(inès)
    kiosk.touch(ids().guest)
    kiosk.type_text(ids().keyboard, "Paulette")
    check_and_keep(kiosk, "record-3-guest", language)
    kiosk.touch(ids().add_button)
    check_and_keep(kiosk, "record-3-partners", language)
    kiosk.touch(ids().continue_button)
    kiosk.touch(ids().plus)
    check_and_keep(kiosk, "record-4-duration", language)
    kiosk.touch(ids().next_button)
    check_and_keep(kiosk, "record-5-summary", language)
    kiosk.touch(kiosk.wizard.ids.cancel_button)
    check_and_keep(kiosk, "record-cancel", language)
    kiosk.touch(kiosk.wizard._cancel_question.ids.keep)
    kiosk.touch(ids().save_button)
    assert kiosk.screen.name == "receipt"
    check_and_keep(kiosk, "receipt-pending", language)
