"""The scenes `make screenshots` photographs (scripts/screenshots.py plays them): every screen and state.

A scene's `setup(stage)` starts from Accueil at rest — no session, no banner, no overlay, no printer — in
the scene's language, and brings the shell to the state to photograph the way a person does: demo cards on
the simulated reader, touches at the widgets' window positions, text typed key by key on the on-screen
keyboard. A wizard's states are one `Walk`: its moves are played one after the other and the frame is
photographed after each, so every state is reached by the touches of the one before it, plus a few more.
A `scene` is a walk of one state.

Each size runs in its own process on a fresh demo store, and each scene runs once per language on that
store, French first: a scene that writes (a sign-up, an interest, a withdrawn listing) must still work
the second time. Kivy and the project are imported inside the functions: the child process sets up
Kivy's environment before anything imports it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Stage:
    """What a scene's setup may use."""

    shell: Any
    ctx: Any
    reader: Any  # hardware.simulated.SimulatedReader
    pump: Any  # kiosk.app.EventPump
    printer: Callable[[Any], str]  # hands a slip to the simulated printer; ctx.print_slip when "there"

    def frames(self, count: int = 3) -> None:
        from kivy.base import EventLoop

        for _ in range(count):
            EventLoop.idle()

    def wait(self, seconds: float) -> None:
        """Frames for `seconds` of real time: Kivy's clock (a delayed trigger) runs on it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.frames(1)

    def drain(self) -> None:
        while self.pump.drain():
            pass
        self.frames()

    def tap_card(self, pseudonym: str) -> None:
        from kiosk.demo import DEMO_CARDS

        self.tap_uid(next(card.uid for card in DEMO_CARDS if card.pseudonym == pseudonym))

    def tap_uid(self, uid: bytes) -> None:
        self.reader.tap(uid)
        self.reader.remove()
        self.drain()

    def tap(self, widget: Any, frames: int = 3) -> None:
        from kivy.tests.common import UnitTestTouch

        if widget is None or widget.disabled:
            raise LookupError(f"nothing to tap: {widget!r}")
        self.frames(1)  # the layout is settled where the finger lands
        touch = UnitTestTouch(*widget.to_window(widget.center_x, widget.center_y))
        touch.touch_down()
        touch.touch_up()
        self.frames(frames)

    def type(self, keyboard: Any, text: str) -> None:
        """Key by key on the on-screen keyboard: its page for each character, shift for a capital."""
        from screens.widgets.keyboard import page_rows

        for char in text:
            if char == " ":
                self.tap(self.key(keyboard, "space"), frames=1)
                continue
            lower = char.lower()
            page = next(
                page
                for page in (keyboard.page, "letters", "accents", "digits")
                if any(spec.value == lower for row in page_rows(keyboard.layout, page) for spec in row)
            )
            if page != keyboard.page:
                self.tap(self.key(keyboard, "page", page), frames=1)
            if char != lower:
                self.tap(self.key(keyboard, "shift"), frames=1)
            self.tap(self.key(keyboard, "char", lower), frames=1)
        self.frames()

    @staticmethod
    def key(keyboard: Any, action: str, value: str = "") -> Any:
        for candidate in keyboard.visible_keys():
            if candidate.spec.action == action and (not value or candidate.spec.value == value):
                return candidate
        raise LookupError(f"no {action} {value!r} key on the {keyboard.page} page")

    def widget(self, widget_id: str) -> Any:
        """The widget with this kv id in the screen shown (or the shell's overlays)."""
        for root in (self.shell.overlays, self.shell.current):
            for node in root.walk(restrict=True):
                ids = getattr(node, "ids", {})
                if widget_id in ids:
                    return ids[widget_id]
        raise LookupError(widget_id)

    def member_id(self, pseudonym: str) -> str:
        found = self.ctx.services.members.find(pseudonym)
        return str(next(member.id for member in found if member.pseudonym == pseudonym))

    def listing_id(self, pseudonym: str, title: str) -> str:
        """One of this member's listings by its title (withdrawn ones too)."""
        listings = self.ctx.services.listings.of_member(self.member_id(pseudonym), active_only=False)
        return str(next(listing.id for listing in listings if listing.title == title))


Move = Callable[[Stage], None]


@dataclass(frozen=True)
class Walk:
    """States reached one after the other from Accueil at rest: after each move, a photo named after it
    (<screen> or <screen>-<state>: the file is <name>-<lang>-<w>x<h>.png)."""

    states: tuple[tuple[str, Move], ...]
    route: str = ""  # skipped while screens/routes.py does not register this route yet


def walk(route: str, moves: list[tuple[str, Move]]) -> Walk:
    return Walk(tuple(moves), route)


def scene(name: str, setup: Move, route: str = "") -> Walk:
    return Walk(((name, setup),), route)


# --- moves: small steps a scene or a walk is made of ---------------------------------------------------


def steps(*moves: Move) -> Move:
    def play(stage: Stage) -> None:
        for move in moves:
            move(stage)

    return play


def tap(*widget_ids: str) -> Move:
    """Touch these widgets (kv ids) one after the other, each looked up once the previous touch is done."""

    def play(stage: Stage) -> None:
        for widget_id in widget_ids:
            stage.tap(stage.widget(widget_id))

    return play


def tap_text(container_id: str, text: str) -> Move:
    def play(stage: Stage) -> None:
        container = stage.widget(container_id)
        stage.tap(next((child for child in container.children if child.text == text), None))

    return play


def chip(chips_id: str, value: str) -> Move:
    return lambda stage: stage.tap(stage.widget(chips_id).chip_for(value))


def theme_button(grid_id: str, value: str) -> Move:
    return lambda stage: stage.tap(stage.widget(grid_id).button_for(value))


def type_on(keyboard_id: str, text: str) -> Move:
    return lambda stage: stage.type(stage.widget(keyboard_id), text)


def key(keyboard_id: str, action: str) -> Move:
    return lambda stage: stage.tap(stage.key(stage.widget(keyboard_id), action))


def card(pseudonym: str) -> Move:
    return lambda stage: stage.tap_card(pseudonym)


def go(route: str, **params: Any) -> Move:
    def play(stage: Stage) -> None:
        stage.shell.go(route, **params)
        stage.frames()

    return play


def open_listing(pseudonym: str, title: str) -> Move:
    def play(stage: Stage) -> None:
        stage.shell.go("listing", listing_id=stage.listing_id(pseudonym, title))
        stage.frames()

    return play


def with_printer(stage: Stage) -> None:
    stage.ctx.print_slip = stage.printer  # the demo kiosk's simulated printer is there


# --- Accueil, member home, cards, the shell's overlays -------------------------------------------------


def _banners(stage: Stage) -> None:
    stage.reader.unplug()
    stage.shell.sync_status("offline", 12)
    stage.shell.printer_status("paper_out")
    stage.drain()


def _yvette_with_news(stage: Stage) -> None:
    services = stage.ctx.services
    listing = services.listings.of_member(stage.member_id("Yvette"))[0]
    services.listings.express_interest(listing.id, stage.member_id("Karim"))
    stage.tap_card("Yvette")


def _asking_decline(stage: Stage) -> None:
    stage.tap_card("Nguyen")
    stage.tap(stage.widget("content").children[-1].ids.no_button)


def _history(stage: Stage) -> None:
    stage.tap_card("Karim")
    stage.shell.current.toggle_history()
    stage.frames()


def _newcomer_pass(stage: Stage) -> None:
    """Someone who just signed up shows their new pass to the scanner: a home with nothing yet."""
    from hardware.events import QrScanned

    services = stage.ctx.services
    found = services.members.find("Noémie")  # the scene runs once per language on the same store
    member = found[0] if found else services.members.register("Noémie", "Les Hauts")
    stage.pump.events.put(QrScanned(text=services.passes.issue(member.id), source="simulated"))
    stage.drain()


def _countdown(stage: Stage) -> None:
    stage.tap_card("Fatoumata")
    stage.shell.overlays.show_countdown(7)
    stage.frames()


def _error(stage: Stage) -> None:
    stage.tap_card("Mamadou")
    stage.shell.recover()
    stage.frames()


def _demo(name: str) -> Any:
    import kiosk.demo

    return getattr(kiosk.demo, name)


SHELL_SCENES: list[Walk] = [
    scene("accueil", lambda stage: None),
    scene("accueil-woken", tap("numbers")),
    scene("accueil-banners", _banners),
    scene("member_home", card("Inès")),
    scene("member_home-decline", _asking_decline),
    scene("member_home-news", _yvette_with_news),
    scene("member_home-history", _history),
    scene("member_home-matches", card("Sandrine")),
    scene("member_home-newcomer", _newcomer_pass),
    scene("card-unknown", lambda stage: stage.tap_uid(_demo("DEMO_UNKNOWN_UID"))),
    scene("card-revoked", lambda stage: stage.tap_uid(_demo("DEMO_REVOKED_CARD").uid)),
    scene("card-random-uid", lambda stage: stage.tap_uid(_demo("DEMO_PHONE_UID"))),
    scene("countdown", _countdown),
    scene("error", _error),
    scene("demo-help", lambda stage: stage.shell.overlays.toggle_help()),
]
