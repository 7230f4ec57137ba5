"""The app's side of the librarian screens (kiosk/app_admin.py), in the real window on a demo store: device
and sync states as the event pump saw them, settings applied at once, and the maintenance mode where only a
staff card brings the kiosk back.

`leave_kiosk()` itself (minimise the window) is not called: the test window is shared by the whole session
and Xvfb has no window manager to bring it back; the test sets `away` as leave_kiosk does and checks what
follows — the part that decides who may come back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardware.events import PrinterStatus, ReaderStatus
from hardware.ports import ReaderState
from kiosk.app import KivyWindow
from kiosk.app_admin import LARGER_TEXT_SCALE, AdminWiring
from kiosk.settings import current_settings
from tests.ui import driver


def wired(rig: Any, ctx: Any, devices_for: list[Any] | None = None) -> AdminWiring:
    started: list[int] = []
    wiring = AdminWiring(
        ctx.config,
        ctx.services,
        start_sync=lambda: started.append(1),
        run_on_ui=lambda f: f(),
        window=KivyWindow(),
        windowed=True,
        apply_devices=(devices_for if devices_for is not None else []).append,
    )
    wiring.shell = rig.shell
    rig.pump.admin = wiring
    return wiring


def test_the_pump_keeps_what_the_sync_screen_shows(kivy_window: Any, tmp_path: Path) -> None:
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        wiring = wired(rig, ctx)
        rig.events.put(ReaderStatus("ACS ACR122U", ReaderState.DISCONNECTED, "débranché"))
        rig.events.put(PrinterStatus("paper_out"))
        rig.drain()
        assert wiring.device_status() == {"reader": ReaderState.DISCONNECTED.value, "printer": "paper_out"}
        assert wiring.sync_status() is None  # never paired: no sync status
        assert wiring.hub_url() is None  # no hub link, no hub in the config


def test_settings_apply_at_once(kivy_window: Any, tmp_path: Path) -> None:
    from dataclasses import replace

    from kivy.metrics import Metrics

    from screens.tr import tr

    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        devices_for: list[Any] = []
        wiring = wired(rig, ctx, devices_for)
        settings = replace(current_settings(ctx.config), inactivity_s=90, language="en", larger_text=True)
        try:
            wiring.apply_settings(settings)
            assert rig.shell._inactivity.timeout == 90
            assert tr.language == "en"  # nobody at the kiosk: the default language shows now
            assert Metrics.fontscale == LARGER_TEXT_SCALE
            assert devices_for == [ctx.config]  # printer and scanner made again from the saved config
        finally:
            Metrics.fontscale = 1.0
            tr.switch("fr")


def test_away_for_maintenance_only_a_staff_card_brings_the_kiosk_back(
    kivy_window: Any, tmp_path: Path
) -> None:
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        wiring = wired(rig, ctx)
        wiring.away = True  # what leave_kiosk() sets, beside minimising the window
        rig.tap_demo_card("Karim")  # a member: nobody is at the kiosk, nothing opens
        assert rig.shell.manager.current == "accueil" and not rig.shell.session.active
        assert wiring.away
        rig.tap_demo_card("Sandrine")  # the librarian: the kiosk comes back on her home (PIN next)
        assert not wiring.away
        assert rig.shell.manager.current == "member_home"
        assert driver.is_shown(rig.shell.manager.current_screen.ids.staff_button)
