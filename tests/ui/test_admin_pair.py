"""Pairing from the librarian's screen, by a code typed on the on-screen keyboard, against a REAL hub
(uvicorn on 127.0.0.1, started here and stopped by its own pid): the kiosk's store holds the link after,
and a wrong code is said in plain words. The network part runs on a thread, as the app's does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hardware.events import QrScanned
from screens.context import PairOutcome
from tests.hub.kiosks import HubHandle
from tests.ui import admin2_helpers, driver
from tests.ui.admin2_helpers import clear_field, go, key, look, open_admin_session, type_on

hub = admin2_helpers.sqlite_hub  # a real hub for this module (pytest fixture)


def app_pairing(ctx: Any, started: list[int]) -> Callable[[str, str, Callable[[PairOutcome], None]], None]:
    """The app's own ctx.pair_with_hub (kiosk/app_admin.py): the hub contacted on a thread with a store
    connection of its own, the answer handed back on the Kivy thread, the sync worker started on success."""
    from kivy.clock import Clock

    from kiosk.app import KivyWindow
    from kiosk.app_admin import AdminWiring

    wiring = AdminWiring(
        ctx.config,
        ctx.services,
        start_sync=lambda: started.append(1),
        run_on_ui=lambda action: Clock.schedule_once(lambda _dt: action(), 0),
        window=KivyWindow(),
    )
    return wiring.pair_with_hub


def test_pairing_by_typed_code_against_a_real_hub(kivy_window: Any, tmp_path: Path, hub: HubHandle) -> None:
    collective = hub.collective("Collectif des Bords de Marne")
    code = hub.code(collective)
    syncs: list[int] = []
    workers: list[int] = []
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        ctx.pair_with_hub = app_pairing(ctx, workers)
        ctx.sync_now = lambda: syncs.append(1)
        open_admin_session(rig)
        screen = go(rig, "admin_pair")
        assert screen.step == "address" and screen.ids.address_field.text == "https://"
        look(rig.shell, "admin_pair-address-fr")

        # the hub's address, typed
        keyboard = screen.ids.address_keyboard
        clear_field(keyboard, screen.ids.address_field)
        type_on(keyboard, hub.url)
        assert screen.ids.address_field.text == hub.url
        driver.tap(screen.ids.address_next)
        assert screen.step == "code"

        # a wrong code first: refused by the hub, said in words, nothing written
        keyboard = screen.ids.code_keyboard
        type_on(keyboard, "ABCDE-FGHJK")
        assert screen.code_ok
        driver.tap(screen.ids.code_next)  # « Appairage en cours… » while the hub answers (fast on loopback)
        driver.wait_until(lambda: screen.step != "working", timeout=20)
        assert screen.step == "failed"
        assert "pas reconnu" in screen.ids.failed_text.text
        look(rig.shell, "admin_pair-failed-fr")
        assert ctx.services.store.conn.execute("SELECT count(*) FROM hub_link").fetchone()[0] == 0

        # « Corriger et réessayer »: the right code, typed with its dash and in lower case
        driver.tap(screen.ids.retry_button)
        assert screen.step == "code"
        clear_field(keyboard, screen.ids.code_field)
        type_on(keyboard, f"{code[:5].lower()}-{code[5:].lower()}")
        driver.tap(key(keyboard, "enter"))
        driver.wait_until(lambda: screen.step != "working", timeout=20)
        assert screen.step == "done", screen.outcome_text
        look(rig.shell, "admin_pair-done-fr")
        link = ctx.services.store.conn.execute("SELECT hub_url, collective_id FROM hub_link").fetchone()
        assert tuple(link) == (hub.url, collective)
        assert syncs == [1]  # the first sync asked for at once
        assert workers == [1]  # by a sync worker the app starts now, without a restart

        # the same code again: used up, and this kiosk is paired anyway
        driver.tap(screen.ids.done_button)
        assert rig.shell.manager.current == "admin_sync"


def test_a_scanned_pairing_qr_fills_the_form_and_pairs(kivy_window: Any, tmp_path: Path) -> None:
    """The app's event pump hands scanned text to the shown screen's `on_scanned_text`; a pairing link
    gives both the address and the code. Pairing itself is recorded here, not run: the hub part is the
    test above."""
    asked: list[tuple[str, str]] = []
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:

        def record_pairing(url: str, code: str, done: Callable[[PairOutcome], None]) -> None:
            asked.append((url, code))
            done(PairOutcome(True))

        ctx.pair_with_hub = record_pairing
        open_admin_session(rig)
        screen = go(rig, "admin_pair")
        assert not screen.on_scanned_text("KDS1.not-a-pairing-code")  # a member pass: not for this screen
        # the scanner's text goes through the app's event pump, which offers it to the screen first
        rig.events.put(QrScanned("https://hub.example.org/?code=abcde-fghjk", "evdev:/dev/input/test"))
        rig.drain()
        assert asked == [("https://hub.example.org", "ABCDEFGHJK")]
        assert screen.step == "done"
