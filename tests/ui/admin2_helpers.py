"""Helpers for the tests of admin2's screens (sync, pairing, export, settings, maintenance, workshops,
check-in): the routes, an admin session opened the way the kiosk does (a staff card tapped on the
simulated reader, then `Session.admin` as the PIN screen sets it), and a look at the screen (screenshot
in build/screenshots/tests/, nothing clipped or crowded at 800×480)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub import admin
from hub.db import Database
from tests.hub.kiosks import HubHandle
from tests.hub.servers import HubServer
from tests.ui import driver
from tests.ui.conftest import SCREENSHOTS, render

LIBRARIAN = "Sandrine"  # the demo's librarian (PROFILES[ADMIN]), with a demo card


def open_admin_session(rig: driver.ShellRig, pseudonym: str = LIBRARIAN) -> None:
    """The staff card on the reader (member home opens), then the admin session the PIN screen opens."""
    rig.tap_demo_card(pseudonym)
    assert rig.shell.session.member is not None and rig.shell.session.member.pseudonym == pseudonym
    rig.shell.session.admin = True


def go(rig: driver.ShellRig, route: str, **params: Any) -> Any:
    rig.shell.go(route, **params)
    driver.wait_frames(3)
    assert rig.shell.manager.current == route
    return rig.shell.manager.current_screen


def look(shell: Any, name: str) -> None:
    """A screenshot for a person to look at; no label clipped and no layout crowded at 800×480."""
    from screens.widgets.fit import clipped_labels, describe

    frame = render(shell.get_root_window())
    folder = SCREENSHOTS / "tests"
    folder.mkdir(parents=True, exist_ok=True)
    frame.save(folder / f"{name}-800x480.png")
    clipped = clipped_labels(shell)
    assert clipped == [], f"{name}:\n{describe(clipped)}"
    crowd = driver.crowded(shell)
    assert crowd == [], f"{name}:\n{driver.describe_crowded(crowd)}"


def key(keyboard: Any, action: str, value: str = "") -> Any:
    for candidate in keyboard.visible_keys():
        if candidate.spec.action == action and (not value or candidate.spec.value == value):
            return candidate
    raise AssertionError(f"no {action} {value!r} key on the {keyboard.page} page")


def type_on(keyboard: Any, text: str) -> None:
    """Key by key on the on-screen keyboard: its page for each character, shift for a capital."""
    from screens.widgets.keyboard import page_rows

    for char in text:
        if char == " ":
            driver.tap(key(keyboard, "space"), frames=1)
            continue
        lower = char.lower()
        page = next(
            page
            for page in (keyboard.page, "letters", "accents", "digits")
            if any(spec.value == lower for row in page_rows(keyboard.layout, page) for spec in row)
        )
        if page != keyboard.page:
            driver.tap(key(keyboard, "page", page), frames=1)
        if char != lower:
            driver.tap(key(keyboard, "shift"), frames=1)
        driver.tap(key(keyboard, "char", lower), frames=1)
    driver.wait_frames(2)


def clear_field(keyboard: Any, field: Any) -> None:
    """Backspace until the field is empty, as a person would."""
    for _ in range(len(field.text)):
        driver.tap(key(keyboard, "backspace"), frames=1)
    assert field.text == ""


def message_shown(shell: Any) -> str:
    """The calm message over the screen ("" when none)."""
    message = shell.overlays.message
    return "" if message is None else str(message.text)


def dismiss_message(shell: Any) -> None:
    """A touch beside the message takes it away, as a person does."""
    if shell.overlays.message is not None:
        driver.tap_at(4, 4)
    assert shell.overlays.message is None


@pytest.fixture(scope="module")
def sqlite_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubHandle]:
    """A real hub (uvicorn on 127.0.0.1, SQLite), started here and stopped by its own pid.
    A test module takes it with `hub = sqlite_hub`."""
    folder = tmp_path_factory.mktemp("hub")
    url = f"sqlite:///{folder / 'hub.sqlite3'}"
    db = Database(url)
    admin.init(db)
    db.dispose()
    server = HubServer(url, log=folder / "hub.log")
    server.start()
    handle = HubHandle(server, Database(url))
    try:
        yield handle
    finally:
        handle.db.dispose()
        server.stop()
